"""Every write to members goes through here: validation, permission, audit, history."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.permissions import can_manage_members
from common.text import CHANGE_REASON_MAX, clean, normalize
from nhatky.services import audit_record, diff, snapshot

from .. import namewords
from ..models import Member

MEMBER_FIELDS = (
    "full_name",
    "gender",
    "birth_date",
    "citizen_id",
    "card_number",
    "admission_date",
    "full_membership_date",
    "status",
    "organization",
    "position",
    "workplace_unit",
    "residence_commune",
    "residence_hamlet",
    "residence_street",
    "phone",
    "email",
    "covered_213",
    "notes",
)
_LINE_FIELDS = (
    "full_name",
    "citizen_id",
    "card_number",
    "position",
    "workplace_unit",
    "residence_hamlet",
    "residence_street",
    "phone",
    "email",
)


def normalise(member: Member, *, derive: bool = True):
    """The values of a member as they are stored, for every write of members (the forms through
    member_create and member_update, the import in bulk): single-line texts NFC with single spaces,
    notes NFC, no empty card number, a phone of digits (and +), and the derived search, sort and
    organisation keys (`derive`; the import's dry run leaves them to the write)."""
    for name in _LINE_FIELDS:
        value = getattr(member, name)
        if isinstance(value, str):
            setattr(member, name, normalize(value))
    member.notes = normalize(member.notes or "", multiline=True)
    member.card_number = member.card_number or None
    member.phone = "".join(ch for ch in member.phone or "" if ch.isdigit() or ch == "+")
    if derive and member.organization_id is not None:  # none: full_clean says it is required
        member.refresh_derived()


# The fields whose own validators and choices value_problems runs (the units are looked up by
# whoever sets them; uniqueness is the caller's: full_clean for one member, the import for a file).
_VALUE_FIELDS = [Member._meta.get_field(name) for name in MEMBER_FIELDS if not Member._meta.get_field(name).is_relation]
_CHOICES = {f.attname: {c for c, _label in f.flatchoices} for f in _VALUE_FIELDS if f.choices}


def value_problems(member: Member) -> dict[str, list[str]]:
    """Member's own rules on the values it holds, by field, without a query: each given field's
    validators and choices, then Member.clean (dates in order, status and dates agreeing). An
    empty value is not checked here: what must be given is the caller's rule (a form's required
    fields, an import's required columns). The import checks thousands of rows this way, where
    full_clean would look up each row's units and uniqueness one by one."""
    problems: dict[str, list[str]] = {}
    for f in _VALUE_FIELDS:
        value = getattr(member, f.attname)
        if value in (None, ""):
            continue
        try:
            f.run_validators(value)
            if f.attname in _CHOICES and value not in _CHOICES[f.attname]:
                raise ValidationError(_("“%(value)s” is not one of the choices.") % {"value": value})
        except ValidationError as exc:
            problems.setdefault(f.name, []).extend(exc.messages)
    try:
        member.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            problems.setdefault(name, []).extend(messages)
    return problems


def _prepare(member: Member):
    normalise(member)
    member.full_clean(exclude=["org_path", "search_name", "sort_key"], validate_constraints=False)


def _check(actor, organization):
    if not can_manage_members(actor, organization):
        raise ValidationError({"organization": _("You may not manage members of this organisation.")})


def _save(member: Member):
    """Save; a race that slips past validation still ends as a field error, not a 500."""
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        text = str(exc)
        if "citizen_id" in text:
            raise ValidationError({"citizen_id": _("Another member already has this citizen ID.")}) from exc
        if "card_number" in text:
            raise ValidationError({"card_number": _("This party card number is already taken.")}) from exc
        raise


def letter_clock(member: Member, *, was_covered: bool | None = None, moved: bool = False):
    """When the member started needing an introduction letter, after a create (`was_covered`
    None) or a change: from admission for a member who arrives covered; from today for one newly
    covered or transferred in (the new workplace owes the letter); none when not covered."""
    if not member.covered_213:
        return None
    if was_covered is None:
        return member.admission_date
    if moved or not was_covered:
        return timezone.localdate()
    return member.awaiting_letter_since


def member_create(*, actor, data: dict) -> Member:
    unknown = set(data) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(unknown)
    with transaction.atomic():
        member = Member(**data)
        if member.organization_id:
            _check(actor, member.organization)
        _prepare(member)
        member.awaiting_letter_since = letter_clock(member)
        member._history_user = actor
        _save(member)
        namewords.reindex([member])
        audit_record(actor=actor, action="member.create", obj=member, changes=snapshot(member, MEMBER_FIELDS))
    return member


def member_update(*, actor, member: Member, data: dict, reason: str = "") -> Member:
    unknown = set(data) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(unknown)
    reason = clean(reason, "reason", multiline=True, max_length=CHANGE_REASON_MAX)
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
        if not can_manage_members(actor, member.organization):
            raise PermissionDenied(_("You may not manage this member."))
        before = snapshot(member, MEMBER_FIELDS)
        for name, value in data.items():
            setattr(member, name, value)
        moved = member.organization_id != before["organization"].pk
        if moved:
            _check(actor, member.organization)
        _prepare(member)
        member.awaiting_letter_since = letter_clock(member, was_covered=before["covered_213"], moved=moved)
        changes = diff(member, before, MEMBER_FIELDS)
        if changes:
            member._history_user = actor
            member._change_reason = reason
            _save(member)
            if "full_name" in changes or "organization" in changes:
                namewords.reindex([member])
            audit_record(actor=actor, action="member.update", obj=member, changes=changes, reason=reason)
    return member
