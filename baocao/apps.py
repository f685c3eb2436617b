from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BaocaoConfig(AppConfig):
    name = "baocao"
    verbose_name = _("Reports")
