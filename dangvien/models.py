from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chibo.models import Commune, Organization
from common.text import fold, sort_key, validate_no_control_chars, validate_single_line

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
        ]
        indexes = [
            models.Index(fields=["org_path", "sort_key", "id"], name="member_org_sort_idx"),
            models.Index(fields=["sort_key", "id"], name="member_sort_idx"),
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
