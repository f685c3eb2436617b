from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuydinhConfig(AppConfig):
    name = "quydinh"
    verbose_name = _("Regulations")
