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
    """{exemption category code: label} over the packs put in force (a draft's labels are not
    anyone's yet), the latest pack's label for a code several define: an exemption recorded under
    an earlier pack keeps a label when a later one drops it."""
    return exemption_categories()[1]


def exemption_categories(day: datetime.date | None = None) -> tuple[list, dict]:
    """(the categories of the pack in force on `day`, {code: label} over the packs put in force)
    in one query."""
    day = day or timezone.localdate()
    rows = list(
        RegulationPack.objects.filter(in_force_from__isnull=False)
        .order_by("in_force_from")
        .values_list("in_force_from", "exemption_categories")
    )
    labels = {c["code"]: c["label"] for _day, categories in rows for c in categories or []}
    before = [categories for start, categories in rows if start <= day]
    in_force = before[-1] if before else (rows[0][1] if rows else [])
    return in_force or [], labels
