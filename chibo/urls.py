from django.urls import path

app_name = "chibo"
urlpatterns: list = []
