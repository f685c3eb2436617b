"""The year-end quality rating the workplace records, under the rating scheme of its year.

A rating scheme is the data of one rating regulation (QĐ 124-QĐ/TW, QĐ 366-QĐ/TW, …): its
levels, best first, with the lowest score of each level's band where the regulation scores;
the groups of criteria a score is made of and their points. A year is rated under the scheme
whose first year is the latest not after it. Schemes are not part of a regulation pack: the
rating regulation changes on its own calendar (QĐ 366 came in the middle of QĐ 213's life).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.constraints import year_in_range
from common.text import validate_no_control_chars, validate_single_line

from .forms import Evaluation


class RatingSchemeQuerySet(models.QuerySet):
    def of_year(self, year: int) -> "RatingScheme | None":
        """The scheme a year is rated under: the latest whose first year is not after it."""
        return self.filter(first_year__lte=year).order_by("-first_year").first()


class RatingScheme(models.Model):
    """One rating regulation as data; frozen once a rating uses it (a change is a new scheme)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, validators=[validate_single_line])
    regulation = models.CharField(_("regulation"), max_length=300, validators=[validate_single_line])
    guidance = models.CharField(_("guidance"), max_length=300, blank=True, validators=[validate_single_line])
    first_year = models.PositiveSmallIntegerField(_("first year rated under it"), unique=True)
    # None: the regulation gives levels only (QĐ 124); else the highest score (QĐ 366: 100).
    score_max = models.PositiveSmallIntegerField(_("highest score"), null=True, blank=True)
    score_decimals = models.PositiveSmallIntegerField(_("decimal places of a score"), default=0)
    # [{"code": "general", "label": "Nhóm tiêu chí chung", "max": 30}, ...]: what a score is made of.
    groups = models.JSONField(_("groups of criteria"), default=list, blank=True)
    # [{"code": "excellent", "label": "Hoàn thành xuất sắc nhiệm vụ", "min_score": 90}, ...], best first.
    levels = models.JSONField(_("levels"), default=list)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RatingSchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating scheme")
        verbose_name_plural = _("rating schemes")
        ordering = ["first_year"]
        constraints = [
            models.CheckConstraint(condition=year_in_range("first_year"), name="rating_scheme_year_range"),
            models.CheckConstraint(condition=Q(score_decimals__lte=2), name="rating_scheme_decimals"),
            models.CheckConstraint(
                condition=Q(score_max__isnull=True) | Q(score_max__gte=1, score_max__lte=999),
                name="rating_scheme_score_max",
            ),
        ]

    def __str__(self):
        return self.short_name

    def clean(self):
        """The levels and groups as the rating page and the figures read them: levels best first,
        each a short code and a label; under a scored scheme each level's lowest score, falling
        to 0 for the last, and groups whose points add up to the highest score."""
        from django.core.exceptions import ValidationError

        levels, groups = self.levels, self.groups
        if not isinstance(levels, list) or not levels or not all(isinstance(level, dict) for level in levels):
            raise ValidationError({"levels": _("Give the levels as a list, best first.")})
        codes = [level.get("code") for level in levels]
        if not all(isinstance(code, str) and 0 < len(code) <= 20 and code.isascii() for code in codes) or len(
            set(codes)
        ) != len(codes):
            raise ValidationError({"levels": _("Each level needs its own code of at most 20 letters.")})
        if not all(isinstance(level.get("label"), str) and level["label"].strip() for level in levels):
            raise ValidationError({"levels": _("Each level needs its label.")})
        if not self.has_score:
            if groups:
                raise ValidationError({"groups": _("Groups of criteria need a highest score.")})
            return
        lows = [level.get("min_score") for level in levels]
        if not all(isinstance(low, int) and 0 <= low <= self.score_max for low in lows) or lows[-1] != 0:
            raise ValidationError(
                {"levels": _("Give each level its lowest score, from the highest score down to 0 for the last.")}
            )
        if any(higher <= lower for higher, lower in zip(lows, lows[1:], strict=False)):
            raise ValidationError(
                {"levels": _("The levels go best first: each one's lowest score is below the one before.")}
            )
        if groups:
            if not isinstance(groups, list) or not all(
                isinstance(group, dict) and group.get("code") and isinstance(group.get("max"), int) and group["max"] > 0
                for group in groups
            ):
                raise ValidationError({"groups": _("Each group needs a code and its highest points.")})
            if sum(group["max"] for group in groups) != self.score_max:
                raise ValidationError(
                    {
                        "groups": _("The groups' points add up to %(sum)s, not the highest score %(max)s.")
                        % {"sum": sum(group["max"] for group in groups), "max": self.score_max}
                    }
                )

    @property
    def has_score(self) -> bool:
        return self.score_max is not None

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def level(self, code: str) -> dict | None:
        return next((level for level in self.levels if level["code"] == code), None)

    def level_label(self, code: str) -> str:
        level = self.level(code)
        return level["label"] if level else code

    def rank(self, code: str) -> int:
        """0 for the best level; a code not of this scheme ranks after every level."""
        return next((i for i, level in enumerate(self.levels) if level["code"] == code), len(self.levels))

    def band(self, score: Decimal) -> dict:
        """The best level whose band the score reaches (levels are checked best first)."""
        for level in self.levels:
            if level.get("min_score") is None or score >= Decimal(str(level["min_score"])):
                return level
        return self.levels[-1]

    def band_text(self, code: str) -> str:
        """'from 70 to under 90 points' for a level of a scored scheme; '' otherwise."""
        from django.utils.translation import gettext

        if not self.has_score:
            return ""
        i = self.rank(code)
        if i >= len(self.levels):
            return ""
        low = self.levels[i].get("min_score")
        high = self.levels[i - 1].get("min_score") if i > 0 else None
        if low is None:
            low = 0
        if high is None:
            return gettext("from %(low)s points") % {"low": low}
        if not low:
            return gettext("under %(high)s points") % {"high": high}
        return gettext("from %(low)s to under %(high)s points") % {"low": low, "high": high}


class QualityRating(models.Model):
    """The workplace's year-end quality rating of a member, under the scheme of the year, beside the
    residence form it saw. A level below the score's band keeps the reason; above it is refused."""

    member = models.ForeignKey("dangvien.Member", on_delete=models.PROTECT, related_name="quality_ratings")
    workplace_committee = models.ForeignKey("chibo.Organization", on_delete=models.PROTECT, related_name="+")
    workplace_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    scheme = models.ForeignKey(
        RatingScheme, verbose_name=_("rating scheme"), on_delete=models.PROTECT, related_name="ratings"
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    # {"general": "27", "tasks": "58"}: the score's parts by the scheme's groups, when recorded.
    group_scores = models.JSONField(_("score by group"), default=dict, blank=True)
    level = models.CharField(_("quality rating"), max_length=20)
    lower_reason = models.TextField(
        _("why the level is below the score's band"), blank=True, validators=[validate_no_control_chars]
    )
    evaluation = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True, validators=[validate_no_control_chars])
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quality rating")
        verbose_name_plural = _("quality ratings")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="one_rating_per_member_year"),
            models.CheckConstraint(condition=year_in_range(), name="rating_year_range"),
            models.CheckConstraint(condition=~Q(level=""), name="rating_has_level"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0), name="rating_score_not_negative"),
        ]
        indexes = [models.Index(fields=["workplace_path", "year"], name="rating_workplace_idx")]

    def __str__(self):
        return f"{self.member} — {self.year}: {self.level_label}"

    @property
    def level_label(self) -> str:
        return self.scheme.level_label(self.level)
