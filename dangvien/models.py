from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chibo.models import Commune, Organization
from common.constraints import IsNFC, single_line_text
from common.text import fold, sort_key, validate_no_control_chars, validate_single_line
from vanban.storage import private_storage_callable

from .validators import check_card_number, check_citizen_id


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary")
    FULL = "full", _("Full member")


class Member(models.Model):
    """A party member (đảng viên); attends party life at a workplace branch."""

    full_name = models.CharField(_("full name"), max_length=120, validators=[validate_single_line])
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"))
    citizen_id = models.CharField(
        _("citizen ID"),
        max_length=12,
        unique=True,
        error_messages={"unique": _("Another member already has this citizen ID.")},
    )
    # NULL when not issued yet (probationary members): NULLs never collide in a unique index.
    card_number = models.CharField(
        _("party card number"),
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_single_line],
        error_messages={"unique": _("This party card number is already taken.")},
    )
    admission_date = models.DateField(_("admission date"))
    full_membership_date = models.DateField(_("full-membership date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=MemberStatus.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("party branch (workplace)"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    # The organisation's materialized path, copied so a subtree filter is one indexed prefix
    # scan on this table; kept in step by the organisation move service.
    org_path = models.CharField(max_length=255, editable=False)
    position = models.CharField(_("position"), max_length=200, blank=True, validators=[validate_single_line])
    workplace_unit = models.CharField(
        _("workplace unit"), max_length=200, blank=True, validators=[validate_single_line]
    )
    residence_commune = models.ForeignKey(
        Commune,
        verbose_name=_("residence commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    residence_hamlet = models.CharField(
        _("village / residential group"),
        max_length=120,
        blank=True,
        validators=[validate_single_line],
    )
    residence_street = models.CharField(
        _("street address"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    covered_213 = models.BooleanField(_("covered by QĐ 213"), default=False)
    # When the member started needing an introduction letter (admission, coverage, transfer,
    # a move that ended the last link): the clock the letter reminders run on. Kept by the services.
    awaiting_letter_since = models.DateField(_("needs an introduction letter since"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, validators=[validate_no_control_chars])
    search_name = models.CharField(max_length=120, editable=False, default="")
    sort_key = models.CharField(max_length=200, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["org_path", "search_name", "sort_key", "updated_at"])

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        constraints = [
            models.CheckConstraint(
                condition=Q(full_membership_date__isnull=True)
                | Q(full_membership_date__gte=models.F("admission_date")),
                name="member_full_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(birth_date__lt=models.F("admission_date")), name="member_born_before_admission"
            ),
            models.CheckConstraint(
                condition=Q(status="probationary", full_membership_date__isnull=True)
                | Q(status="full", full_membership_date__isnull=False),
                name="member_status_matches_dates",
            ),
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="member_gender_valid"),
            models.CheckConstraint(
                condition=Q(citizen_id__regex=r"^[0-9]{12}$"),
                name="member_citizen_id_digits",
                violation_error_message=_("The citizen ID has 12 digits."),
            ),
            models.CheckConstraint(
                condition=~Q(card_number=""),
                name="member_card_number_null_not_blank",
            ),
            models.CheckConstraint(
                condition=single_line_text("full_name") & IsNFC("full_name"),
                name="member_full_name_clean",
                violation_error_message=_("Enter the full name on one line, without control characters."),
            ),
            # Only a member covered by QĐ 213 waits for an introduction letter (the reminders' clock).
            models.CheckConstraint(
                condition=Q(awaiting_letter_since__isnull=True) | Q(covered_213=True),
                name="member_letter_clock_if_covered",
            ),
        ]
        indexes = [
            models.Index(fields=["org_path", "sort_key", "id"], name="member_org_sort_idx"),
            models.Index(fields=["sort_key", "id"], name="member_sort_idx"),
            # Few members wait for a letter at any time: the reminders read only those.
            models.Index(
                fields=["awaiting_letter_since"],
                condition=Q(awaiting_letter_since__isnull=False),
                name="member_awaiting_letter_idx",
            ),
        ]

    def __str__(self):
        return self.full_name

    def refresh_derived(self):
        self.search_name = fold(self.full_name)
        self.sort_key = sort_key(self.full_name)
        self.org_path = self.organization.path

    @property
    def residence_address(self) -> str:
        parts = [self.residence_street, self.residence_hamlet]
        if self.residence_commune_id:
            parts.append(str(self.residence_commune))
        return ", ".join(p for p in parts if p)

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = _("The date of birth cannot be in the future.")
        if self.admission_date and self.admission_date > today:
            errors["admission_date"] = _("The admission date cannot be in the future.")
        if self.birth_date and self.admission_date and self.birth_date >= self.admission_date:
            errors.setdefault("admission_date", _("The admission date must be after the date of birth."))
        if self.admission_date and self.full_membership_date and self.full_membership_date < self.admission_date:
            errors["full_membership_date"] = _("The full-membership date cannot be before the admission date.")
        if self.full_membership_date and self.full_membership_date > today:
            errors.setdefault("full_membership_date", _("The full-membership date cannot be in the future."))
        if self.status == MemberStatus.FULL and not self.full_membership_date:
            errors.setdefault("full_membership_date", _("A full member needs a full-membership date."))
        if self.status == MemberStatus.PROBATIONARY and self.full_membership_date:
            errors.setdefault("status", _("A member with a full-membership date is a full member."))
        if self.citizen_id:
            try:
                check_citizen_id(
                    self.citizen_id,
                    gender=self.gender,
                    birth_date=None if "birth_date" in errors else self.birth_date,
                )
            except ValidationError as exc:
                errors["citizen_id"] = exc.messages
        if self.card_number:
            try:
                check_card_number(self.card_number)
            except ValidationError as exc:
                errors["card_number"] = exc.messages
        if errors:
            raise ValidationError(errors)


class NameWord(models.Model):
    """The vocabulary of folded name words, with how many members carry each (for planning searches)."""

    word = models.CharField(max_length=40, primary_key=True)
    frequency = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("name word")
        verbose_name_plural = _("name words")

    def __str__(self):
        return self.word


class MemberNameWord(models.Model):
    """One row per word of a member's folded name, kept in the member's sort order.

    A search walks the rows of its rarest word in (word, sort_key) index order, so the
    first page comes out already sorted the Vietnamese way without sorting the matches.
    Written only by the member services (and the scale generator).
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=40)
    sort_key = models.CharField(max_length=200)
    org_path = models.CharField(max_length=255)
    search_name = models.CharField(max_length=120)

    class Meta:
        indexes = [models.Index(fields=["member"], name="membername_member_idx")]

    def __str__(self):
        return self.word


class ExemptionKind(models.TextChoices):
    EXEMPT_MEETINGS = "exempt_meetings", _("Introduced, exempt from residence meetings and yearly evaluation")
    NOT_INTRODUCED = "not_introduced", _("Not introduced")


class Exemption(models.Model):
    """An HD 33 exemption with its dates and who decided it; history is kept, never overwritten.
    Its category is one of the regulation pack's (quydinh), kept with the kind it had then."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="exemptions")
    category = models.CharField(_("category"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=ExemptionKind.choices, editable=False)
    reason = models.TextField(_("reason"), validators=[validate_no_control_chars])
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, validators=[validate_single_line])
    recorded_by = models.ForeignKey("taikhoan.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="exemption_dates",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            # The kind is the category's in its pack: introduced but exempt from meetings, or not introduced.
            models.CheckConstraint(condition=Q(kind__in=ExemptionKind.values), name="exemption_kind_valid"),
            models.CheckConstraint(
                condition=Q(reason__regex=r"\S"),
                name="exemption_has_reason",
                violation_error_message=_("Give the reason for the exemption."),
            ),
            models.CheckConstraint(condition=single_line_text("decided_by"), name="exemption_decided_by_clean"),
        ]

    def __str__(self):
        # The code, not the label: a label costs a query over the packs.
        return f"{self.member} — {self.category}"

    @property
    def category_label(self) -> str:
        """The category's label in the packs (one query; a list labels its rows with exemptions_labelled)."""
        label = getattr(self, "_category_label", None)
        if label is None:
            from quydinh.selectors import category_labels

            label = self._category_label = category_labels().get(self.category, self.category)
        return label

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class LinkState(models.TextChoices):
    PENDING = "pending", _("Waiting for a letter")
    LETTER_ISSUED = "letter_issued", _("Letter issued")
    RECEIVED = "received", _("Received by the residence side")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class ChangeKind(models.TextChoices):
    POSITION = "position", _("Position or duties changed")
    MOVED_HOUSE = "moved_house", _("Moved house")
    CHANGED_WORKPLACE = "changed_workplace", _("Changed workplace")
    RETIRED = "retired", _("Retired")
    TRANSFERRED = "transferred", _("Party membership transferred")
    EXPELLED = "expelled", _("Expelled (khai trừ)")
    STRUCK_OFF = "struck_off", _("Struck off (xóa tên)")
    LEFT_PARTY = "left_party", _("Left the Party")
    DIED = "died", _("Died")


# A letter is out (the member is introduced); the residence side holds the member.
INTRODUCED_STATES = (LinkState.LETTER_ISSUED, LinkState.RECEIVED, LinkState.ACTIVE)
HELD_STATES = (LinkState.RECEIVED, LinkState.ACTIVE)

# Every change but a position change ends the residence link.
LINK_ENDING_CHANGES = frozenset(ChangeKind.values) - {ChangeKind.POSITION}


class ResidenceLink(models.Model):
    """A member's contact with the party organisation where they live (liên hệ nơi cư trú).

    Moves through pending → letter issued → received → active → ended, only through the
    services; a move starts a new link, so the history of every place is kept.
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="residence_links")
    workplace_committee = models.ForeignKey(
        Organization,
        verbose_name=_("workplace committee"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The copied path of the workplace committee and of the residence committee scope reads.
    workplace_path = models.CharField(max_length=255, editable=False)
    residence_commune = models.ForeignKey(
        Commune, verbose_name=_("residence commune"), on_delete=models.PROTECT, related_name="+"
    )
    residence_hamlet = models.CharField(_("village / residential group"), max_length=120, blank=True)
    residence_street = models.CharField(_("street address"), max_length=200, blank=True)
    residence_committee = models.ForeignKey(
        Organization,
        verbose_name=_("residence commune committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    residence_path = models.CharField(max_length=255, blank=True, editable=False)
    residence_branch = models.ForeignKey(
        Organization,
        verbose_name=_("residence branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    party_group = models.ForeignKey(
        "chibo.PartyGroup",
        verbose_name=_("party group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=16, choices=LinkState.choices, default=LinkState.PENDING)
    exempt_from_meetings = models.BooleanField(_("exempt from residence meetings"), default=False)
    letter = models.ForeignKey("vanban.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledgement = models.ForeignKey(
        "vanban.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledgement_scan = models.CharField(_("scanned acknowledgement"), max_length=200, blank=True)
    received_date = models.DateField(_("date received"), null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=ChangeKind.choices, blank=True)
    # Closed meetings in a row, latest first, that the member missed without reason; two or more is a flag.
    unexcused_streak = models.PositiveSmallIntegerField(_("absences without reason in a row"), default=0)

    class Meta:
        verbose_name = _("residence link")
        verbose_name_plural = _("residence links")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=~Q(state="ended"),
                name="one_open_link_per_member",
                violation_error_message=_("This member already has an open residence link."),
            ),
            models.CheckConstraint(condition=~Q(state="ended") | Q(ended_at__isnull=False), name="ended_link_has_time"),
            models.CheckConstraint(condition=Q(state__in=LinkState.values), name="link_state_valid"),
            # Ended exactly when there is an end time and a reason (a change notice that ends a link).
            models.CheckConstraint(
                condition=Q(state="ended", end_reason__in=sorted(LINK_ENDING_CHANGES))
                | (~Q(state="ended") & Q(ended_at__isnull=True, end_reason="")),
                name="link_end_reason_iff_ended",
            ),
            # A letter was issued before the residence side could hold the member.
            models.CheckConstraint(
                condition=~Q(state__in=INTRODUCED_STATES) | Q(letter__isnull=False), name="introduced_link_has_letter"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=HELD_STATES) | Q(received_date__isnull=False), name="held_link_has_received_date"
            ),
            # Active means placed in a residence branch (received but not yet placed is "received").
            models.CheckConstraint(
                condition=~Q(state="active") | Q(residence_branch__isnull=False), name="active_link_has_branch"
            ),
            models.CheckConstraint(
                condition=Q(residence_committee__isnull=True, residence_path="")
                | Q(residence_committee__isnull=False) & ~Q(residence_path=""),
                name="link_residence_path_with_committee",
            ),
        ]
        indexes = [
            models.Index(fields=["workplace_path", "state"], name="link_workplace_idx"),
            models.Index(fields=["residence_path", "state"], name="link_residence_idx"),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_state_display()}"

    # Absences without reason in a row that flag the member (DOMAIN: "repeated absence is a flag").
    ABSENCE_FLAG_STREAK = 2

    @property
    def absence_flagged(self) -> bool:
        return self.unexcused_streak >= self.ABSENCE_FLAG_STREAK

    @property
    def residence_address(self) -> str:
        return ", ".join(p for p in (self.residence_street, self.residence_hamlet, str(self.residence_commune)) if p)


class ChangeNotice(models.Model):
    """A notice from the workplace side to the residence side (thông báo thay đổi)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="change_notices")
    link = models.ForeignKey(ResidenceLink, on_delete=models.PROTECT, related_name="change_notices")
    kind = models.CharField(_("change"), max_length=20, choices=ChangeKind.choices)
    effective_date = models.DateField(_("effective date"))
    details = models.TextField(_("details"), blank=True, validators=[validate_no_control_chars])
    document = models.ForeignKey("vanban.Document", null=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("taikhoan.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=ChangeKind.values), name="change_notice_kind_valid")]

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()}"


class LetterBatch(models.Model):
    """Letters issued for many members at once, in the background, with progress and one print file."""

    created_by = models.ForeignKey("taikhoan.User", on_delete=models.PROTECT, related_name="+")
    signatory = models.ForeignKey("chibo.Signatory", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    duties = models.CharField(max_length=300, blank=True)
    member_ids = models.JSONField(default=list)
    results = models.JSONField(default=dict)  # member id → {"document": id} or {"error": message}
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    combined_pdf = models.FileField(storage=private_storage_callable, upload_to="batches/%Y/", blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")
        constraints = [models.CheckConstraint(condition=Q(done__lte=F("total")), name="letter_batch_done_le_total")]

    def __str__(self):
        return f"{self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def issued(self) -> int:
        return sum(1 for r in self.results.values() if "document" in r)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results.values() if "error" in r)
