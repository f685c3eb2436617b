"""Thin Celery tasks: dates as ISO text and primary keys in, a service call, nothing else.

Every task here is idempotent (reminders and deliveries are keyed in the database), so they are
acknowledged late and given back to the queue if the worker dies (settings: acks_late,
reject_on_worker_lost, a visibility timeout longer than any countdown).
"""

import datetime

from celery import shared_task
from django.utils import timezone

import hangdoi


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_sweeps(today: str | None = None, rules: list[str] | None = None) -> int:
    """Beat's entry point: plan the day's batches and queue one task each. The date is fixed here,
    so a batch retried after midnight still belongs to the day it was planned for."""
    from .services.sweeps import sweep_plan

    day = _day(today)
    plan = sweep_plan(day, rules)
    hangdoi.enqueue_many(sweep_batch, ([code, batch, day.isoformat()] for code, batch in plan))
    return len(plan)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def sweep_batch(code: str, batch: dict, today: str) -> int:
    from .services.sweeps import sweep_batch as run

    return run(code, batch, datetime.date.fromisoformat(today))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_deliveries(ids: list[int], attempt: int = 0) -> int:
    """Send; what failed for now comes back with a growing countdown (at most an hour, well under
    the broker's visibility timeout), until the service gives up on it after a few attempts."""
    from .services.deliveries import deliveries_send

    retry = deliveries_send(ids)
    if retry:
        hangdoi.enqueue(send_deliveries, retry, attempt + 1, countdown=min(3600, 30 * 2**attempt))
    return len(ids) - len(retry)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def recover_deliveries() -> int:
    from .services.deliveries import deliveries_recover

    return deliveries_recover()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_digests(today: str | None = None) -> int:
    from django.db import transaction

    from .services.deliveries import digests_build, enqueue

    with transaction.atomic():
        ids = digests_build(_day(today))
        enqueue(ids)
    return len(ids)
