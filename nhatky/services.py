"""The one way to write an audit record; every service calls it inside its transaction."""

import datetime
import decimal

from django.db import models

from .models import AuditEvent


def plain(value):
    """A value as the JSON of an audit row holds it: model instances by key, dates as text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal)):
        return str(value)
    return value


def audit_record(*, actor, action: str, obj, changes: dict | None = None, reason: str = "") -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=plain(changes or {}),
        reason=reason,
    )


def diff(instance, before: dict, fields) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    out = {}
    for name in fields:
        new = getattr(instance, name)
        if before.get(name) != new:
            out[name] = [plain(before.get(name)), plain(new)]
    return out


def snapshot(instance, fields) -> dict:
    return {name: getattr(instance, name) for name in fields}


def audit_events(*, actor, action: str, entries, reason: str = "") -> list[AuditEvent]:
    """Unsaved audit rows, one per (object, changes) pair, for a bulk service to insert."""
    return [
        AuditEvent(
            actor=actor if actor is not None and actor.pk else None,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            changes=plain(changes or {}),
            reason=reason,
        )
        for obj, changes in entries
    ]


def audit_record_many(*, actor, action: str, entries, reason: str = "") -> list[AuditEvent]:
    """One audit row per (object, changes) pair, written in one statement (bulk services)."""
    events = audit_events(actor=actor, action=action, entries=entries, reason=reason)
    return AuditEvent.objects.bulk_create(events, batch_size=500)
