from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaikhoanConfig(AppConfig):
    name = "taikhoan"
    verbose_name = _("Accounts")

    def ready(self):
        from . import twofactor  # noqa: F401 (registers the login receiver)
