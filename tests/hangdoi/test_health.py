"""/suc-khoe/ (issue 10): database, Redis, a worker that answers, beat, and the outbox, checked
against real servers that the test stops and starts."""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse
from django.utils import timezone

from .conftest import wait_for


def get(client, *args, **extra):
    """The health view is async: Django's client runs it in an event loop of its own, which it
    can't do in a thread that already has one running (the browser tests' Playwright does, for the
    rest of the session), so the request is made from a thread of its own."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(client.get, *args, **extra).result()


def health(client, **extra):
    response = get(client, reverse("health"), {"format": "json"}, **extra)
    return response.status_code, (response.json() if response.status_code in (200, 500) else None)


def failing(body):
    return sorted(name.split("(")[0] for name, value in body.items() if value != "OK")


@pytest.fixture
def live_settings(settings, broker):
    settings.REDIS_URL = broker.url
    settings.CELERY_BROKER_URL = broker.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return settings


def beat_ran(when):
    """Beat records each schedule's last run (the migration's rows may have gone with an earlier
    transactional test's flush, so the row is made here if need be)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    task, _ = PeriodicTask.objects.get_or_create(
        task="hangdoi.tasks.deliver_outbox", defaults={"name": "deliver_outbox", "interval": every}
    )
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=when)


@pytest.mark.django_db(transaction=True)
def test_every_part_checked_and_each_failure_shows(client, live_settings, workers, redis_server):
    # No worker yet, and beat has never run.
    status, body = health(client)
    assert status == 500 and failing(body) == ["Beat", "Ping"]
    worker = workers.start()
    wait_for(lambda: "Ping" not in failing(health(client)[1]), what="the worker answers")
    beat_ran(timezone.now())
    status, body = health(client)
    assert status == 200, body
    assert {name.split("(")[0] for name in body} == {"Database", "Redis", "Ping", "Beat", "Outbox"}

    # Work stuck in the outbox (written, never handed to Redis) is reported.
    from hangdoi.models import OutboxMessage

    stuck = OutboxMessage.objects.create(task="nhatky.tasks.prune_access_log", task_id="hangdoi-stuck")
    OutboxMessage.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert failing(health(client)[1]) == ["Outbox"]
    stuck.delete()

    # Beat silent for longer than allowed.
    beat_ran(timezone.now() - datetime.timedelta(hours=1))
    assert failing(health(client)[1]) == ["Beat"]
    beat_ran(timezone.now())

    # The worker dies.
    workers.kill(worker)
    assert failing(health(client)[1]) == ["Ping"]

    # Redis stops: Redis and the worker ping both fail, the page still answers.
    redis_server.kill()
    status, body = health(client)
    assert status == 500 and {"Redis", "Ping"} <= set(failing(body)) and "Database" not in failing(body)


@pytest.mark.django_db(transaction=True)
def test_not_for_the_world(client, django_user_model):
    assert get(client, reverse("health"), REMOTE_ADDR="203.0.113.9").status_code == 404
    staff = django_user_model.objects.create_user("ops", password="x-test-password-1", is_staff=True)
    client.force_login(staff)
    assert get(client, reverse("health"), {"format": "json"}, REMOTE_ADDR="203.0.113.9").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_staff_who_owe_their_code_are_sent_to_give_it_first(client, django_user_model, settings):
    """The report names internal hosts: a staff member who typed only the password (two-step
    login required of administrators) is asked for the code, not shown it."""
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin"]
    staff = django_user_model.objects.create_user("ops", password="x-test-password-1", is_staff=True)
    client.post(reverse("taikhoan:login"), {"username": "ops", "password": "x-test-password-1"})
    assert client.session.get("_auth_user_id") == str(staff.pk)
    response = get(client, reverse("health"), {"format": "json"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302 and response["Location"].startswith(reverse("taikhoan:otp_setup"))


@pytest.mark.django_db(transaction=True)
def test_eager_mode_checks_what_there_is(client):
    status, body = health(client)
    assert status == 200 and {name.split("(")[0] for name in body} == {"Database", "Redis"}
