"""Reading the packs: the one in force on a day (national data: no scope)."""

import datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .models import RegulationPack


def pack_in_force(day: datetime.date | None = None) -> RegulationPack:
    """The pack in force on `day` (today by default). There is always one: the migration seeds
    QĐ 213 in force since 02/01/2020, and a pack in force is never taken back."""
    pack = RegulationPack.objects.in_force(day or timezone.localdate())
    if pack is None:
        raise ImproperlyConfigured("No regulation pack is in force: run the migrations (quydinh seeds QĐ 213).")
    return pack


def pack_of_year(year: int) -> RegulationPack:
    """The pack a year's work is done under: the one in force at the year's end, or today for
    the current year."""
    return pack_in_force(min(timezone.localdate(), datetime.date(year, 12, 31)))


def packs():
    return RegulationPack.objects.order_by("-in_force_from", "code", "-version")


def category_labels() -> dict:
    """{exemption category code: label} over every pack, the newest pack's label for a code several
    define (an exemption recorded under an earlier pack keeps a label when a later one drops it)."""
    labels = {}
    for categories in RegulationPack.objects.order_by("code", "version").values_list("exemption_categories", flat=True):
        for category in categories or []:
            labels[category["code"]] = category["label"]
    return labels


def exemption_categories(day: datetime.date | None = None) -> tuple[list, dict]:
    """(the categories of the pack in force on `day`, {code: label} over every pack) in one query."""
    day = day or timezone.localdate()
    rows = list(RegulationPack.objects.order_by("code", "version").values_list("in_force_from", "exemption_categories"))
    labels = {c["code"]: c["label"] for _day, categories in rows for c in categories or []}
    dated = [(d, c) for d, c in rows if d is not None]
    in_force = max(((d, c) for d, c in dated if d <= day), key=lambda row: row[0], default=None) or min(
        dated, key=lambda row: row[0], default=(None, [])
    )
    return in_force[1] or [], labels
