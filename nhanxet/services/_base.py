"""What every evaluation service shares: the conflict signal, text cleaning, the branch check."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from chibo.models import Organization
from chibo.permissions import can_manage_branch

from ..models import (
    ProposalKind,
)

# Conclusions that ask the workplace to act, and the proposal each becomes when forwarded.
CONCLUSION_PROPOSALS = {"commend": ProposalKind.COMMEND, "handle": ProposalKind.HANDLE}


class EvaluationConflict(Exception):
    """Someone saved the form since this editor loaded it; carries the form as it now is."""

    def __init__(self, evaluation):
        super().__init__("evaluation changed")
        self.evaluation = evaluation


def _check_branch(actor, branch: Organization):
    if actor is not None and not can_manage_branch(actor, branch):
        raise PermissionDenied(_("You may not manage this branch."))
