from django.urls import path

from . import link_views, views

app_name = "dangvien"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("ds.xlsx", views.member_xlsx, name="list_xlsx"),
    path("them/", views.member_create, name="create"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/sua/", views.member_edit, name="edit"),
    path("<int:pk>/du-lieu-ca-nhan.zip", views.member_subject_export, name="subject_export"),
    path("<int:pk>/gioi-thieu/", link_views.letter_issue, name="letter_issue"),
    path("<int:pk>/mien/", link_views.exemption_add, name="exemption_add"),
    path("<int:pk>/thong-bao/", link_views.change_notice, name="change_notice"),
    path("lien-he/noi-cong-tac/", link_views.workplace_inbox, name="workplace_inbox"),
    path("lien-he/noi-cu-tru/", link_views.residence_inbox, name="residence_inbox"),
    path("lien-he/noi-cong-tac.xlsx", link_views.inbox_xlsx, {"side": "workplace"}, name="workplace_inbox_xlsx"),
    path("lien-he/noi-cu-tru.xlsx", link_views.inbox_xlsx, {"side": "residence"}, name="residence_inbox_xlsx"),
    path("lien-he/<int:pk>/tiep-nhan/", link_views.link_receive, name="link_receive"),
    path("lien-he/<int:pk>/tiep-nhan-giay/", link_views.link_receive_manual, name="link_receive_manual"),
    path("lien-he/<int:pk>/thu-hoi/", link_views.letter_revoke, name="letter_revoke"),
    path("lien-he/<int:pk>/ban-quet/", link_views.link_scan, name="link_scan"),
    path("lien-he/gioi-thieu-hang-loat/", link_views.batch_new, name="batch_new"),
    path("lien-he/dot/<int:pk>/", link_views.batch, name="batch"),
    path("lien-he/dot/<int:pk>/pdf/", link_views.batch_pdf, name="batch_pdf"),
]
