from django.urls import path

from . import views

app_name = "chibo"
urlpatterns = [
    path("", views.org_tree, name="tree"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/con/", views.org_children, name="children"),
    path("don-vi-hanh-chinh/tim/", views.commune_search, name="commune_search"),
]
