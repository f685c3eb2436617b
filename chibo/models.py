from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

# IsNFC is also imported here because migrations chibo 0009 and dangvien 0012 name it
# chibo.models.IsNFC: keep that name while those migrations exist.
from common.constraints import IsNFC, single_line_text, year_in_range
from common.text import fold, validate_single_line


class Province(models.Model):
    """Province-level unit (tỉnh / thành phố trung ương), official 2025 code."""

    code = models.PositiveIntegerField(_("code"), primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    division_type = models.CharField(_("type"), max_length=40)
    codename = models.CharField(max_length=100)
    search_name = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    """Commune-level unit (xã / phường / đặc khu), official 2025 code."""

    code = models.PositiveIntegerField(_("code"), primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    division_type = models.CharField(_("type"), max_length=40)
    codename = models.CharField(max_length=100)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="communes"
    )
    search_name = models.CharField(max_length=160, db_index=True, editable=False)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["province_id", "code"]

    def __str__(self):
        return f"{self.name}, {self.province.name}" if "province" in self._state.fields_cache else self.name


SYMBOL_FIELDS = {"number", "code", "abbr"}


def validate_symbol_format(value):
    """A document symbol format uses only {number}, {code} and {abbr}, plainly, and {number} once."""
    import string

    from django.core.exceptions import ValidationError

    message = _("Use only {number}, {code} and {abbr} in the format, e.g. {number}-{code}/{abbr}.")
    try:
        fields = [(name, spec, conv) for _text, name, spec, conv in string.Formatter().parse(value) if name is not None]
    except ValueError:
        raise ValidationError(message, code="symbol_format") from None
    if any(name not in SYMBOL_FIELDS or spec or conv for name, spec, conv in fields):
        raise ValidationError(message, code="symbol_format")
    if [name for name, _spec, _conv in fields].count("number") != 1:
        raise ValidationError(message, code="symbol_format")


class OrganizationKind(models.Model):
    """Kind of party organisation, as data: the 2025 reform showed levels change."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_committee = models.BooleanField(_("is a committee (đảng bộ)"), default=False)
    default_abbreviation = models.CharField(_("default document abbreviation"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("organisation kind")
        verbose_name_plural = _("organisation kinds")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Side(models.TextChoices):
    WORKPLACE = "workplace", _("Workplace")
    RESIDENCE = "residence", _("Residence")
    BOTH = "both", _("Both")


class Organization(MP_Node):
    """A party committee or branch; the tree has any depth (materialized path)."""

    steplen = 4
    node_order_by = None

    @classmethod
    def path_prefixes(cls, path: str) -> list[str]:
        """The materialized paths of a node's ancestors and of the node itself, top first."""
        return [path[:n] for n in range(cls.steplen, len(path) + 1, cls.steplen)]

    kind = models.ForeignKey(OrganizationKind, verbose_name=_("kind"), on_delete=models.PROTECT)
    side = models.CharField(_("side"), max_length=12, choices=Side.choices, default=Side.WORKPLACE)
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    short_name = models.CharField(_("short name"), max_length=100, blank=True, validators=[validate_single_line])
    doc_abbreviation = models.CharField(
        _("document abbreviation"),
        max_length=20,
        validators=[validate_single_line],
        help_text=_("Used in document symbols, e.g. ĐU in Số 15-GGT/ĐU."),
    )
    superior_name = models.CharField(
        _("superior body as printed"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_("The line above the issuing body on documents, e.g. ĐẢNG BỘ TỈNH HƯNG YÊN."),
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune covered"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("For residence-side organisations: the commune they cover."),
    )
    doc_symbol_format = models.CharField(
        _("document symbol format"),
        max_length=60,
        default="{number}-{code}/{abbr}",
        validators=[validate_symbol_format],
        help_text=_("How numbers are printed: {number}, {code} (GGT, PB, TB) and {abbr}, e.g. 15-GGT/ĐU."),
    )
    place_name = models.CharField(
        _("place printed on documents"),
        max_length=60,
        blank=True,
        help_text=_("The place before the date, e.g. Hưng Yên."),
    )
    stamp_image = models.CharField(_("stamp image"), max_length=120, blank=True, editable=False)
    search_name = models.CharField(max_length=200, editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        indexes = [models.Index(fields=["search_name"], name="org_search_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=Side.values), name="org_side_valid"),
            models.CheckConstraint(
                condition=single_line_text("name") & IsNFC("name"),
                name="org_name_clean",
                violation_error_message=_("Enter the name on one line, without control characters."),
            ),
            models.CheckConstraint(
                condition=single_line_text("doc_abbreviation"),
                name="org_abbreviation_clean",
                violation_error_message=_("Enter the document abbreviation on one line, e.g. ĐU."),
            ),
        ]

    def __str__(self):
        return self.name

    def refresh_derived(self):
        self.search_name = fold(self.name)


class SignerTitle(models.TextChoices):
    SECRETARY = "secretary", _("Secretary (BÍ THƯ)")
    DEPUTY = "deputy", _("Deputy secretary (PHÓ BÍ THƯ)")


class Signatory(models.Model):
    """A person who signs documents on behalf of an organisation (T/M ĐẢNG ỦY)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="signatories")
    full_name = models.CharField(_("full name"), max_length=120, validators=[validate_single_line])
    title = models.CharField(_("title"), max_length=12, choices=SignerTitle.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    signature_image = models.CharField(_("signature image"), max_length=120, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["organization", "title", "full_name"]
        constraints = [
            models.CheckConstraint(condition=Q(title__in=SignerTitle.values), name="signatory_title_valid"),
            models.CheckConstraint(
                condition=single_line_text("full_name"),
                name="signatory_name_clean",
                violation_error_message=_("Enter the signatory's full name on one line."),
            ),
        ]

    def __str__(self):
        return f"{self.get_title_display()}: {self.full_name}"


class Role(models.TextChoices):
    CLERK = "clerk", _("Party office clerk")
    SIGNING_SECRETARY = "signing_secretary", _("Signing secretary")
    BRANCH_SECRETARY = "branch_secretary", _("Residence-branch secretary")
    GROUP_LEADER = "group_leader", _("Group leader")
    BOARD_VIEWER = "board_viewer", _("Organisation-board viewer")
    ADMIN = "admin", _("Administrator")


class RoleAssignment(models.Model):
    """(user, organisation, role): the role covers the organisation's whole subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="role_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="role_valid"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.organization}"


class PartyGroup(models.Model):
    """Tổ đảng / nhóm: members of a residence branch grouped under a leader."""

    branch = models.ForeignKey(
        Organization,
        verbose_name=_("residence branch"),
        on_delete=models.CASCADE,
        related_name="party_groups",
    )
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    # The group leader's account (tổ trưởng): they see their group's members and meetings.
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("group leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_groups",
    )

    class Meta:
        verbose_name = _("party group")
        verbose_name_plural = _("party groups")
        ordering = ["branch", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"],
                name="group_name_unique",
                violation_error_message=_("This branch already has a group with this name."),
            ),
            models.CheckConstraint(
                condition=single_line_text("name"),
                name="group_name_clean",
                violation_error_message=_("Enter the group name on one line."),
            ),
        ]

    def __str__(self):
        return self.name


class MeetingKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic (every six months)")
    WHEN_NEEDED = "when_needed", _("When needed")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CLOSED = "closed", _("Closed")


class Meeting(models.Model):
    """A residence branch's meeting with its working members (buổi sinh hoạt)."""

    branch = models.ForeignKey(
        Organization, verbose_name=_("residence branch"), on_delete=models.PROTECT, related_name="meetings"
    )
    # The branch's path, copied so scoped lists need no join.
    branch_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices, default=MeetingKind.PERIODIC)
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half-year"), choices=[(1, _("First half")), (2, _("Second half"))])
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, validators=[validate_single_line])
    agenda = models.TextField(_("agenda"))
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    invitation = models.ForeignKey("vanban.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    invitations_sent_at = models.DateTimeField(_("invitations sent"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_at__isnull=False), name="closed_meeting_has_time"
            ),
            models.CheckConstraint(condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
            models.CheckConstraint(condition=year_in_range(), name="meeting_year_range"),
            # The half is 1 or 2. Whether the date lies in it is the service's rule, not a
            # constraint: a periodic meeting may be held up to MEETING_HALF_YEAR_GRACE_DAYS after its
            # half-year ends (a year-end meeting in January), and a setting can't be in a CHECK.
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="meeting_half_valid"),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_by__isnull=False) & ~Q(minutes="")),
                name="closed_meeting_has_minutes",
            ),
            models.CheckConstraint(
                condition=Q(status="closed") | Q(closed_at__isnull=True, closed_by__isnull=True),
                name="open_meeting_not_closed",
            ),
            models.CheckConstraint(condition=single_line_text("place"), name="meeting_place_clean"),
        ]
        indexes = [
            models.Index(fields=["branch_path", "-starts_at"], name="meeting_branch_idx"),
            models.Index(fields=["branch", "-starts_at"], name="meeting_branch_start_idx"),
        ]

    def __str__(self):
        return f"{self.branch} — {self.starts_at:%d/%m/%Y}"

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.CLOSED

    @property
    def has_started(self) -> bool:
        """Its date and time has come (stored in UTC, entered in Hà Nội time): only then can it be closed."""
        return self.starts_at <= timezone.now()


