from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HangdoiConfig(AppConfig):
    name = "hangdoi"
    verbose_name = _("Task queue")

    def ready(self):
        from . import signals  # noqa: F401 (worker hooks: delivery on start, recovery, bookkeeping)
