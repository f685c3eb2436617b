"""Writes of the reminders app: rule settings, deliveries, sweeps (see the modules)."""

from django.db import transaction

from nhatky.services import audit_record, diff, snapshot

from ..models import ReminderRule

RULE_FIELDS = ("is_active", "first_days", "second_days", "description")


def rule_update(*, actor, rule: ReminderRule, data: dict) -> ReminderRule:
    """An administrator's change to a rule's days (read by the next sweep)."""
    with transaction.atomic():
        current = ReminderRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(current, RULE_FIELDS)
        for name in RULE_FIELDS:
            if name in data:
                setattr(current, name, data[name])
        current.full_clean()
        changes = diff(current, before, RULE_FIELDS)
        if changes:
            current.save()
            audit_record(actor=actor, action="reminder_rule.update", obj=current, changes=changes)
    return current
