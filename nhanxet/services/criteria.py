"""Criteria sets: a pack's set for a use, their criteria (cached once frozen), freezing."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    CriteriaSet,
)


def criteria_of_pack(pack, use: str) -> CriteriaSet:
    """The pack's criteria set for a use (yearly forms; members exempt from meetings)."""
    criteria_set = CriteriaSet.objects.filter(pack=pack, use=use).first()
    if criteria_set is None:
        raise ValidationError(
            _("The regulation in force (%(pack)s) has no criteria for this kind of evaluation; ask the administrator.")
            % {"pack": pack}
        )
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
