"""The end-to-end path through the real Redis broker and real workers, and a worker killed in the
middle of a sweep: nothing lost, nothing doubled once the sweep runs again."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, transaction

from chibo.models import Role
from config.celery import app
from nhacviec.models import Delivery, DeliveryStatus, Reminder, RuleCode
from taikhoan.models import Notification
from tests import factories
from tests.helpers import database_url, lock_waiter, sent_mail, wait_backend_gone, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _late_members(setup, n=3):
    """The setup's member and n more, all owed a letter for years; a clerk with e-mail."""
    setup["clerk"].email = "clerk@example.org"
    setup["clerk"].save()
    factories.user("signer", roles=[(setup["a"], Role.SIGNING_SECRETARY)], email="signer@example.org")
    for i in range(n):
        factories.member(setup["a1"], full_name=f"Đỗ Văn Chậm{i}")
    return datetime.date.today() + datetime.timedelta(days=60)


@pytest.fixture
def queue():
    """Eager mode off while the test runs, and a queue name for a worker process of its own (the
    tasks that worker queues go to the same queue: its settings make it the default)."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield name
    app.conf.task_always_eager = saved
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(name)


def test_beat_to_inbox_and_mail_through_the_broker_and_a_worker(setup, queue):
    from celery.contrib.testing.worker import start_worker

    from nhacviec.tasks import run_sweeps

    day = _late_members(setup)
    mail.outbox = []
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        run_sweeps.delay(day.isoformat(), [RuleCode.LETTER_MISSING])
        run_sweeps.delay(day.isoformat(), [RuleCode.LETTER_MISSING])  # beat firing twice
        wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2)
        time.sleep(1)  # let the second run finish: it must add nothing
    assert Reminder.objects.count() == 8  # 4 members × (office, signing secretary)
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@example.org", "signer@example.org"]


def _start_worker(queue, email_dir):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.nhacviec.worker_settings",
        "DATABASE_URL": database_url(),
        "TEST_CELERY_QUEUE": queue,
        "TEST_EMAIL_DIR": str(email_dir),
    }
    return subprocess.Popen(  # noqa: S603 (our own worker command)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",
            "-c",
            "1",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=open(email_dir.parent / "worker.log", "a"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )


def _kill(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_a_worker_killed_mid_sweep_loses_nothing_and_doubles_nothing(setup, queue, tmp_path):
    from nhacviec.tasks import run_sweeps

    day = _late_members(setup)
    worker = _start_worker(queue, tmp_path)
    try:
        # Hold the inbox table: the sweep records its reminders, then waits to write the notices.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE taikhoan_notification IN SHARE ROW EXCLUSIVE MODE")
                run_sweeps.apply_async((day.isoformat(), [RuleCode.LETTER_MISSING]), queue=queue)
                wait_for(lambda: lock_waiter(cursor) is not None, what="the sweep to reach the notices")
                stuck = lock_waiter(cursor)
                _kill(worker)  # mid-transaction: reminders written, notices not
        # The dead worker's transaction is rolled back by PostgreSQL once the lock is free.
        wait_backend_gone(stuck, what="the dead worker's session to end")
        assert Reminder.objects.count() == 0 and Notification.objects.count() == 0

        # The next run (beat tomorrow morning, or now by hand) does all of it, once.
        worker = _start_worker(queue, tmp_path)
        run_sweeps.apply_async((day.isoformat(), [RuleCode.LETTER_MISSING]), queue=queue)
        wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2)
        run_sweeps.apply_async((day.isoformat(), [RuleCode.LETTER_MISSING]), queue=queue)
        time.sleep(3)
    finally:
        if worker.poll() is None:
            _kill(worker)
    assert Reminder.objects.count() == 8
    assert Notification.objects.count() == 2
    assert Delivery.objects.count() == 2
    sent = sent_mail(tmp_path)  # one file per connection: both may share one
    assert len(sent) == 2
    assert sorted("clerk@example.org" in text for text in sent) == [False, True]
