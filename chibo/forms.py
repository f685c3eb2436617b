from django import forms
from django.utils.translation import gettext_lazy as _

from common.text import CHANGE_REASON_MAX, validate_no_control_chars

from .models import Organization
from .permissions import can_manage_orgs


class OrganizationAdminForm(forms.ModelForm):
    """Organisation with its place in the tree; the service does the insert or move."""

    parent = forms.ModelChoiceField(
        label=_("Parent organisation"),
        queryset=Organization.objects.all(),
        required=False,
        help_text=_("Empty for a top-level organisation. Changing it moves the whole subtree."),
    )
    move_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=CHANGE_REASON_MAX,
        # The service refuses these too; checked here so the admin shows it at the field, not a 500.
        validators=[validate_no_control_chars],
    )

    class Meta:
        model = Organization
        fields = (
            "parent",
            "kind",
            "side",
            "name",
            "short_name",
            "doc_abbreviation",
            "superior_name",
            "commune",
            "is_active",
            "doc_symbol_format",
            "place_name",
            "move_reason",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["parent"] = Organization.objects.get_parent(self.instance)
        self.fields["commune"].widget = forms.NumberInput()
        self.fields["commune"].help_text = _("Official commune code (residence side). See Administrative units.")
        self.fields["commune"].error_messages["invalid_choice"] = _("There is no commune with this code.")

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if (
            parent
            and self.instance.pk
            and (parent.pk == self.instance.pk or parent.path.startswith(self.instance.path))
        ):
            raise forms.ValidationError(_("An organisation cannot be moved under itself or its own child."))
        return parent

    actor = None  # set by the admin to the requesting user

    def clean(self):
        data = super().clean()
        parent = data.get("parent")
        actor = self.actor
        if actor is not None and not actor.is_superuser:
            if parent is None:
                self.add_error("parent", _("Only a national administrator may create a top-level organisation."))
            elif not can_manage_orgs(actor, parent):
                self.add_error("parent", _("You may not add organisations under this one."))
        return data

    def _post_clean(self):
        # Model validation runs in the service; the form only parses.
        pass
