from django.urls import path

from . import branch_views, views

app_name = "chibo"
urlpatterns = [
    path("", views.org_tree, name="tree"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/con/", views.org_children, name="children"),
    path("<int:pk>/ky-ten/", views.signing, name="signing"),
    path("<int:pk>/ky-ten/con-dau/", views.signing_image, {"kind": "stamp"}, name="stamp_image"),
    path("<int:pk>/ky-ten/chu-ky/<int:item>/", views.signing_image, {"kind": "signature"}, name="signature_image"),
    path("don-vi-hanh-chinh/tim/", views.commune_search, name="commune_search"),
    # Residence-branch work
    path("chi-bo/", branch_views.branch_list, name="branches"),
    path("chi-bo/<int:pk>/", branch_views.branch_home, name="branch"),
    path("chi-bo/<int:pk>/dang-vien.xlsx", branch_views.branch_xlsx, name="branch_xlsx"),
    path("chi-bo/<int:pk>/to/moi/", branch_views.group_edit, name="group_new"),
    path("chi-bo/<int:pk>/to/<int:group_pk>/", branch_views.group_edit, name="group_edit"),
    path("chi-bo/<int:pk>/xep-to/", branch_views.members_move, name="members_move"),
    path("chi-bo/<int:pk>/sinh-hoat/moi/", branch_views.meeting_edit, name="meeting_new"),
    path("sinh-hoat/", branch_views.meeting_list, name="meetings"),
    path("sinh-hoat/ds.xlsx", branch_views.meetings_xlsx, name="meetings_xlsx"),
    path("sinh-hoat/<int:pk>/", branch_views.meeting_detail, name="meeting"),
    path("sinh-hoat/<int:meeting_pk>/sua/", branch_views.meeting_edit, name="meeting_edit"),
    path("sinh-hoat/<int:pk>/diem-danh/", branch_views.meeting_attendance, name="meeting_attendance"),
    path("sinh-hoat/<int:pk>/ket-thuc/", branch_views.meeting_close, name="meeting_close"),
    path("sinh-hoat/<int:pk>/tep/<int:item>/", branch_views.meeting_attachment, name="meeting_attachment"),
    path("sinh-hoat/<int:pk>/dinh-chinh/<int:member_pk>/", branch_views.attendance_correct, name="attendance_correct"),
    path("sinh-hoat/<int:pk>/giay-moi/", branch_views.meeting_invitation, name="meeting_invitation"),
    path("sinh-hoat/<int:pk>/diem-danh.xlsx", branch_views.meeting_export, {"fmt": "xlsx"}, name="meeting_xlsx"),
    path("sinh-hoat/<int:pk>/diem-danh.pdf", branch_views.meeting_export, {"fmt": "pdf"}, name="meeting_pdf"),
    path("to-dang-cua-toi/", branch_views.my_groups, name="my_groups"),
]
