from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.models import Organization, PartyGroup, Signatory
from chibo.selectors import signatories_active

from .forms import DateInput
from .models import ChangeKind


class _Crispy:
    submit_label = _("Save")

    def _helper(self):
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label, css_class="btn-primary btn-lg"))


class LetterForm(_Crispy, forms.Form):
    submit_label = _("Issue the introduction letter")
    signatory = forms.ModelChoiceField(label=_("Signed by"), queryset=Signatory.objects.none(), empty_label=None)
    duties = forms.CharField(label=_("Duties at work (printed on the letter)"), required=False, max_length=300)

    def __init__(self, *args, issuer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signatory"].queryset = signatories_active(issuer)
        self._helper()


class ExemptionForm(_Crispy, forms.Form):
    category = forms.ChoiceField(label=_("Category (HD 33 §1)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    decided_by = forms.CharField(label=_("Decided by"), max_length=200)

    def __init__(self, *args, **kwargs):
        from quydinh.selectors import pack_in_force

        super().__init__(*args, **kwargs)
        # The categories of the regulation in force, with the part of it each comes from.
        self.fields["category"].choices = [
            (c["code"], f"{c['label']} ({c['basis']})" if c.get("basis") else c["label"])
            for c in pack_in_force().exemption_categories
        ]
        self._helper()


class ChangeNoticeForm(_Crispy, forms.Form):
    submit_label = _("Issue the change notice")
    kind = forms.ChoiceField(label=_("What changed"), choices=ChangeKind.choices)
    effective_date = forms.DateField(label=_("Effective date"), widget=DateInput())
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class ReceiveForm(_Crispy, forms.Form):
    submit_label = _("Record receipt and send the acknowledgement")
    received_date = forms.DateField(label=_("Date received"), widget=DateInput())
    branch = forms.ModelChoiceField(label=_("Residence branch"), queryset=Organization.objects.none())
    group = forms.ModelChoiceField(label=_("Party group"), queryset=PartyGroup.objects.none(), required=False)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Organization.objects.filter(
            path__startswith=committee.path,
            depth__gt=committee.depth,
            side__in=["residence", "both"],
            is_active=True,
        ).order_by("path")
        self.fields["group"].queryset = (
            PartyGroup.objects.filter(branch__path__startswith=committee.path)
            .select_related("branch")
            .order_by("branch__path", "name")
        )
        self.fields["group"].label_from_instance = lambda g: f"{g.branch.name} — {g.name}"
        self._helper()


class ManualReceiptForm(_Crispy, forms.Form):
    submit_label = _("Record the receipt")
    received_date = forms.DateField(label=_("Date received"), widget=DateInput())
    scan = forms.FileField(label=_("Scanned acknowledgement (PDF, JPEG or PNG)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class BatchForm(forms.Form):
    signatory = forms.ModelChoiceField(
        label=_("Signed by"),
        queryset=Signatory.objects.none(),
        required=False,
        empty_label=_("The committee's secretary"),
    )
    duties = forms.CharField(label=_("Duties at work (printed on every letter)"), required=False, max_length=300)

    def __init__(self, *args, issuer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if issuer is not None:
            self.fields["signatory"].queryset = signatories_active(issuer)
        else:
            del self.fields["signatory"]


class RevokeForm(_Crispy, forms.Form):
    submit_label = _("Revoke the letter")
    reason = forms.CharField(label=_("Reason for revoking"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
