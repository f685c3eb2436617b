from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NhatkyConfig(AppConfig):
    name = "nhatky"
    verbose_name = _("Audit log")
