"""Periods, requests from the workplace, the Front-committee meeting and the evaluation forms with their
sign → confirm → forward workflow."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.constraints import year_in_range
from common.text import validate_no_control_chars

from .criteria import CriteriaSet


class PeriodScope(models.TextChoices):
    ALL = "all", _("Every covered member")
    REQUESTED = "requested", _("Only members the workplace requests and those the residence side flags")


class EvaluationPeriod(models.Model):
    """A committee's yearly evaluation over its subtree, with its deadlines."""

    organization = models.ForeignKey(
        "chibo.Organization", verbose_name=_("committee"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    scope = models.CharField(_("scope"), max_length=10, choices=PeriodScope.choices, default=PeriodScope.ALL)
    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("criteria set"), on_delete=models.PROTECT, related_name="+"
    )
    # The regulation pack the period runs under (its criteria set is the pack's).
    pack = models.ForeignKey("quydinh.RegulationPack", on_delete=models.PROTECT, related_name="+")
    branch_deadline = models.DateField(_("branches fill and sign by"))
    confirm_deadline = models.DateField(_("communes confirm by"))
    forward_deadline = models.DateField(_("forwarded to workplaces by"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation period")
        verbose_name_plural = _("evaluation periods")
        ordering = ["-year", "org_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="one_period_per_committee_year",
                violation_error_message=_("This committee already has an evaluation period for this year."),
            ),
            models.CheckConstraint(
                condition=Q(branch_deadline__lte=F("confirm_deadline"))
                & Q(confirm_deadline__lte=F("forward_deadline")),
                name="period_deadlines_in_order",
                violation_error_message=_("The deadlines must be in order: branches, then commune, then forwarding."),
            ),
            models.CheckConstraint(condition=year_in_range(), name="period_year_range"),
            models.CheckConstraint(condition=Q(scope__in=PeriodScope.values), name="period_scope_valid"),
            # The branches cannot finish before the year they evaluate.
            models.CheckConstraint(
                condition=Q(branch_deadline__year__gte=F("year")), name="period_branch_deadline_in_year"
            ),
        ]
        indexes = [models.Index(fields=["year", "org_path"], name="period_year_path_idx")]

    def __str__(self):
        return f"{self.organization} — {self.year}"


class RequestPurpose(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment or cadre procedure")
    AWARD = "award", _("Award")
    DISCIPLINE = "discipline", _("Discipline")
    OTHER = "other", _("Other")


class EvaluationRequest(models.Model):
    """A workplace committee asks the residence side about a member (phiếu xin ý kiến)."""

    member = models.ForeignKey("dangvien.Member", on_delete=models.PROTECT, related_name="evaluation_requests")
    link = models.ForeignKey("dangvien.ResidenceLink", on_delete=models.PROTECT, related_name="evaluation_requests")
    workplace_committee = models.ForeignKey("chibo.Organization", on_delete=models.PROTECT, related_name="+")
    workplace_path = models.CharField(max_length=255, editable=False)
    residence_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=RequestPurpose.choices)
    details = models.TextField(_("details"), blank=True, validators=[validate_no_control_chars])
    due_date = models.DateField(_("answer by"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation request")
        verbose_name_plural = _("evaluation requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=year_in_range(), name="request_year_range"),
            models.CheckConstraint(condition=Q(purpose__in=RequestPurpose.values), name="request_purpose_valid"),
        ]
        indexes = [
            models.Index(fields=["residence_path", "year"], name="request_residence_idx"),
            models.Index(fields=["workplace_path", "year"], name="request_workplace_idx"),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_purpose_display()}"


class FrontMeeting(models.Model):
    """The branch committee's meeting with the neighbourhood Front committee before evaluating."""

    branch = models.ForeignKey("chibo.Organization", on_delete=models.PROTECT, related_name="+")
    branch_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    held_on = models.DateField(_("held on"))
    attendees = models.TextField(_("who took part"), validators=[validate_no_control_chars])
    notes = models.TextField(_("notes"), blank=True, validators=[validate_no_control_chars])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting with the Front committee")
        verbose_name_plural = _("meetings with the Front committee")
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="one_front_meeting_per_branch_year"),
            models.CheckConstraint(
                condition=year_in_range() & Q(held_on__year=F("year")), name="front_meeting_held_in_its_year"
            ),
            models.CheckConstraint(condition=Q(attendees__regex=r"\S"), name="front_meeting_has_attendees"),
        ]

    def __str__(self):
        return f"{self.branch_id} — {self.held_on:%d/%m/%Y}"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed by the branch")
    CONFIRMED = "confirmed", _("Confirmed by the commune")
    FORWARDED = "forwarded", _("Forwarded to the workplace")


class Evaluation(models.Model):
    """One member's evaluation form for a year (or for a request). Immutable once signed: a correction
    is a new version pointing at the one it replaces, and only the newest version is current."""

    member = models.ForeignKey("dangvien.Member", on_delete=models.PROTECT, related_name="evaluations")
    link = models.ForeignKey("dangvien.ResidenceLink", on_delete=models.PROTECT, related_name="evaluations")
    branch = models.ForeignKey("chibo.Organization", on_delete=models.PROTECT, related_name="+")
    branch_path = models.CharField(max_length=255, editable=False)
    # The residence commune committee that confirms the form and issues its PDF.
    commune = models.ForeignKey("chibo.Organization", on_delete=models.PROTECT, related_name="+")
    workplace_committee = models.ForeignKey("chibo.Organization", on_delete=models.PROTECT, related_name="+")
    workplace_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.ForeignKey(EvaluationPeriod, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        EvaluationRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations"
    )
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="+")
    # The regulation pack the form was made under: its PDF's wording and its criteria.
    pack = models.ForeignKey("quydinh.RegulationPack", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("answers"), default=dict)  # criterion code → level code
    # criterion code (or "conclusion") → the branch's remark on an answer the record contradicts.
    criterion_remarks = models.JSONField(_("remarks on answers against the record"), default=dict, blank=True)
    # At signing: [{"criterion", "order", "warning", "remark"}], each answer that contradicted the
    # record with the remark that let it be signed (kept with the form; shown to the commune).
    record_checks = models.JSONField(_("checked against the record"), default=list, blank=True)
    remarks = models.TextField(_("other remarks"), blank=True, validators=[validate_no_control_chars])
    conclusion = models.CharField(_("conclusion"), max_length=20, blank=True)
    conclusion_details = models.TextField(
        _("facts behind the proposal"), blank=True, validators=[validate_no_control_chars]
    )
    status = models.CharField(_("status"), max_length=10, choices=EvaluationStatus.choices, default="draft")
    lock_version = models.PositiveIntegerField(default=0)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    is_current = models.BooleanField(default=True)
    # The first save (None for forms made before it was recorded): how long filling took.
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, null=True)
    # At signing: seconds from the first save to the last change (None for forms made before it
    # was recorded). The boards' formality flags count forms filled implausibly fast.
    fill_seconds = models.PositiveIntegerField(_("seconds spent filling"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=120, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    forwarded_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey("vanban.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("evaluation form")
        verbose_name_plural = _("evaluation forms")
        ordering = ["-year", "member__sort_key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"],
                condition=Q(request__isnull=True, is_current=True),
                name="one_current_yearly_form",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(request__isnull=False, is_current=True),
                name="one_current_form_per_request",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="signed_form_has_signer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "signed"]) | Q(confirmed_at__isnull=False, document__isnull=False),
                name="confirmed_form_has_document",
            ),
            models.CheckConstraint(
                condition=~Q(status="forwarded") | Q(forwarded_at__isnull=False), name="forwarded_form_has_time"
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""), name="correction_has_reason"
            ),
            models.CheckConstraint(condition=Q(status__in=EvaluationStatus.values), name="evaluation_status_valid"),
            models.CheckConstraint(condition=year_in_range(), name="evaluation_year_range"),
            # A first version replaces nothing; every later one replaces the one before it.
            models.CheckConstraint(
                condition=Q(version=1, supersedes__isnull=True) | Q(version__gt=1, supersedes__isnull=False),
                name="evaluation_version_chain",
            ),
            # A yearly form belongs to its period; a form on request to the request.
            models.CheckConstraint(
                condition=Q(request__isnull=False) | Q(period__isnull=False), name="evaluation_has_period_or_request"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(signer_name=""), name="signed_form_has_signer_name"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "signed"]) | Q(confirmed_by__isnull=False),
                name="confirmed_form_has_confirmer",
            ),
            models.CheckConstraint(
                condition=~Q(status="forwarded") | Q(forwarded_by__isnull=False), name="forwarded_form_has_forwarder"
            ),
            # The marks of steps not reached stay empty: a draft is not half-signed, a form the
            # commune has not confirmed has no document, a confirmed one is not yet forwarded.
            models.CheckConstraint(condition=~Q(status="draft") | Q(signed_at__isnull=True), name="draft_not_signed"),
            models.CheckConstraint(
                condition=~Q(status__in=["draft", "signed"])
                | Q(confirmed_at__isnull=True, forwarded_at__isnull=True, document__isnull=True),
                name="unconfirmed_form_has_no_document",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(forwarded_at__isnull=True), name="confirmed_form_not_forwarded"
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "year"], name="evaluation_branch_idx"),
            models.Index(fields=["branch_path", "status"], name="evaluation_residence_idx"),
            models.Index(fields=["workplace_path", "status"], name="evaluation_workplace_idx"),
        ]

    def __str__(self):
        return f"{self.member} — {self.year} (v{self.version})"

    @property
    def is_draft(self) -> bool:
        return self.status == EvaluationStatus.DRAFT

    @property
    def conclusion_label(self) -> str:
        return self.criteria_set.conclusion_label(self.conclusion) if self.conclusion else ""
