from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NhapdulieuConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "nhapdulieu"
    verbose_name = _("Imports")
