"""Formality flags: signs that a residence branch's yearly evaluation was a formality, for the
boards to inspect (per branch and year, from the signed forms):

- identical remarks: forms whose free remarks are the same as another form's of the branch;
- all at the top: forms with every criterion at its best level;
- no Front meeting: forms signed before any meeting with the Front committee was recorded;
- filled too fast: forms whose first save and last change are under FORMALITY_QUICK_FILL_SECONDS apart.

A branch with at least FORMALITY_MIN_FORMS signed forms is flagged for each sign whose share of
its forms reaches the sign's threshold (settings). The refresh stores, per branch, the forms with
each sign and a flag per sign reached; added up the tree, an organisation's figure is the number
of its branches flagged."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.text import normalize
from nhanxet.models import Criterion, Evaluation, EvaluationStatus, FrontMeeting

SIGNED = (EvaluationStatus.SIGNED, EvaluationStatus.CONFIRMED, EvaluationStatus.FORWARDED)


@dataclass(frozen=True)
class Flag:
    code: str
    label: str  # the sign, for a form
    share_setting: str

    @property
    def threshold(self) -> float:
        return getattr(settings, self.share_setting)

    @property
    def form_key(self) -> str:
        return f"formality.{self.code}"

    @property
    def branch_key(self) -> str:
        return f"flag.{self.code}"


FLAGS = [
    Flag("identical", _("free remarks identical to another form's"), "FORMALITY_IDENTICAL_REMARKS_SHARE"),
    Flag("all_top", _("every criterion at the top level"), "FORMALITY_ALL_TOP_SHARE"),
    Flag("no_front", _("signed with no meeting with the Front committee recorded"), "FORMALITY_NO_FRONT_SHARE"),
    Flag("quick", _("filled in implausibly little time"), "FORMALITY_QUICK_FILL_SHARE"),
]
BY_CODE = {flag.code: flag for flag in FLAGS}
FORMS = "formality.forms"  # signed yearly forms counted
JUDGED = "formality.judged"  # branches with enough forms to be judged


def _same_text(text: str) -> str:
    """Remarks compared as written, apart from case, spacing and closing punctuation."""
    return " ".join(normalize(text or "", multiline=True).casefold().split()).rstrip(" .;,!")


def formality_counts(ctx, leaf) -> None:
    """Add each branch's formality counts of the year to `leaf` (by the branch's path)."""
    forms = (
        Evaluation.objects.filter(is_current=True, year=ctx.year, request__isnull=True, status__in=SIGNED)
        .values_list("branch_path", "branch_id", "criteria_set_id", "answers", "remarks", "signed_at", "fill_seconds")
        .iterator(5000)
    )
    front = dict(FrontMeeting.objects.filter(year=ctx.year).values_list("branch_id", "held_on"))
    tops = {}  # criteria set → {criterion: its best level}
    quick = settings.FORMALITY_QUICK_FILL_SECONDS
    counts = defaultdict(Counter)
    remarks = defaultdict(Counter)
    for path, branch_id, set_id, answers, text, signed_at, fill_seconds in forms:
        if set_id not in tops:
            tops[set_id] = {
                code: levels[0]["code"] if levels else None
                for code, levels in Criterion.objects.filter(criteria_set_id=set_id).values_list("code", "levels")
            }
        branch = counts[path]
        branch["forms"] += 1
        answers = answers or {}
        if tops[set_id] and all(answers.get(code) == top for code, top in tops[set_id].items()):
            branch["all_top"] += 1
        held_on = front.get(branch_id)
        if held_on is None or held_on > timezone.localtime(signed_at).date():
            branch["no_front"] += 1
        if fill_seconds is not None and fill_seconds < quick:
            branch["quick"] += 1
        if same := _same_text(text):
            remarks[path][same] += 1
    for path, texts in remarks.items():
        counts[path]["identical"] = sum(n for n in texts.values() if n > 1)
    for path, branch in counts.items():
        figures = leaf[path]
        figures[FORMS] += branch["forms"]
        for flag in FLAGS:
            figures[flag.form_key] += branch[flag.code]
        if branch["forms"] >= settings.FORMALITY_MIN_FORMS:
            figures[JUDGED] += 1
            for flag in FLAGS:
                if branch[flag.code] and branch[flag.code] / branch["forms"] >= flag.threshold:
                    figures[flag.branch_key] += 1
