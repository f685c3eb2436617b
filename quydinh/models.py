"""Regulation packs: everything a regulation binds, as one versioned record (the citation printed
on documents, the documents' wording, the default deadlines and reminder days, the exemption
categories; the criteria sets of nhanxet point to their pack). A pack comes in force from a date;
the one in force on a day is the latest whose date is not after it. Once a period, a form or a
document uses a pack it is frozen: a change is a new version."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.constraints import single_line_text
from common.text import validate_single_line

# The reminder rules whose days a pack sets (the reminders app sends them; the pack says when).
REMINDER_RULES = {
    "letter_missing": _("Covered member without an introduction letter"),
    "letter_unreceived": _("Letter issued but not received"),
    "meeting_upcoming": _("Branch meeting coming up"),
    "evaluation_unfilled": _("Evaluation forms not signed by the branch"),
    "evaluation_unconfirmed": _("Evaluation forms awaiting the commune"),
    "evaluation_unreceived": _("Evaluation forms not taken in by the workplace"),
    "board_digest": _("Weekly summary for organisation boards"),
}


class RegulationPackQuerySet(models.QuerySet):
    def in_force(self, day: datetime.date) -> "RegulationPack | None":
        """The pack in force on `day`: the latest put in force from a date not after it. A day
        before the first pack (work dated before 02/01/2020, under QĐ 76, recorded later) is under
        the first one: the packs model no regulation before it."""
        return (
            self.filter(in_force_from__lte=day).order_by("-in_force_from").first()
            or self.filter(in_force_from__isnull=False).order_by("in_force_from").first()
        )


class RegulationPack(models.Model):
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"))
    short_name = models.CharField(_("short name"), max_length=40, validators=[validate_single_line])
    # The regulation: Quy định số {number} ngày {signed_on} của {issuer} về {title}.
    number = models.CharField(_("number and symbol"), max_length=40, validators=[validate_single_line])
    signed_on = models.DateField(_("signed on"))
    issuer = models.CharField(_("issued by"), max_length=120, validators=[validate_single_line])
    title = models.CharField(_("subject"), max_length=400, validators=[validate_single_line])
    # Its guidance (Hướng dẫn số … ngày … của …), if any.
    guidance_number = models.CharField(_("guidance number"), max_length=40, blank=True)
    guidance_signed_on = models.DateField(_("guidance signed on"), null=True, blank=True)
    guidance_issuer = models.CharField(_("guidance issued by"), max_length=120, blank=True)
    # {document type: {paragraph key: text with {placeholders}}} (quydinh.wording says which).
    wording = models.JSONField(_("wording of the documents"), default=dict)
    # {"branch": "12-10", "confirm": "12-20", "forward": "12-31", "request_days": 15}
    deadlines = models.JSONField(_("default deadlines"), default=dict)
    # {reminder rule code: [first days, second days or null]}
    reminder_days = models.JSONField(_("reminder days"), default=dict)
    # [{"code", "label", "kind": "exempt_meetings" | "not_introduced", "basis", "words": [...]}]
    exemption_categories = models.JSONField(_("exemption categories"), default=list)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegulationPackQuerySet.as_manager()

    class Meta:
        verbose_name = _("regulation pack")
        verbose_name_plural = _("regulation packs")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="regulation_pack_version_unique"),
            models.UniqueConstraint(
                fields=["in_force_from"],
                condition=Q(in_force_from__isnull=False),
                name="one_regulation_pack_per_day",
                violation_error_message=_("Another pack comes in force on that day."),
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="regulation_pack_version_positive"),
            models.CheckConstraint(
                condition=single_line_text("number") & single_line_text("short_name"),
                name="regulation_pack_names_clean",
            ),
            # A pack in force was checked and is used from then: it is frozen at the latest when it comes in force.
            models.CheckConstraint(
                condition=Q(in_force_from__isnull=True) | Q(frozen_at__isnull=False),
                name="regulation_pack_in_force_is_frozen",
            ),
        ]

    def __str__(self):
        return f"{self.short_name} (bản {self.version})"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def citation(self) -> str:
        """Quy định số 213-QĐ/TW ngày 02/01/2020 của Bộ Chính trị."""
        return f"Quy định số {self.number} ngày {self.signed_on:%d/%m/%Y} của {self.issuer}"

    @property
    def guidance(self) -> str:
        if not self.guidance_number:
            return ""
        day = f" ngày {self.guidance_signed_on:%d/%m/%Y}" if self.guidance_signed_on else ""
        issuer = f" của {self.guidance_issuer}" if self.guidance_issuer else ""
        return f"Hướng dẫn số {self.guidance_number}{day}{issuer}"

    @property
    def numbers(self) -> list[str]:
        """The symbols printed unbroken on documents (a line never breaks inside 213-QĐ/TW)."""
        return [n for n in (self.number, self.guidance_number) if n]

    def stamp(self) -> dict:
        """What a document's snapshot keeps of the pack it was issued under."""
        return {
            "id": self.pk,
            "code": self.code,
            "version": self.version,
            "short_name": self.short_name,
            "numbers": self.numbers,
        }

    def category(self, code: str) -> dict | None:
        return next((c for c in self.exemption_categories if c["code"] == code), None)
