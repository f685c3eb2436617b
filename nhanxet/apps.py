from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NhanxetConfig(AppConfig):
    name = "nhanxet"
    verbose_name = _("Evaluations")
