"""The workplace side: what it did about the residence side's proposals."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.text import validate_no_control_chars

from .forms import Evaluation


class ProposalKind(models.TextChoices):
    COMMEND = "commend", _("Commend")
    REMIND = "remind", _("Remind")
    HANDLE = "handle", _("Handle")


class ProposalAction(models.TextChoices):
    COMMENDED = "commended", _("Commended")
    REMINDED = "reminded", _("Reminded")
    HANDLED = "handled", _("Handled")
    NONE = "none", _("No action, with a reason")


class Proposal(models.Model):
    """The residence side proposes commendation, a reminder or handling; the workplace records what it did."""

    member = models.ForeignKey("dangvien.Member", on_delete=models.PROTECT, related_name="proposals")
    link = models.ForeignKey("dangvien.ResidenceLink", on_delete=models.PROTECT, related_name="+")
    branch_path = models.CharField(max_length=255, editable=False)
    workplace_committee = models.ForeignKey("chibo.Organization", on_delete=models.PROTECT, related_name="+")
    workplace_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("proposal"), max_length=10, choices=ProposalKind.choices)
    facts = models.TextField(_("facts"), validators=[validate_no_control_chars])
    evaluation = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(_("what was done"), max_length=10, choices=ProposalAction.choices, blank=True)
    action_note = models.TextField(_("note"), blank=True, validators=[validate_no_control_chars])
    action_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="") | Q(action_at__isnull=False), name="proposal_action_has_time"
            ),
            models.CheckConstraint(condition=Q(kind__in=ProposalKind.values), name="proposal_kind_valid"),
            models.CheckConstraint(condition=Q(action__in=["", *ProposalAction.values]), name="proposal_action_valid"),
            models.CheckConstraint(condition=Q(facts__regex=r"\S"), name="proposal_has_facts"),
            # "No action, with a reason": the reason is the note.
            models.CheckConstraint(
                condition=~Q(action="none") | Q(action_note__regex=r"\S"),
                name="proposal_no_action_has_note",
                violation_error_message=_("Say why nothing was done."),
            ),
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(evaluation__isnull=False), name="one_proposal_per_evaluation"
            ),
        ]
        indexes = [models.Index(fields=["workplace_path", "-created_at"], name="proposal_workplace_idx")]

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()}"
