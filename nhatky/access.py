"""The access log: reads of personal data (a member's record, list exports, document downloads).

Views are marked with `@access_logged(action)`; a successful response (2xx) writes one row with the
user, the address with its filters, the view's arguments and, where the view names one, the member.
"""

import functools

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.http import client_ip
from common.text import strip_control_chars

from .models import AccessAction, AccessEvent

__all__ = ["AccessAction", "access_logged", "access_record", "access_log_prune"]


def _printable(value):
    """What a user typed into an address goes into the log as text PostgreSQL can hold and an
    administrator can read: control characters (NUL above all, which text and jsonb refuse),
    zero-width and direction overrides are dropped, long values cut."""
    if isinstance(value, str):
        return strip_control_chars(value[:500])
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    return value


def access_record(*, request, action: str, member_id=None, detail: dict | None = None) -> AccessEvent:
    user = getattr(request, "user", None)
    return AccessEvent.objects.create(
        actor=user if user is not None and user.is_authenticated else None,
        action=action,
        member_id=member_id,
        path=_printable(request.get_full_path())[:300],
        detail=_printable(detail or {}),
        ip=client_ip(request),
    )


def access_logged(action: str, member_kwarg: str | None = None):
    """Record the view's successful responses in the access log. The member is the view argument
    `member_kwarg`, or `request.access_member_id` when the view sets it (it knows the member only
    after loading the object)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if 200 <= response.status_code < 300 and request.method in ("GET", "HEAD"):
                member_id = kwargs.get(member_kwarg) if member_kwarg else getattr(request, "access_member_id", None)
                detail = {k: v for k, v in kwargs.items() if isinstance(v, (int, str))}
                if request.GET:
                    detail["filters"] = {k: request.GET.getlist(k)[:5] for k in list(request.GET)[:30]}
                access_record(request=request, action=action, member_id=member_id, detail=detail)
            return response

        wrapped.access_action = action
        return wrapped

    return decorate


def access_log_prune(*, now=None, batch: int = 10_000) -> int:
    """Delete access records older than ACCESS_LOG_RETENTION_DAYS (and django-axes' login records
    older than LOGIN_LOG_RETENTION_DAYS), in batches so the table is never locked for long."""
    from axes.models import AccessLog

    now = now or timezone.now()
    removed = 0
    for model, days in (
        (AccessEvent, settings.ACCESS_LOG_RETENTION_DAYS),
        (AccessLog, settings.LOGIN_LOG_RETENTION_DAYS),
    ):
        field = "at" if model is AccessEvent else "attempt_time"
        cutoff = now - timezone.timedelta(days=days)
        while True:
            with transaction.atomic():
                ids = list(model.objects.filter(**{f"{field}__lt": cutoff}).values_list("pk", flat=True)[:batch])
                if not ids:
                    break
                removed += model.objects.filter(pk__in=ids).delete()[0]
    return removed
