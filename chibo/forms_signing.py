from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SignerTitle


class StampForm(forms.Form):
    stamp = forms.FileField(label=_("Stamp image (PNG, JPEG or WebP; transparent PNG is best)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class SignatoryForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    title = forms.ChoiceField(label=_("Title"), choices=SignerTitle.choices)
    signature = forms.FileField(label=_("Signature image"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
