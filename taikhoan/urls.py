from django.urls import path

app_name = "taikhoan"
urlpatterns: list = []
