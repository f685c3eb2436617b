from django.urls import path

from . import views

app_name = "dangvien"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("them/", views.member_create, name="create"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/sua/", views.member_edit, name="edit"),
]
