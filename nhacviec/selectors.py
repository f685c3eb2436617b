"""Reads of the reminders app."""

from quydinh.selectors import pack_in_force

from .models import ReminderRule


def rules_in_force(rules=None, day=None) -> list[ReminderRule]:
    """The rules (all by default) with the days they run with on `day`: the regulation pack's
    where they follow it, the administrator's where they were set."""
    pack = pack_in_force(day)
    return [rule.with_pack_days(pack) for rule in (ReminderRule.objects.all() if rules is None else rules)]
