"""The workplace side: proposals from the residence side, and what the workplace did about them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.permissions import has_role_over
from common.text import clean
from dangvien.models import LinkState, ResidenceLink
from nhatky.services import audit_record

from ..models import (
    Proposal,
    ProposalAction,
    ProposalKind,
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
