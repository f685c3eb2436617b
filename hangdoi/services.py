"""The transactional outbox.

``enqueue`` writes a row in the caller's transaction and publishes it after the commit: nothing is
sent for a change that rolls back, and nothing is lost when the broker is down at the commit (the
row stays pending, and the worker's start, beat every minute or ``manage.py deliver_outbox``
publish it when Redis is back). Publishing fails fast (no retries, a short connect timeout: see
CELERY_BROKER_TRANSPORT_OPTIONS), so a web request never waits for a broker that is away.

The row then follows its task: the worker that receives it and the end of the run are recorded
(signals.py). A worker killed with work in hand leaves its rows received and unfinished; they are
handed out again when a worker of the same name starts (a restarted container or service), or by
the periodic recovery once no live worker answers to that name. With Redis an unacknowledged
message otherwise comes back only after the visibility timeout (12 h, which must stay longer than
any countdown, or a held ETA task would run twice each timeout); so recovery is ours, not the
broker's, and it relies on every task being idempotent (a second run finds the work done).

With no broker (the laptop default: tasks run eagerly) there is nothing to be down: the task just
runs after the commit, without a row.
"""

import datetime
import logging
import uuid

from celery import current_app
from celery.utils.imports import symbol_by_name
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .models import OutboxMessage

logger = logging.getLogger(__name__)

BROKER_DOWN = (OperationalError, RedisConnectionError, RedisTimeoutError, OSError)
TASK_ID_PREFIX = "hangdoi-"
DELIVER_BATCH = 500


def _setting(name, default):
    return getattr(settings, name, default)


def enqueue(task, *args, countdown=None, **kwargs) -> OutboxMessage | None:
    """Queue ``task`` (a Celery task or its registered name) with JSON arguments, to be published
    once the current transaction commits; outside a transaction, at once."""
    name = task if isinstance(task, str) else task.name
    if current_app.conf.task_always_eager:
        if isinstance(task, str):
            task = current_app.tasks.get(name) or symbol_by_name(name)
        transaction.on_commit(lambda: task.apply_async(args, kwargs, countdown=countdown))
        return None
    eta = timezone.now() + datetime.timedelta(seconds=countdown) if countdown else None
    message = OutboxMessage.objects.create(
        task=name, args=list(args), kwargs=kwargs, task_id=f"{TASK_ID_PREFIX}{uuid.uuid4()}", eta=eta
    )
    # robust: the change is committed whatever happens here; a failure only leaves the row pending.
    transaction.on_commit(lambda: _publish([message.pk]), robust=True)
    return message


def enqueue_many(task, arg_lists) -> list[OutboxMessage]:
    """``enqueue`` for many calls of one task (a bulk render's chunks): one insert for all the
    rows and one publish after the commit, instead of one of each per chunk."""
    arg_lists = [list(args) for args in arg_lists]
    if not arg_lists:
        return []
    if current_app.conf.task_always_eager:
        for args in arg_lists:
            enqueue(task, *args)
        return []
    name = task if isinstance(task, str) else task.name
    messages = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(task=name, args=args, kwargs={}, task_id=f"{TASK_ID_PREFIX}{uuid.uuid4()}")
            for args in arg_lists
        ]
    )
    ids = [m.pk for m in messages]
    transaction.on_commit(lambda: _publish(ids, len(ids)), robust=True)
    return messages


def outbox_deliver(limit: int = 10_000) -> int:
    """Publish pending rows, oldest first; stops at the first broker error (the rest would fail too)."""
    total = 0
    while total < limit:
        published, more = _publish(None, min(DELIVER_BATCH, limit - total))
        total += published
        if not more:
            break
    return total


def _publish(ids, limit=DELIVER_BATCH):
    """Publish these pending rows (or the oldest pending ones); returns (published, more to do).
    Rows are locked while they are sent (skip_locked): the commit hook and a delivery run never
    send the same row twice."""
    now = timezone.now()
    with transaction.atomic():
        rows = OutboxMessage.objects.select_for_update(skip_locked=True).filter(delivered_at__isnull=True)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        rows = list(rows.order_by("pk")[:limit])
        sent, error = [], None
        for row in rows:
            try:
                # By name: the process delivering (beat's task, the command) need not import the task.
                current_app.send_task(
                    row.task,
                    row.args,
                    row.kwargs,
                    task_id=row.task_id,
                    eta=row.eta if row.eta and row.eta > now else None,
                    retry=False,
                )
            except BROKER_DOWN as exc:
                error = (row, exc)
                break
            sent.append(row.pk)
        if sent:
            OutboxMessage.objects.filter(pk__in=sent).update(
                delivered_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
        if error:
            row, exc = error
            OutboxMessage.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:2000])
            logger.warning("Broker unreachable, %s kept in the outbox: %s", row, exc)
    return len(sent), error is None and len(rows) == limit


def outbox_received(task_id: str, worker: str) -> None:
    """A worker has the task in hand (running it or holding it until its ETA)."""
    OutboxMessage.objects.filter(task_id=task_id, finished_at__isnull=True).update(
        worker=worker, received_at=timezone.now()
    )


def outbox_released(worker: str) -> int:
    """A worker stopping in order (warm or cold shutdown, not a kill): what it held unfinished goes
    back to the broker (kombu restores unacknowledged messages as the worker closes its channel),
    so it is no longer that worker's, and the next worker of that name does not publish it again."""
    return OutboxMessage.objects.filter(worker=worker, finished_at__isnull=True).update(worker="", received_at=None)


def outbox_finished(task_id: str) -> None:
    OutboxMessage.objects.filter(task_id=task_id, finished_at__isnull=True).update(finished_at=timezone.now())


def outbox_recover(*, worker: str | None = None, alive=None, queue_empty=False, now=None) -> int:
    """Make pending again the rows whose work was lost, so the next delivery publishes them:

    - ``worker`` given (a worker starting): what a worker of that name had received and not
      finished belongs to its dead predecessor (names are unique among running workers);
    - otherwise, what was received more than HANGDOI_RECOVER_AFTER ago by a worker not in
      ``alive`` (the names answering a ping), and, when the broker's queue is empty, what it was
      given that long ago and no worker ever received (a Redis that restarted empty).
    """
    now = now or timezone.now()
    before = now - _setting("HANGDOI_RECOVER_AFTER", datetime.timedelta(minutes=10))
    unfinished = OutboxMessage.objects.filter(delivered_at__isnull=False, finished_at__isnull=True)
    if worker is not None:
        lost = unfinished.filter(worker=worker)
    else:
        lost = unfinished.filter(received_at__lt=before).exclude(worker__in=list(alive or ()))
        if queue_empty:
            lost |= unfinished.filter(worker="", delivered_at__lt=before)
    count = lost.update(delivered_at=None, worker="", received_at=None, recoveries=F("recoveries") + 1)
    if count:
        logger.warning("%d queued tasks lost with a worker or the broker handed out again", count)
    return count


def outbox_clean(now=None) -> int:
    """Forget rows finished (or delivered and never heard of) more than HANGDOI_KEEP ago."""
    keep = _setting("HANGDOI_KEEP", datetime.timedelta(days=7))
    before = (now or timezone.now()) - keep
    old = OutboxMessage.objects.filter(finished_at__lt=before) | OutboxMessage.objects.filter(
        delivered_at__lt=before, finished_at__isnull=True
    )
    return old.delete()[0]
