"""The year-end part of a member's record, for the member page of dangvien (which sits below
nhanxet and so cannot read its models): the residence forms forwarded and the quality ratings."""

from django import template

from ..models import Evaluation, EvaluationStatus, QualityRating

register = template.Library()


@register.inclusion_tag("nhanxet/_member_year_end.html")
def member_year_end(member):
    """Per year, newest first: the rating (its scheme, score, level, why lower) and the residence
    forms forwarded to the workplace (the page is the workplace's; two queries)."""
    ratings = {r.year: r for r in QualityRating.objects.filter(member=member).select_related("scheme")}
    forms = {}
    for form in (
        Evaluation.objects.filter(member=member, is_current=True, status=EvaluationStatus.FORWARDED)
        .select_related("request", "document", "criteria_set")
        .order_by("-year", "pk")
    ):
        forms.setdefault(form.year, []).append(form)
    years = sorted(set(ratings) | set(forms), reverse=True)
    return {"rows": [(year, ratings.get(year), forms.get(year, [])) for year in years], "member": member}
