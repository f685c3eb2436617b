from django.urls import path

from . import views

app_name = "vanban"
urlpatterns = [
    path("xac-minh/<str:token>/", views.verify, name="verify"),
    path("<int:pk>/pdf/", views.document_pdf, name="pdf"),
]
