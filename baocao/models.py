"""Figures for the boards' dashboards, kept per organisation and year by a periodic refresh
(baocao.services.figures_refresh): counting a province's or the nation's members on every page
view would read millions of rows; the page reads two rows instead and says when they were made."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FiguresRefresh(models.Model):
    """When a year's figures were last recomputed (the dashboard's "updated at")."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds taken"), default=0)
    organizations = models.PositiveIntegerField(_("organisations with figures"), default=0)

    class Meta:
        verbose_name = _("figures refresh")
        verbose_name_plural = _("figures refreshes")

    def __str__(self):
        return f"{self.year}: {self.computed_at:%d/%m/%Y %H:%M}"


class OrgFigures(models.Model):
    """Every figure of one organisation's subtree for one year, as {figure key: count}; an
    organisation with nothing to count has no row (all its figures are 0)."""

    organization = models.ForeignKey("chibo.Organization", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("organisation figures")
        verbose_name_plural = _("organisation figures")
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="one_figures_row_per_org_year")]

    def __str__(self):
        return f"{self.organization_id} — {self.year}"
