"""Forms of residence-branch work; the services check every rule again."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AttendanceStatus, MeetingKind, PartyGroup
from .selectors import group_leader_candidates

HALF_CHOICES = [(1, _("First half")), (2, _("Second half"))]


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=120)
    leader = forms.ModelChoiceField(
        label=_("Group leader"), queryset=None, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = group_leader_candidates(branch)
        self.fields["leader"].label_from_instance = lambda user: user.full_name or user.username


class MoveForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("Move to group"),
        queryset=None,
        required=False,
        empty_label=_("No group"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = PartyGroup.objects.filter(branch=branch).order_by("name")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices, initial=MeetingKind.PERIODIC)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label=_("Half-year"), choices=HALF_CHOICES, coerce=int)
    place = forms.CharField(label=_("Place"), max_length=200)
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One item a line.")
    )

    # The service's `starts_at` is this form's date and time: its errors go under the date.
    service_fields = {"starts_at": "day"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("day", "time"):
            self.fields[name].input_formats = [self.fields[name].widget.format, "%d/%m/%Y", "%H:%M:%S"]

    @classmethod
    def initial_for(cls, meeting=None):
        if meeting is None:
            today = timezone.localdate()
            return {
                "day": today,
                "time": datetime.time(19, 30),
                "year": today.year,
                "half": 1 if today.month <= 6 else 2,
            }
        moment = timezone.localtime(meeting.starts_at)
        return {
            "kind": meeting.kind,
            "day": moment.date(),
            "time": moment.time().replace(second=0, microsecond=0),
            "year": meeting.year,
            "half": meeting.half,
            "place": meeting.place,
            "agenda": meeting.agenda,
        }

    def service_data(self) -> dict:
        data = self.cleaned_data
        starts_at = timezone.make_aware(datetime.datetime.combine(data["day"], data["time"]))
        return {
            "kind": data["kind"],
            "starts_at": starts_at,
            "place": data["place"],
            "agenda": data["agenda"],
            "year": data["year"],
            "half": data["half"],
        }


class CloseForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was reported, what members raised, what was agreed."),
    )
    attachment = forms.FileField(label=_("Attachment (scan or photo of the signed minutes)"), required=False)


class CorrectionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Attendance"), choices=[c for c in AttendanceStatus.choices if c[0]], widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason for the absence"), max_length=300, required=False)
    why = forms.CharField(label=_("Why the record is corrected"), widget=forms.Textarea(attrs={"rows": 3}))
