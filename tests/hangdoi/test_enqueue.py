"""The outbox's rules without a worker: nothing for a rolled-back change, and which lost work the
periodic recovery hands out again."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

import hangdoi
from hangdoi.models import OutboxMessage
from hangdoi.services import outbox_deliver, outbox_recover

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_rolled_back_change_queues_nothing_and_a_committed_one_is_published_once(broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        hangdoi.enqueue("hangdoi.tasks.deliver_outbox")
        raise RuntimeError
    assert not OutboxMessage.objects.exists()

    with transaction.atomic():
        message = hangdoi.enqueue("hangdoi.tasks.deliver_outbox")
        assert broker.client().llen("celery") == 0  # not before the commit
    message.refresh_from_db()
    assert message.delivered_at and message.attempts == 1
    assert outbox_deliver() == 0  # delivered rows are not sent again
    assert broker.client().llen("celery") == 1


def test_recovery_hands_out_only_lost_work(broker):
    now = timezone.now()
    long_ago = now - datetime.timedelta(hours=2)

    def row(**fields):
        return OutboxMessage.objects.create(
            task="hangdoi.tasks.deliver_outbox",
            task_id=f"t{OutboxMessage.objects.count()}",
            delivered_at=long_ago,
            **fields,
        )

    dead = row(worker="w1@dead", received_at=long_ago)
    alive = row(worker="w2@alive", received_at=long_ago)
    recent = row(worker="w3@dead", received_at=now)
    done = row(worker="w1@dead", received_at=long_ago, finished_at=now)
    never_received = row()
    assert outbox_recover(alive=["w2@alive"], queue_empty=False, now=now) == 1
    assert outbox_recover(alive=["w2@alive"], queue_empty=True, now=now) == 1
    assert outbox_recover(worker="w3@dead", now=now) == 1
    for message in (dead, alive, recent, done, never_received):
        message.refresh_from_db()
    assert [m.delivered_at is None for m in (dead, alive, recent, done, never_received)] == [
        True,
        False,
        True,
        False,
        True,
    ]
    assert dead.recoveries == 1 and not dead.worker


def test_many_chunks_are_one_insert_and_one_publish(broker):
    """A bulk render's chunks: the rows in one statement, published together after the commit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        hangdoi.enqueue_many("vanban.tasks.render_documents", [[[1, 2]], [[3, 4]], [[5]]])
        assert broker.client().llen("celery") == 0  # not before the commit
    assert len([q for q in queries.captured_queries if q["sql"].startswith("INSERT")]) == 1
    assert OutboxMessage.objects.filter(delivered_at__isnull=False).count() == 3
    assert broker.client().llen("celery") == 3
