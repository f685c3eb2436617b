"""Criteria sets: the versioned criteria a regulation asks the branch to evaluate."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.text import validate_no_control_chars, validate_single_line


class CriteriaUse(models.TextChoices):
    YEARLY = "yearly", _("Yearly evaluation of working members")
    EXEMPT = "exempt", _("Members exempt from residence meetings (evaluated on request)")


class CriteriaSet(models.Model):
    """One version of the criteria a regulation asks for, held by its regulation pack (one set per
    use and pack); frozen once a form uses it. A set with no pack is an old version kept for the
    forms that used it."""

    pack = models.ForeignKey(
        "quydinh.RegulationPack",
        verbose_name=_("regulation pack"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="criteria_sets",
    )
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    regulation = models.CharField(_("regulation"), max_length=200, validators=[validate_single_line])
    use = models.CharField(_("used for"), max_length=10, choices=CriteriaUse.choices)
    # [{"code": "commend", "label": "Đề nghị biểu dương"}, ...]
    conclusions = models.JSONField(_("conclusions"), default=list)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["use", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="criteria_set_version_unique"),
            models.UniqueConstraint(
                fields=["pack", "use"], condition=Q(pack__isnull=False), name="one_criteria_set_per_pack_use"
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


class Evidence(models.TextChoices):
    """What the system records that bears on a criterion, shown beside it on the form; an answer
    the record contradicts needs a remark before the form can be signed."""

    NONE = "", _("Nothing recorded")
    ATTENDANCE = "attendance", _("The member's attendance at the branch's meetings")
    CONDUCT = "conduct", _("Proposals and notices about the member")


class Criterion(models.Model):
    """One criterion of a set, with its three (or more) levels, best first."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=40)
    text = models.TextField(_("criterion"), validators=[validate_no_control_chars])
    duty = models.CharField(_("duty (QĐ 213, Điều 2)"), max_length=40, blank=True)
    evidence = models.CharField(_("checked against"), max_length=12, choices=Evidence.choices, blank=True)
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
            models.CheckConstraint(condition=Q(evidence__in=Evidence.values), name="criterion_evidence_valid"),
        ]

    def __str__(self):
        return f"{self.order}. {self.text[:60]}"

    def level_label(self, code: str) -> str:
        return next((level["label"] for level in self.levels if level["code"] == code), "")
