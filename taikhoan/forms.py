from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import DigestFrequency, NotificationKind


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Both are case-sensitive."),
        "inactive": _("This account is locked."),
    }


class NotificationPreferenceForm(forms.Form):
    """Which notices come by e-mail, how often, and the text channels where the server has them."""

    email_kinds = forms.MultipleChoiceField(
        label=_("Send me these notices by e-mail"),
        required=False,
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    digest = forms.ChoiceField(label=_("E-mail frequency"), choices=DigestFrequency.choices, widget=forms.RadioSelect)
    sms = forms.BooleanField(label=_("Also by SMS to my phone"), required=False)
    zalo = forms.BooleanField(label=_("Also by Zalo to my phone"), required=False)

    def __init__(self, *args, channels_configured: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for code in ("sms", "zalo"):
            if not channels_configured[code]:
                self.fields[code].disabled = True
                self.fields[code].help_text = _("Not configured on this server.")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6 digits your authenticator app shows, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
