from django.urls import path

from . import pack_views, views

app_name = "nhanxet"
urlpatterns = [
    path("", views.index, name="index"),
    path("ky/moi/", views.period_new, name="period_new"),
    path("chi-bo/<int:pk>/<int:year>/", views.branch, name="branch"),
    path("chi-bo/<int:pk>/<int:year>/phieu.xlsx", views.branch_xlsx, name="branch_xlsx"),
    path("chi-bo/<int:pk>/<int:year>/mat-tran/", views.front_meeting, name="front_meeting"),
    path("chi-bo/<int:pk>/<int:year>/ky/", views.sign, name="sign"),
    path("chi-bo/<int:pk>/<int:year>/phieu/<int:link_pk>/", views.form, name="form"),
    path("chi-bo/<int:pk>/de-nghi/<int:link_pk>/", views.proposal_new, name="proposal_new"),
    path("phieu/<int:pk>/", views.evaluation, name="evaluation"),
    path("phieu/<int:pk>/dinh-chinh/", views.correct, name="correct"),
    path("xac-nhan/<int:pk>/", views.commune, name="commune"),
    path("xac-nhan/<int:pk>/ds.xlsx", views.commune_xlsx, name="commune_xlsx"),
    path("nhan/", views.incoming, name="incoming"),
    path("nhan/ds.xlsx", views.incoming_xlsx, name="incoming_xlsx"),
    path("xep-loai/<int:member_pk>/<int:year>/", views.rating, name="rating"),
    path("de-nghi/<int:pk>/", views.proposal_act, name="proposal_act"),
    path("xin-y-kien/", views.requests, name="requests"),
    path("xin-y-kien/ds.xlsx", views.requests_xlsx, name="requests_xlsx"),
    path("xin-y-kien/moi/<int:member_pk>/", views.request_new, name="request_new"),
    path("xin-y-kien/<int:pk>/phieu/", views.request_form, name="request_form"),
    path("quy-dinh/", pack_views.pack_list, name="packs"),
    path("quy-dinh/<int:pk>/", pack_views.pack_detail, name="pack"),
    path("quy-dinh/<int:pk>/ban-moi/", pack_views.pack_new_version, name="pack_new_version"),
    path("quy-dinh/<int:pk>/sua/", pack_views.pack_edit, name="pack_edit"),
    path("quy-dinh/<int:pk>/loi-van/", pack_views.pack_wording, name="pack_wording"),
    path("quy-dinh/<int:pk>/tieu-chi/<str:use>/", pack_views.pack_criteria, name="pack_criteria"),
    path("quy-dinh/<int:pk>/dien-mien/", pack_views.pack_categories, name="pack_categories"),
    path("quy-dinh/<int:pk>/xem-truoc/<str:doc_type>.pdf", pack_views.pack_preview_pdf, name="pack_preview"),
]
