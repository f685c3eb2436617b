from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DangvienConfig(AppConfig):
    name = "dangvien"
    verbose_name = _("Party members")
