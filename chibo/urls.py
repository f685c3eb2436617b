from django.urls import path

from . import views

app_name = "chibo"
urlpatterns = [
    path("", views.org_tree, name="tree"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/con/", views.org_children, name="children"),
    path("<int:pk>/ky-ten/", views.signing, name="signing"),
    path("<int:pk>/ky-ten/con-dau/", views.signing_image, {"kind": "stamp"}, name="stamp_image"),
    path("<int:pk>/ky-ten/chu-ky/<int:item>/", views.signing_image, {"kind": "signature"}, name="signature_image"),
    path("don-vi-hanh-chinh/tim/", views.commune_search, name="commune_search"),
]
