"""The workplace side: proposals from the residence side answered, the year-end quality rating."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.permissions import has_role_over
from common.constraints import check_year
from common.text import clean
from dangvien.models import LinkState, ResidenceLink
from nhatky.services import audit_record

from ..models import (
    Evaluation,
    EvaluationStatus,
    Proposal,
    ProposalAction,
    ProposalKind,
    QualityRating,
)
from ..permissions import RATING_ROLES
from ._base import _check_branch


def proposal_create(*, actor, link: ResidenceLink, kind: str, facts: str) -> Proposal:
    """The residence side proposes commendation, a reminder or handling, at any time."""
    if link.residence_branch is None or link.state not in (LinkState.RECEIVED, LinkState.ACTIVE):
        raise ValidationError(_("This member is not assigned to a residence branch."))
    _check_branch(actor, link.residence_branch)
    facts = clean(facts, "facts", multiline=True)
    errors = {}
    if kind not in ProposalKind.values:
        errors["kind"] = _("Choose a proposal from the list.")
    if not facts:
        errors["facts"] = _("Write the facts behind the proposal.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            member=link.member,
            link=link,
            branch_path=link.residence_path or link.residence_branch.path,
            workplace_committee=link.workplace_committee,
            workplace_path=link.workplace_path,
            kind=kind,
            facts=facts,
            created_by=actor,
        )
        audit_record(actor=actor, action="proposal.create", obj=proposal, changes={"kind": kind})
    return proposal


def proposal_act(*, actor, proposal: Proposal, action: str, note: str = "") -> Proposal:
    """The workplace records what it did about a residence proposal (once; later changes are audited too)."""
    if actor is not None and not has_role_over(actor, proposal.workplace_path, RATING_ROLES):
        raise PermissionDenied(_("You may not answer proposals for this committee."))
    note = clean(note, "action_note", multiline=True)
    if action not in ProposalAction.values:
        raise ValidationError({"action": _("Choose what was done from the list.")})
    if action == ProposalAction.NONE and not note:
        raise ValidationError({"action_note": _("Say why nothing was done.")})
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before = {"action": proposal.action, "action_note": proposal.action_note}
        proposal.action = action
        proposal.action_note = note
        proposal.action_by = actor
        proposal.action_at = timezone.now()
        proposal.save(update_fields=["action", "action_note", "action_by", "action_at"])
        audit_record(
            actor=actor, action="proposal.act", obj=proposal, changes={"before": before, "action": action, "note": note}
        )
    return proposal


def rating_record(*, actor, member, year: int, level: str, notes: str = "") -> QualityRating:
    """The workplace's year-end quality rating (QĐ 124), kept next to the residence form it saw."""
    from dangvien.services.links import workplace_committee

    committee = workplace_committee(member)
    if actor is not None and not has_role_over(actor, member.org_path, RATING_ROLES):
        raise PermissionDenied(_("You may not rate this member."))
    if level not in QualityRating.Level.values:
        raise ValidationError({"level": _("Choose a rating from the list.")})
    # Both bounds of the range the database holds (the "not come" test below is no upper bound
    # once the clock passes YEAR_MAX), and before it: 2101 is out of range, not merely early.
    check_year(year)
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("A year that has not come cannot be rated.")})
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.filter(member=member, year=year, request__isnull=True, status=EvaluationStatus.FORWARDED)
            .order_by("-version")
            .first()
        )
        rating = QualityRating.objects.select_for_update().filter(member=member, year=year).first()
        before = {"level": rating.level, "notes": rating.notes} if rating else {}
        if rating is None:
            rating = QualityRating(member=member, year=year)
        rating.workplace_committee = committee
        rating.workplace_path = committee.path
        rating.level = level
        rating.notes = clean(notes, "notes", multiline=True)
        rating.evaluation = evaluation
        rating.rated_by = actor
        rating.save()
        audit_record(
            actor=actor,
            action="quality_rating.record",
            obj=rating,
            changes={"before": before, "level": level, "evaluation": evaluation},
        )
    return rating