class AttendanceStatus(models.TextChoices):
    UNMARKED = "", _("Not marked")
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Absent with reason")
    UNEXCUSED = "unexcused", _("Absent without reason")


ABSENT_STATUSES = (AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED)


class Attendance(models.Model):
    """One member's attendance at one meeting; `version` guards against two people editing at once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    link = models.ForeignKey("dangvien.ResidenceLink", on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey("dangvien.Member", on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True, validators=[validate_single_line])
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member"),
            models.UniqueConstraint(fields=["meeting", "link"], name="attendance_once_per_link"),
            models.CheckConstraint(condition=Q(status__in=AttendanceStatus.values), name="attendance_status_valid"),
            # A reason is given for an excused absence, and only for one (the services clear it otherwise).
            models.CheckConstraint(
                condition=Q(status="excused", reason__regex=r"\S") | (~Q(status="excused") & Q(reason="")),
                name="attendance_reason_iff_excused",
            ),
        ]
        indexes = [models.Index(fields=["link", "meeting"], name="attendance_link_idx")]

    def __str__(self):
        return f"{self.member} — {self.get_status_display()}"


class AttendanceCorrection(models.Model):
    """A change to attendance after the meeting closed, with its reason; kept as history."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="corrections")
    old_status = models.CharField(max_length=10, choices=AttendanceStatus.choices, blank=True)
    old_reason = models.CharField(max_length=300, blank=True)
    new_status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    new_reason = models.CharField(max_length=300, blank=True)
    reason = models.TextField(_("reason for the correction"))
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-corrected_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_status__in=["present", "excused", "unexcused"]) & Q(reason__regex=r"\S"),
                name="attendance_correction_valid",
            ),
        ]

    def __str__(self):
        return f"{self.old_status} → {self.new_status}"


class MeetingAttachment(models.Model):
    """A file kept with the minutes (a photo of the signed minutes, a list)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    path = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class AbsenceNotice(models.Model):
    """The notice a closed meeting sends to one workplace committee about its absent members."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="absence_notices")
    workplace_committee = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    workplace_path = models.CharField(max_length=255, editable=False)
    document = models.ForeignKey("vanban.Document", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "workplace_committee"], name="absence_notice_once"),
        ]
        indexes = [models.Index(fields=["workplace_path", "-created_at"], name="absence_notice_workplace_idx")]

    def __str__(self):
        return f"{self.meeting} → {self.workplace_committee_id}"
