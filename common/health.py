"""/suc-khoe/: one endpoint a load balancer or monitor polls (django-health-check).

Checks the database, Redis, that at least one Celery worker answers, that beat is sending its
schedules, and that the outbox is not holding work back. 200 when all pass, 500 otherwise; JSON
with `?format=json`. Open to loopback and HEALTH_CHECK_ALLOWED_NETS, and to staff: the report
names internal hosts, so the world gets the same 404 as a missing page.
"""

import dataclasses
import datetime
import ipaddress

from django.conf import settings
from django.db import connection
from django.http import Http404
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from common.http import client_ip


def _closing(run):
    """A check that queries the database from the view's worker thread closes that thread's
    connection afterwards, instead of leaving one open per thread."""

    def wrapped(self):
        try:
            return run(self)
        finally:
            connection.close()

    return wrapped


@dataclasses.dataclass
class Beat(HealthCheck):
    """Beat is alive when a schedule ran recently: the outbox delivery runs every minute and beat
    records each run (django-celery-beat writes last_run_at every few minutes)."""

    max_age: datetime.timedelta = dataclasses.field(
        default_factory=lambda: datetime.timedelta(seconds=settings.HEALTH_BEAT_MAX_AGE_SECONDS), repr=False
    )

    @_closing
    def run(self):
        from django_celery_beat.models import PeriodicTask

        last = (
            PeriodicTask.objects.filter(enabled=True, last_run_at__isnull=False)
            .order_by("-last_run_at")
            .values_list("last_run_at", flat=True)
            .first()
        )
        if last is None or timezone.now() - last > self.max_age:
            raise ServiceUnavailable("beat has sent no scheduled task lately")


@dataclasses.dataclass
class Outbox(HealthCheck):
    """Work written to the outbox but not handed to Redis for longer than a delivery round or two
    means the broker, or the delivery, is stuck."""

    max_age: datetime.timedelta = dataclasses.field(
        default_factory=lambda: datetime.timedelta(seconds=settings.HEALTH_OUTBOX_MAX_AGE_SECONDS), repr=False
    )

    @_closing
    def run(self):
        from hangdoi.models import OutboxMessage

        stuck = OutboxMessage.objects.filter(
            delivered_at__isnull=True, created_at__lt=timezone.now() - self.max_age
        ).count()
        if stuck:
            raise ServiceUnavailable(f"{stuck} queued task(s) not delivered")


class HealthView(HealthCheckView):
    def get_checks(self):
        from health_check.checks import Database

        yield Database()
        if settings.REDIS_URL:
            import redis.asyncio
            from health_check.contrib.redis import Redis

            yield Redis(client_factory=lambda: redis.asyncio.Redis.from_url(settings.REDIS_URL, socket_timeout=2))
        if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
            from health_check.contrib.celery import Ping

            from config.celery import app

            yield Ping(app=app, timeout=datetime.timedelta(seconds=settings.HEALTH_WORKER_PING_SECONDS), limit=1)
            yield Beat()
            yield Outbox()

    async def dispatch(self, request, *args, **kwargs):
        if not _from_allowed_network(request):
            user = await request.auser()
            if not (user.is_authenticated and user.is_staff):
                raise Http404
        return await super().dispatch(request, *args, **kwargs)


def _from_allowed_network(request) -> bool:
    try:
        address = ipaddress.ip_address(client_ip(request) or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in settings.HEALTH_CHECK_ALLOWED_NETS)
