"""Criteria sets: the one in force, their criteria (cached once frozen), versions."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhatky.services import audit_record

from ..models import (
    CriteriaSet,
)


def criteria_active(use: str) -> CriteriaSet:
    criteria_set = CriteriaSet.objects.filter(use=use, is_active=True).first()
    if criteria_set is None:
        raise ValidationError(_("No criteria set is in force for this kind of evaluation; ask the administrator."))
    return criteria_set


_FROZEN_CRITERIA: dict[int, list] = {}


def criteria_of(criteria_set: CriteriaSet) -> list:
    """The set's criteria in order. A frozen set never changes, so each process reads it once
    (the draft autosave runs this on every keystroke pause); an editable one is read each time."""
    if criteria_set.pk in _FROZEN_CRITERIA:
        return _FROZEN_CRITERIA[criteria_set.pk]
    criteria = list(criteria_set.criteria.all())
    if criteria_set.is_frozen:
        _FROZEN_CRITERIA[criteria_set.pk] = criteria
    return criteria


_FROZEN_SETS: dict[int, CriteriaSet] = {}


def criteria_set_of(pk: int) -> CriteriaSet:
    """A form's criteria set by key; a frozen one (every saved form's) is read once per process,
    like its criteria above."""
    criteria_set = _FROZEN_SETS.get(pk)
    if criteria_set is None:
        criteria_set = CriteriaSet.objects.get(pk=pk)
        if criteria_set.is_frozen:
            _FROZEN_SETS[pk] = criteria_set
    return criteria_set


def freeze_criteria(criteria_set: CriteriaSet):
    """A version in use can no longer change: later changes are a new version."""
    if criteria_set.frozen_at is None:
        CriteriaSet.objects.filter(pk=criteria_set.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())
        criteria_set.frozen_at = timezone.now()


def criteria_set_new_version(*, actor, criteria_set: CriteriaSet) -> CriteriaSet:
    """A new, editable version of a set with the same criteria, to change for a new regulation."""
    from ..models import Criterion

    if not (actor and actor.is_superuser):
        raise PermissionDenied(_("Only the national administrator manages criteria sets."))
    with transaction.atomic():
        latest = CriteriaSet.objects.filter(code=criteria_set.code).order_by("-version").first()
        new = CriteriaSet.objects.create(
            code=criteria_set.code,
            version=latest.version + 1,
            name=criteria_set.name,
            regulation=criteria_set.regulation,
            use=criteria_set.use,
            conclusions=criteria_set.conclusions,
            is_active=False,
        )
        Criterion.objects.bulk_create(
            Criterion(criteria_set=new, order=c.order, code=c.code, text=c.text, duty=c.duty, levels=c.levels)
            for c in criteria_set.criteria.all()
        )
        audit_record(actor=actor, action="criteria.version", obj=new, changes={"from": criteria_set.pk})
    return new


def criteria_set_activate(*, actor, criteria_set: CriteriaSet) -> CriteriaSet:
    """Put a version in force for its use (the previous one stays for the forms that used it)."""
    if not (actor and actor.is_superuser):
        raise PermissionDenied(_("Only the national administrator manages criteria sets."))
    if not criteria_set.criteria.exists():
        raise ValidationError(_("A criteria set needs at least one criterion."))
    with transaction.atomic():
        CriteriaSet.objects.filter(use=criteria_set.use, is_active=True).exclude(pk=criteria_set.pk).update(
            is_active=False
        )
        criteria_set.is_active = True
        criteria_set.save(update_fields=["is_active"])
        audit_record(actor=actor, action="criteria.activate", obj=criteria_set)
    return criteria_set
