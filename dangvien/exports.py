"""The member list and the residence-contact inboxes as .xlsx."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.xlsx import Column, filters_note, rows_of, table_xlsx

from .link_selectors import ABSENCES, NOTICES
from .models import LinkState


def filters_of(form) -> str:
    """The member list's filters in words (the organisation is in the title)."""
    if not form.is_bound or not form.is_valid():
        return ""
    pairs = []
    for name in ("q", "status", "covered"):
        field, value = form.fields[name], form.cleaned_data[name]
        if value and getattr(field, "choices", None):
            value = dict(field.choices).get(value, value)
        pairs.append((field.label, value))
    return filters_note(pairs)


MEMBER_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda m: m.full_name, width=28),
    Column(gettext_lazy("Gender"), lambda m: m.get_gender_display(), width=8),
    Column(gettext_lazy("Date of birth"), lambda m: m.birth_date, width=12),
    Column(gettext_lazy("Citizen ID"), lambda m: m.citizen_id, width=15),
    Column(gettext_lazy("Party card number"), lambda m: m.card_number or "", width=14),
    Column(gettext_lazy("Admission date"), lambda m: m.admission_date, width=12),
    Column(gettext_lazy("Full-membership date"), lambda m: m.full_membership_date, width=12),
    Column(gettext_lazy("Status"), lambda m: m.get_status_display(), width=12),
    Column(gettext_lazy("Party branch"), lambda m: m.organization.name, width=34),
    Column(gettext_lazy("Position"), lambda m: m.position, width=22),
    Column(gettext_lazy("Workplace unit"), lambda m: m.workplace_unit, width=28),
    Column(gettext_lazy("Phone"), lambda m: m.phone, width=14),
    Column(gettext_lazy("Email"), lambda m: m.email, width=24),
    Column(gettext_lazy("Residence address"), lambda m: m.residence_address, width=40),
    Column(gettext_lazy("Covered by QĐ 213"), lambda m: _("yes") if m.covered_213 else "", width=10),
]


def members_xlsx(members, *, organization, notes) -> bytes:
    title = _("Members") + (f" — {organization.name}" if organization else "")
    return table_xlsx(sheet=_("Members"), title=title, notes=notes, columns=MEMBER_COLUMNS, rows=rows_of(members))


def _acknowledgement(link) -> str:
    if link.acknowledgement_id:
        return link.acknowledgement.symbol
    return _("On paper") if link.received_date else ""


LINK_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda link: link.member.full_name, width=28),
    Column(gettext_lazy("Position"), lambda link: link.member.position, width=22),
    Column(gettext_lazy("Workplace"), lambda link: link.workplace_committee.name, width=30),
    Column(gettext_lazy("Residence address"), lambda link: link.residence_address, width=40),
    Column(
        gettext_lazy("Residence branch"),
        lambda link: link.residence_branch.name if link.residence_branch_id else "",
        width=26,
    ),
    Column(gettext_lazy("Party group"), lambda link: link.party_group.name if link.party_group_id else "", width=12),
    Column(gettext_lazy("State"), lambda link: link.get_state_display(), width=18),
    Column(gettext_lazy("Letter"), lambda link: link.letter.symbol if link.letter_id else "", width=16),
    Column(gettext_lazy("Letter issued on"), lambda link: link.letter.issued_at if link.letter_id else None, width=17),
    Column(gettext_lazy("Acknowledgement"), _acknowledgement, width=16),
    Column(gettext_lazy("Date received"), lambda link: link.received_date, width=12),
]

NOTICE_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda n: n.member.full_name, width=28),
    Column(gettext_lazy("Kind of change"), lambda n: n.get_kind_display(), width=26),
    Column(gettext_lazy("Details"), lambda n: n.details, width=40),
    Column(gettext_lazy("Effective date"), lambda n: n.effective_date, width=12),
    Column(gettext_lazy("Workplace"), lambda n: n.link.workplace_committee.name, width=30),
    Column(
        gettext_lazy("Residence branch"),
        lambda n: n.link.residence_branch.name if n.link.residence_branch_id else "",
        width=26,
    ),
    Column(gettext_lazy("Notice"), lambda n: n.document.symbol if n.document_id else "", width=16),
]

# One row per member named in an absence notice: (notice, the member's line of its snapshot).
ABSENCE_COLUMNS = [
    Column(gettext_lazy("Meeting"), lambda pair: pair[0].meeting.starts_at, width=17),
    Column(gettext_lazy("Residence branch"), lambda pair: pair[0].meeting.branch.name, width=26),
    Column(gettext_lazy("Full name"), lambda pair: pair[1].get("full_name", ""), width=28),
    Column(gettext_lazy("Attendance"), lambda pair: pair[1].get("status_label", ""), width=20),
    Column(gettext_lazy("Reason"), lambda pair: pair[1].get("reason", ""), width=30),
    Column(gettext_lazy("Absent without reason in a row"), lambda pair: pair[1].get("streak", 0), width=12),
    Column(gettext_lazy("Workplace"), lambda pair: pair[0].workplace_committee.name, width=30),
    Column(gettext_lazy("Notice"), lambda pair: pair[0].document.symbol, width=16),
]


def _absent_members(notices):
    for notice in notices:
        for row in notice.document.snapshot.get("extra", {}).get("absent", []):
            yield notice, row


def inbox_xlsx(*, title: str, tab: str, state: str, rows) -> bytes:
    """An inbox tab (`tab`: the links of a state, the change notices or the absence notices)."""
    if tab == NOTICES:
        return table_xlsx(
            sheet=_("Change notices"),
            title=f"{title} — {_('Change notices')}",
            columns=NOTICE_COLUMNS,
            rows=rows_of(rows),
        )
    if tab == ABSENCES:
        return table_xlsx(
            sheet=_("Absences"),
            title=f"{title} — {_('Absences at residence meetings')}",
            columns=ABSENCE_COLUMNS,
            rows=_absent_members(rows_of(rows)),
        )
    label = LinkState(state).label if state in LinkState.values else state
    return table_xlsx(
        sheet=_("Residence contact"),
        title=title,
        notes=[filters_note([(_("State"), label)])],
        columns=LINK_COLUMNS,
        rows=rows_of(rows),
    )
