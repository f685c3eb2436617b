from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.models import Commune
from common.text import CHANGE_REASON_MAX

from .models import Member, MemberStatus
from .services import MEMBER_FIELDS


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, **kwargs):
        super().__init__(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}, **kwargs)


class CommuneCodeField(forms.ModelChoiceField):
    """A commune chosen by its official code (the search box fills it in)."""

    default_error_messages = {
        "invalid_choice": _("There is no commune with this code. Search by name and pick one from the list."),
    }

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Commune.objects.select_related("province"),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            **kwargs,
        )

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not str(value).strip().isdigit():
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(str(value).strip())


class MemberForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=CHANGE_REASON_MAX,
        help_text=_("Kept in the member's history."),
    )
    residence_commune = CommuneCodeField(label=_("Residence commune (code)"), required=False)

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "admission_date": DateInput(),
            "full_membership_date": DateInput(),
            "citizen_id": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organizations, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: f"{'· ' * (o.depth - 1)}{o.name}"
        self.fields["status"].choices = MemberStatus.choices
        if not editing:
            del self.fields["reason"]
        if self.instance and self.instance.residence_commune_id:
            self.initial["residence_commune"] = self.instance.residence_commune_id
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Identity"),
                Div(
                    Div("full_name", css_class="col-md-6"),
                    Div("gender", css_class="col-md-2"),
                    Div("birth_date", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(Div("citizen_id", css_class="col-md-6"), Div("card_number", css_class="col-md-6"), css_class="row"),
            ),
            Fieldset(
                _("Party membership"),
                Div(
                    Div("status", css_class="col-md-4"),
                    Div("admission_date", css_class="col-md-4"),
                    Div("full_membership_date", css_class="col-md-4"),
                    css_class="row",
                ),
                "organization",
                Div(
                    Div("position", css_class="col-md-6"), Div("workplace_unit", css_class="col-md-6"), css_class="row"
                ),
                "covered_213",
            ),
            Fieldset(
                _("Residence"),
                HTML('{% include "dangvien/_commune_picker.html" %}'),
                Div(
                    Div(Field("residence_commune", wrapper_class="commune-code"), css_class="col-md-4"),
                    Div("residence_hamlet", css_class="col-md-8"),
                    css_class="row",
                ),
                "residence_street",
            ),
            Fieldset(
                _("Contact"),
                Div(Div("phone", css_class="col-md-6"), Div("email", css_class="col-md-6"), css_class="row"),
                "notes",
            ),
        )
        if editing:
            self.helper.layout.append("reason")
        self.helper.layout.append(Submit("save", _("Save"), css_class="btn-primary btn-lg"))

    def service_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}

    def _post_clean(self):
        # Model validation runs in the service (the single write path); the form only parses.
        pass


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Name without diacritics, citizen ID or card number"),
                "type": "search",
                "autocomplete": "off",
                "class": "form-control",
            }
        ),
    )
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses"))] + list(MemberStatus.choices),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    covered = forms.ChoiceField(
        label=_("QĐ 213"),
        required=False,
        choices=[
            ("", _("Covered or not")),
            ("1", _("Covered by QĐ 213")),
            ("letter", _("Covered, still without an introduction letter")),
            ("0", _("Not covered")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
