from django.urls import path

from . import views

app_name = "baocao"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.dashboard, name="org"),
    path("<int:pk>/bang.xlsx", views.dashboard_xlsx, name="xlsx"),
    path("<int:pk>/lap-bao-cao/", views.report, name="report"),
    path("<int:pk>/danh-sach/<str:key>/", views.members, name="members"),
    path("<int:pk>/danh-sach/<str:key>/ds.xlsx", views.members_xlsx, name="members_xlsx"),
    path("<int:pk>/hinh-thuc/<str:code>/", views.flagged, name="flagged"),
]
