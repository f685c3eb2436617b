from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from common.health import HealthView

admin.site.site_header = _("QĐ 213 administration")
admin.site.site_title = _("QĐ 213")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("suc-khoe/", HealthView.as_view(), name="health"),
    path("to-chuc/", include("chibo.urls")),
    path("dang-vien/", include("dangvien.urls")),
    path("van-ban/", include("vanban.urls")),
    path("nhan-xet/", include("nhanxet.urls")),
    path("bao-cao/", include("baocao.urls")),
    path("nhap-du-lieu/", include("nhapdulieu.urls")),
    path("", include("taikhoan.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
