"""Forms of the regulation pack pages; the services check every rule again and name the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from quydinh.models import REMINDER_RULES
from quydinh.wording import DOCUMENTS, REGULATION_PLACEHOLDERS

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class PackForm(forms.Form):
    """The citation, the default deadlines and the reminder days."""

    short_name = forms.CharField(label=_("Short name"), help_text=_("e.g. QĐ 213"))
    number = forms.CharField(label=_("Number and symbol"), help_text=_("e.g. 213-QĐ/TW"))
    signed_on = forms.DateField(label=_("Signed on"), **DATE)
    issuer = forms.CharField(label=_("Issued by"), help_text=_("e.g. Bộ Chính trị"))
    title = forms.CharField(
        label=_("Subject"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("What the regulation is about.")
    )
    guidance_number = forms.CharField(label=_("Guidance: number"), required=False, help_text=_("e.g. 33-HD/BTCTW"))
    guidance_signed_on = forms.DateField(label=_("Guidance: signed on"), required=False, **DATE)
    guidance_issuer = forms.CharField(label=_("Guidance: issued by"), required=False)
    deadline_branch = forms.CharField(label=_("Branches fill and sign by (month-day)"))
    deadline_confirm = forms.CharField(label=_("Communes confirm by (month-day)"))
    deadline_forward = forms.CharField(label=_("Forwarded to workplaces by (month-day)"))
    deadline_request_days = forms.CharField(label=_("Days to answer a workplace's request"))

    def __init__(self, *args, pack, **kwargs):
        initial = {
            **{name: getattr(pack, name) for name in ("short_name", "number", "signed_on", "issuer", "title")},
            **{name: getattr(pack, name) for name in ("guidance_number", "guidance_signed_on", "guidance_issuer")},
            **{f"deadline_{k}": v for k, v in (pack.deadlines or {}).items()},
        }
        for code in REMINDER_RULES:
            first, second = (pack.reminder_days or {}).get(code, [None, None])
            initial[f"reminder_{code}_first"], initial[f"reminder_{code}_second"] = first, second
        super().__init__(*args, initial=initial, **kwargs)
        for code, label in REMINDER_RULES.items():
            self.fields[f"reminder_{code}_first"] = forms.CharField(
                label=_("%(rule)s: first reminder (days)") % {"rule": label}
            )
            self.fields[f"reminder_{code}_second"] = forms.CharField(
                label=_("%(rule)s: second reminder (days, may be empty)") % {"rule": label}, required=False
            )


class WordingForm(forms.Form):
    """A text box per paragraph of each document type, with the placeholders it may use."""

    def __init__(self, *args, pack, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        for document in DOCUMENTS:
            names = []
            for paragraph in document.paragraphs:
                name = f"{document.doc_type}__{paragraph.key}"
                allowed = [
                    *(f"{{{k}}} — {v}" for k, v in paragraph.data.items()),
                    *(f"{{{k}}} — {v}" for k, v in REGULATION_PLACEHOLDERS.items()),
                ]
                required = ", ".join("{" + k + "}" for k in paragraph.data)
                self.fields[name] = forms.CharField(
                    label=paragraph.label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    initial=((pack.wording or {}).get(document.doc_type) or {}).get(paragraph.key, ""),
                    help_text=(_("Must say: %(names)s. ") % {"names": required} if required else "")
                    + _("May use: %(names)s") % {"names": "; ".join(allowed)},
                )
                names.append(name)
            self.groups.append((document, names))

    def wording(self) -> dict:
        found = {}
        for name, text in self.cleaned_data.items():
            doc_type, key = name.split("__", 1)
            found.setdefault(doc_type, {})[key] = text
        return found


class CriteriaForm(forms.Form):
    criteria = forms.CharField(
        label=_("Criteria, one per line"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace small"}),
        help_text=_(
            "code | checked against (điểm danh, đề nghị or empty) | duty | criterion | levels, best first, "
            "separated by ;"
        ),
    )
    conclusions = forms.CharField(
        label=_("Conclusions, one per line"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace small"}),
        help_text=_("code | label (commend and handle make a proposal to the workplace)"),
    )


class CategoriesForm(forms.Form):
    categories = forms.CharField(
        label=_("Exemption categories, one per line"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace small"}),
        help_text=_("code | miễn sinh hoạt or không giới thiệu | basis | category | words an import file may use"),
    )


class InForceForm(forms.Form):
    day = forms.DateField(label=_("In force from"), **DATE)
