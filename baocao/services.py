"""Writes of the reports app: recomputing the stored figures (a derived table; FiguresRefresh is
its log, so no audit event per run)."""

import time

from django.db import transaction
from django.utils import timezone

from chibo.models import Organization

from .figures import Context, compute
from .models import FiguresRefresh, OrgFigures

BATCH = 5000


def figures_refresh(*, year: int, today=None) -> FiguresRefresh:
    """Recompute every organisation's figures for a year and replace the stored ones at once
    (readers keep seeing the previous figures until the new ones are committed)."""
    started = time.monotonic()
    counts = compute(Context.of(year, today))
    ids = dict(Organization.objects.values_list("path", "id"))
    rows = [
        OrgFigures(organization_id=ids[path], year=year, data={k: v for k, v in data.items() if v})
        for path, data in counts.items()
        if path in ids and any(data.values())
    ]
    with transaction.atomic():
        OrgFigures.objects.filter(year=year).delete()
        OrgFigures.objects.bulk_create(rows, batch_size=BATCH)
        refresh, _ = FiguresRefresh.objects.update_or_create(
            year=year,
            defaults={
                "computed_at": timezone.now(),
                "seconds": round(time.monotonic() - started, 2),
                "organizations": len(rows),
            },
        )
    return refresh


def years_to_refresh(today=None) -> list[int]:
    """This year, and last year while its forms are still being confirmed and rated (to March)."""
    today = today or timezone.localdate()
    return [today.year - 1, today.year] if today.month <= 3 else [today.year]
