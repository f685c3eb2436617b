"""Yearly evaluation (nhận xét, Mẫu 3-213): criteria as versioned data, periods, forms and their
sign → confirm → forward workflow, requests from the workplace, proposals and quality ratings."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.constraints import year_in_range
from common.text import validate_no_control_chars, validate_single_line


class CriteriaUse(models.TextChoices):
    YEARLY = "yearly", _("Yearly evaluation of working members")
    EXEMPT = "exempt", _("Members exempt from residence meetings (evaluated on request)")


class CriteriaSet(models.Model):
    """One version of the criteria a regulation asks for; frozen once a form uses it."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    regulation = models.CharField(_("regulation"), max_length=200, validators=[validate_single_line])
    use = models.CharField(_("used for"), max_length=10, choices=CriteriaUse.choices)
    # [{"code": "commend", "label": "Đề nghị biểu dương"}, ...]
    conclusions = models.JSONField(_("conclusions"), default=list)
    is_active = models.BooleanField(_("in force"), default=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["use", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="criteria_set_version_unique"),
            models.UniqueConstraint(
                fields=["use"], condition=Q(is_active=True), name="one_active_criteria_set_per_use"
            ),
            models.CheckConstraint(condition=Q(use__in=CriteriaUse.values), name="criteria_set_use_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="criteria_set_version_positive"),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def conclusion_label(self, code: str) -> str:
        return next((c["label"] for c in self.conclusions if c["code"] == code), code)


class Criterion(models.Model):
    """One criterion of a set, with its three (or more) levels, best first."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=40)
    text = models.TextField(_("criterion"), validators=[validate_no_control_chars])
    duty = models.CharField(_("duty (QĐ 213, Điều 2)"), max_length=40, blank=True)
    # [{"code": "good", "label": "Nêu gương tốt"}, ...]
    levels = models.JSONField(_("levels"), default=list)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["criteria_set", "order"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="criterion_code_unique"),
            models.UniqueConstraint(fields=["criteria_set", "order"], name="criterion_order_unique"),
            models.CheckConstraint(condition=Q(text__regex=r"\S"), name="criterion_has_text"),
        ]

    def __str__(self):
        return f"{self.order}. {self.text[:60]}"

    def level_label(self, code: str) -> str:
        return next((level["label"] for level in self.levels if level["code"] == code), "")


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
    answers = models.JSONField(_("answers"), default=dict)  # criterion code → level code
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


class QualityRating(models.Model):
    """The workplace's year-end quality rating of a member (QĐ 124), beside the residence form."""

    class Level(models.TextChoices):
        EXCELLENT = "excellent", _("Completed duties excellently")
        GOOD = "good", _("Completed duties well")
        DONE = "done", _("Completed duties")
        NOT_DONE = "not_done", _("Did not complete duties")

    member = models.ForeignKey("dangvien.Member", on_delete=models.PROTECT, related_name="quality_ratings")
    workplace_committee = models.ForeignKey("chibo.Organization", on_delete=models.PROTECT, related_name="+")
    workplace_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("quality rating"), max_length=10, choices=Level.choices)
    evaluation = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True, validators=[validate_no_control_chars])
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quality rating")
        verbose_name_plural = _("quality ratings")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="one_rating_per_member_year"),
            # The QĐ 124 levels (Level's values: the nested class is not in scope here).
            models.CheckConstraint(
                condition=Q(level__in=["excellent", "good", "done", "not_done"]), name="rating_level_valid"
            ),
            models.CheckConstraint(condition=year_in_range(), name="rating_year_range"),
        ]
        indexes = [models.Index(fields=["workplace_path", "year"], name="rating_workplace_idx")]

    def __str__(self):
        return f"{self.member} — {self.year}: {self.get_level_display()}"
