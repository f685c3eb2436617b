from django.urls import path

app_name = "dangvien"
urlpatterns: list = []
