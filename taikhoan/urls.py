from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm

app_name = "taikhoan"
urlpatterns = [
    path("", views.home, name="home"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(
            template_name="taikhoan/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "doi-mat-khau/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="taikhoan/password_change_done.html",
        ),
        name="password_change_done",
    ),
    path("xac-thuc/", views.otp_verify, name="otp_verify"),
    path("xac-thuc/cai-dat/", views.otp_setup, name="otp_setup"),
    path("tai-khoan/", views.profile, name="profile"),
    path("thong-bao-cua-toi/", views.notifications, name="notifications"),
    path("thong-bao-cua-toi/<int:pk>/", views.notification_open, name="notification_open"),
    path("thong-bao-cua-toi/chua-doc/", views.notifications_unread, name="notifications_unread"),
    path("thong-bao-cua-toi/doc-het/", views.notifications_read_all, name="notifications_read_all"),
    path("thong-bao-cua-toi/cai-dat/", views.notification_settings, name="notification_settings"),
]
