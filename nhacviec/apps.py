from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NhacviecConfig(AppConfig):
    name = "nhacviec"
    verbose_name = _("Reminders and deliveries")
