from django.urls import path

from . import views

app_name = "nhapdulieu"
urlpatterns = [
    path("", views.index, name="index"),
    path("tai-len/", views.upload, name="upload"),
    path("mau.xlsx", views.template, name="template"),
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/thay-doi/", views.changes, name="changes"),
]
