"""Start-up checks: WeasyPrint must subset fonts with HarfBuzz (fontTools is many times slower)."""

from django.core.checks import Warning as CheckWarning
from django.core.checks import register


@register()
def text_engine(app_configs, **kwargs):
    from .rendering import check_text_engine

    return [
        CheckWarning(message, hint="Install libharfbuzz-subset0 and fonts-liberation2.", id="vanban.W001")
        for message in check_text_engine()
    ]
