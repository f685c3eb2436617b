"""Writes of the reminders app: rule settings, deliveries, sweeps (see the modules)."""

from django.db import transaction

from nhatky.services import audit_record, diff, snapshot

from ..models import ReminderRule

RULE_FIELDS = ("is_active", "follows_pack", "first_days", "second_days", "description")


def rule_update(*, actor, rule: ReminderRule, data: dict) -> ReminderRule:
    """An administrator's change to a rule (read by the next sweep). Days set here are this
    installation's own: the rule no longer follows the regulation pack's days unless told to."""
    with transaction.atomic():
        current = ReminderRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(current, RULE_FIELDS)
        for name in RULE_FIELDS:
            if name in data:
                setattr(current, name, data[name])
        days_changed = (current.first_days, current.second_days) != (before["first_days"], before["second_days"])
        if days_changed and before["follows_pack"] and current.follows_pack:
            current.follows_pack = False
        elif before["follows_pack"] and not current.follows_pack and not days_changed:
            # Unticked alone: keep running with the days it ran with, the pack's in force today.
            from quydinh.selectors import pack_in_force

            days = (pack_in_force().reminder_days or {}).get(current.code)
            if days:
                current.first_days, current.second_days = days[0], days[1]
        current.full_clean()
        changes = diff(current, before, RULE_FIELDS)
        if changes:
            current.save()
            audit_record(actor=actor, action="reminder_rule.update", obj=current, changes=changes)
    return current
