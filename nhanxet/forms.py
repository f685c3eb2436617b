"""Forms of the evaluation pages; the services check every rule again."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quydinh.selectors import pack_in_force

from .models import PeriodScope, ProposalAction, ProposalKind, RequestPurpose

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class PeriodForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Committee"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)
    scope = forms.ChoiceField(label=_("Scope"), choices=PeriodScope.choices, initial=PeriodScope.ALL)
    branch_deadline = forms.DateField(label=_("Branches fill and sign by"), **DATE)
    confirm_deadline = forms.DateField(label=_("Communes confirm by"), **DATE)
    forward_deadline = forms.DateField(label=_("Forwarded to workplaces by"), **DATE)

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = committees
        year = timezone.localdate().year
        self.initial.setdefault("year", year)
        # The regulation's default deadlines (month-day), the committee may set its own.
        deadlines = pack_in_force().deadlines or {}
        for field, key, default in (
            ("branch_deadline", "branch", "12-10"),
            ("confirm_deadline", "confirm", "12-20"),
            ("forward_deadline", "forward", "12-31"),
        ):
            month, day = (int(part) for part in deadlines.get(key, default).split("-"))
            self.initial.setdefault(field, datetime.date(year, month, day))
        if committees.count() == 1:
            self.initial.setdefault("organization", committees.first())


class FrontMeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Met on"), **DATE)
    attendees = forms.CharField(
        label=_("Who took part"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Branch committee members and the Front committee of the neighbourhood."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}))


class RequestForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=RequestPurpose.choices)
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("Answer by"), **DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = (pack_in_force().deadlines or {}).get("request_days", 15)
        self.initial.setdefault("due_date", timezone.localdate() + datetime.timedelta(days=days))


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Proposal"), choices=ProposalKind.choices)
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 4}))


class ProposalActionForm(forms.Form):
    action = forms.ChoiceField(label=_("What was done"), choices=ProposalAction.choices)
    action_note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    """The year-end rating under `scheme`: the score (and its groups) where the scheme scores, the
    level, the reason for a level below the score's band. The numbers are read by the service, which
    gives every message; the form only carries them."""

    scheme = forms.CharField(widget=forms.HiddenInput, required=False)
    score = forms.CharField(
        label=_("Score"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "data-rating-score": ""}),
    )
    level = forms.ChoiceField(label=_("Quality rating"), widget=forms.Select(attrs={"data-rating-level": ""}))
    lower_reason = forms.CharField(
        label=_("Why the level is below the score's band"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the member is rated lower than the score reaches (a condition of the level not met)."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The service's "scheme" error is about the page, not a field the user sees.
    service_fields = {"scheme": None}

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating_scheme = scheme
        self.initial.setdefault("scheme", scheme.code)
        self.fields["level"].choices = [("", "—")] + [(level["code"], level["label"]) for level in scheme.levels]
        if not scheme.has_score:
            del self.fields["score"]
            del self.fields["lower_reason"]
            return
        self.fields["score"].label = _("Score (0 to %(top)s)") % {"top": scheme.score_max}
        group_fields = {}
        for group in scheme.groups:
            group_fields[f"group_{group['code']}"] = forms.CharField(
                label=_("%(group)s (up to %(top)s points)") % {"group": group["label"], "top": group["max"]},
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "data-rating-group": ""}),
            )
        # The groups first: the score is their sum when it is left empty.
        self.fields = {
            "scheme": self.fields["scheme"],
            **group_fields,
            **{name: field for name, field in self.fields.items() if name != "scheme"},
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "scheme": data.get("scheme") or None,
            "score": data.get("score"),
            "group_scores": {g["code"]: data.get(f"group_{g['code']}") for g in self.rating_scheme.groups},
            "level": data["level"],
            "lower_reason": data.get("lower_reason", ""),
            "notes": data.get("notes", ""),
        }
