from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import FIELDS
from .models import CommitMode, DuplicatePolicy


class UploadForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Import into"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("Member list (.xlsx or .csv)"),
        help_text=_("The first sheet is read. Title rows above the header are skipped."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ColumnsForm(forms.Form):
    """One choice per column of the file: which field it holds, or nothing."""

    duplicates = forms.ChoiceField(
        label=_("Members already in the system"), choices=DuplicatePolicy.choices, widget=forms.RadioSelect
    )
    mode = forms.ChoiceField(
        label=_("When some rows have problems"), choices=CommitMode.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —"))] + [(f.key, f.label) for f in FIELDS]
        self.columns = []
        for n, header in enumerate(job.headers):
            name = f"col_{n}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("column %(n)s") % {"n": n + 1}, choices=choices, required=False
            )
            self.initial.setdefault(name, job.mapping.get(str(n), ""))
            samples = [row[n] for row in job.sample if n < len(row) and row[n]]
            self.columns.append((n, name, header, samples[:3]))
        self.initial.setdefault("duplicates", job.duplicates)
        self.initial.setdefault("mode", job.mode)

    def column_rows(self):
        """(index, bound field, header, example values) per column of the file."""
        return [(n, self[name], header, samples) for n, name, header, samples in self.columns]

    def mapping(self) -> dict:
        return {n: self.cleaned_data.get(name, "") for n, name, _h, _s in self.columns}
