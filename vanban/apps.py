from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VanbanConfig(AppConfig):
    name = "vanban"
    verbose_name = _("Documents")

    def ready(self):
        from . import checks  # noqa: F401 - registers the start-up check
