"""The outbox with real processes: Redis killed under the web app, and Celery workers killed with
SIGKILL in the middle of a bulk render and of a reminder sweep. Every item ends done exactly once."""

import datetime
import hashlib

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

import hangdoi
from chibo.models import Role
from dangvien.models import LetterBatch
from dangvien.services import letter_batch_start
from hangdoi.models import OutboxMessage
from nhacviec.models import Delivery, DeliveryStatus, Reminder, RuleCode
from taikhoan.models import Notification
from tests import factories
from tests.helpers import lock_waiter, sent_mail, wait_backend_gone, wait_for
from vanban.models import Document

pytestmark = pytest.mark.django_db(transaction=True)


def _members(setup, n):
    return [setup["member"]] + [factories.member(setup["a1"], full_name=f"Đỗ Văn Thử{i}") for i in range(n - 1)]


def _rendered():
    return Document.objects.exclude(sha256="").count()


def _assert_rendered_once(documents, private_root):
    """Each document has its PDF, the stored file is the one its SHA-256 names, and no other file
    (from a render cut short by the kill) is left beside it."""
    for document in documents:
        assert document.sha256
        with document.pdf.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == document.sha256
    stored = sorted(p.relative_to(private_root).as_posix() for p in (private_root / "documents").rglob("*.pdf"))
    assert stored == sorted(d.pdf.name for d in documents)


def _all_finished():
    return not OutboxMessage.objects.filter(finished_at__isnull=True).exists()


def test_with_redis_down_pages_serve_and_the_outbox_delivers_once_it_is_back(
    private_root, setup, workers, settings, client
):
    redis = workers.redis
    settings.CACHES = {"default": {"BACKEND": "common.cache.RedisCache", "LOCATION": redis.url}}
    members = _members(setup, 3)
    client.force_login(setup["clerk"])
    assert client.get(reverse("dangvien:list")).status_code == 200
    assert redis.client().keys("*session*")  # the session is cached in this Redis

    redis.kill()
    assert client.get(reverse("dangvien:list")).status_code == 200  # the session comes from the database
    response = client.post(
        reverse("dangvien:batch_new"), {"member": [m.pk for m in members], "confirm": "1", "duties": ""}
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    batch = LetterBatch.objects.get()
    message = OutboxMessage.objects.get()
    assert message.task == "dangvien.tasks.run_letter_batch" and message.args == [batch.pk]
    assert message.delivered_at is None and message.attempts == 1 and message.last_error

    redis.start()  # empty, as after a restart without persistence: the work is in the database
    call_command("deliver_outbox")
    message.refresh_from_db()
    assert message.delivered_at and message.attempts == 2
    assert redis.client().llen("celery") == 1  # on the broker's queue, once

    workers.start()
    wait_for(lambda: LetterBatch.objects.get().finished_at, what="the batch to be issued, rendered and joined")
    batch = LetterBatch.objects.get()
    assert batch.issued == 3 and batch.failed == 0
    documents = list(Document.objects.all())
    assert len(documents) == 3
    _assert_rendered_once(documents, private_root)
    wait_for(_all_finished, what="the last task's bookkeeping")
    assert OutboxMessage.objects.filter(task="dangvien.tasks.run_letter_batch").count() == 1
    assert redis.client().llen("celery") == 0


def test_a_worker_killed_mid_render_leaves_every_document_rendered_once(private_root, setup, workers):
    n = 30  # three chunks of ten: the kill lands with work still queued whichever chunk it cuts
    members = _members(setup, n)
    first = workers.start()
    batch = letter_batch_start(actor=setup["clerk"], member_ids=[m.pk for m in members])
    wait_for(lambda: Document.objects.count() == n and _rendered() >= 1, timeout=90, what="the render to be under way")
    workers.kill(first)
    done = _rendered()
    assert 0 < done < n
    # The chunk the worker held when it died (earlier chunks it finished are finished).
    in_hand = OutboxMessage.objects.get(
        task="vanban.tasks.render_documents", worker__startswith="hangdoi-test@", finished_at__isnull=True
    )
    assert in_hand.received_at is not None

    # The service restarts the worker under the same name: it hands out what its predecessor held.
    workers.start()
    wait_for(lambda: LetterBatch.objects.get().finished_at, timeout=120, what="the render to finish after recovery")
    documents = list(Document.objects.order_by("number"))
    assert [d.number for d in documents] == list(range(1, n + 1))
    _assert_rendered_once(documents, private_root)
    wait_for(_all_finished, what="the last task's bookkeeping")
    in_hand.refresh_from_db()
    assert in_hand.recoveries == 1 and in_hand.finished_at
    assert LetterBatch.objects.get(pk=batch.pk).issued == n


def test_a_worker_killed_mid_sweep_is_recovered_and_each_reminder_goes_once(setup, workers, tmp_path):
    from nhacviec.tasks import run_sweeps

    setup["clerk"].email = "clerk@example.org"
    setup["clerk"].save()
    factories.user("signer", roles=[(setup["a"], Role.SIGNING_SECRETARY)], email="signer@example.org")
    for i in range(3):
        factories.member(setup["a1"], full_name=f"Đỗ Văn Chậm{i}")
    day = datetime.date.today() + datetime.timedelta(days=60)

    first = workers.start()
    # Hold the inbox table: the sweep batch records its reminders, then waits to write the notices.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE taikhoan_notification IN SHARE ROW EXCLUSIVE MODE")
        run_sweeps.apply_async((day.isoformat(), [RuleCode.LETTER_MISSING]))
        wait_for(lambda: lock_waiter(cursor) is not None, what="the sweep batch to reach the notices")
        stuck = lock_waiter(cursor)
        workers.kill(first)  # mid-transaction: reminders written, notices not
    wait_backend_gone(stuck, what="PostgreSQL to roll back the dead worker's transaction")
    assert Reminder.objects.count() == 0 and Notification.objects.count() == 0
    in_hand = OutboxMessage.objects.get(task="nhacviec.tasks.sweep_batch", worker__startswith="hangdoi-test@")
    assert in_hand.finished_at is None

    # No second sweep by hand: the restarted worker hands the batch out again.
    workers.start()
    wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2, what="the mail")
    wait_for(_all_finished, what="the last task's bookkeeping")
    in_hand.refresh_from_db()
    assert in_hand.recoveries == 1
    assert Reminder.objects.count() == 8  # 4 members × (office, signing secretary)
    assert Notification.objects.count() == 2
    assert Delivery.objects.count() == 2
    sent = sent_mail(tmp_path / "mail")  # one file per connection: both may share one
    assert len(sent) == 2
    assert sorted("clerk@example.org" in text for text in sent) == [False, True]


def test_a_worker_stopped_in_order_leaves_its_held_tasks_to_the_broker(workers):
    """A deploy stops the worker in order: what it held (an ETA task) goes back to the queue, so
    the restarted worker gets it from the broker and the outbox does not send it a second time."""
    import os
    import signal

    first = workers.start()
    with transaction.atomic():
        message = hangdoi.enqueue("hangdoi.tasks.deliver_outbox", countdown=600)
    wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).worker, timeout=60, what="the worker to hold it")
    os.killpg(first.pid, signal.SIGTERM)  # warm shutdown
    first.wait(timeout=60)
    message.refresh_from_db()
    assert message.worker == "" and message.received_at is None and message.finished_at is None

    workers.start()
    wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).worker, timeout=60, what="the new worker to hold it")
    message.refresh_from_db()
    assert message.recoveries == 0 and message.delivered_at is not None
