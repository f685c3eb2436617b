"""Residence-branch lists as .xlsx (the meetings, the branch's members, a meeting's attendance
sheet) and the attendance sheet as a printable PDF."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.xlsx import Column, filters_note, rows_of, table_xlsx

from .models import MeetingKind, MeetingStatus

ATTENDANCE_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda row: row.member.full_name, width=28),
    Column(gettext_lazy("Group"), lambda row: row.link.party_group.name if row.link.party_group_id else "", width=16),
    Column(
        gettext_lazy("Workplace"),
        lambda row: row.member.workplace_unit or row.link.workplace_committee.name,
        width=34,
    ),
    Column(gettext_lazy("Position"), lambda row: row.member.position, width=22),
    Column(gettext_lazy("Attendance"), lambda row: row.get_status_display() if row.status else "", width=20),
    Column(gettext_lazy("Reason"), lambda row: row.reason, width=30),
]


def _title(meeting) -> str:
    moment = timezone.localtime(meeting.starts_at)
    return _("Attendance sheet — %(branch)s — %(when)s") % {
        "branch": meeting.branch.name,
        "when": f"{moment:%d/%m/%Y %H:%M}",
    }


def attendance_xlsx(meeting, rows) -> bytes:
    return table_xlsx(
        sheet=_("Attendance"),
        title=_title(meeting),
        notes=[_("Place: %(place)s") % {"place": meeting.place}],
        columns=ATTENDANCE_COLUMNS,
        rows=rows,
    )


def attendance_pdf(meeting, rows) -> bytes:
    """A plain A4 list for signing on paper (a working list, not a numbered document)."""
    import weasyprint

    html = render_to_string(
        "chibo/attendance_sheet_pdf.html",
        {
            "meeting": meeting,
            "title": _title(meeting),
            "headers": [_("No."), *(str(column.header) for column in ATTENDANCE_COLUMNS)],
            "rows": [[n, *(column.value(row) for column in ATTENDANCE_COLUMNS)] for n, row in enumerate(rows, start=1)],
        },
    )
    return weasyprint.HTML(string=html).write_pdf()


def _meeting_kind(meeting) -> str:
    label = meeting.get_kind_display()
    return f"{label} {meeting.half}/{meeting.year}" if meeting.kind == MeetingKind.PERIODIC else label


MEETING_COLUMNS = [
    Column(gettext_lazy("Date and time"), lambda m: m.starts_at, width=17),
    Column(gettext_lazy("Branch"), lambda m: m.branch.name, width=30),
    Column(gettext_lazy("Kind of meeting"), _meeting_kind, width=30),
    Column(gettext_lazy("Place"), lambda m: m.place, width=28),
    Column(gettext_lazy("Present"), lambda m: m.present, width=10),
    Column(gettext_lazy("Absent"), lambda m: m.absent, width=10),
    Column(gettext_lazy("Members on the sheet"), lambda m: m.total, width=12),
    Column(gettext_lazy("Status"), lambda m: m.get_status_display(), width=14),
]


def meetings_xlsx(meetings, *, status: str) -> bytes:
    label = MeetingStatus(status).label if status in MeetingStatus.values else ""
    return table_xlsx(
        sheet=_("Meetings"),
        title=_("Meetings of the residence branches"),
        notes=[filters_note([(_("Status"), label)])],
        columns=MEETING_COLUMNS,
        rows=rows_of(meetings),
    )


BRANCH_MEMBER_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda link: link.member.full_name, width=28),
    Column(gettext_lazy("Date of birth"), lambda link: link.member.birth_date, width=12),
    Column(gettext_lazy("Position"), lambda link: link.member.position, width=22),
    Column(
        gettext_lazy("Workplace"), lambda link: link.member.workplace_unit or link.workplace_committee.name, width=34
    ),
    Column(gettext_lazy("Phone"), lambda link: link.member.phone, width=14),
    Column(gettext_lazy("Residence address"), lambda link: link.residence_address, width=40),
    Column(gettext_lazy("Group"), lambda link: link.party_group.name if link.party_group_id else "", width=14),
    Column(gettext_lazy("State"), lambda link: link.get_state_display(), width=16),
    Column(gettext_lazy("Absent without reason in a row"), lambda link: link.unexcused_streak, width=12),
    Column(gettext_lazy("Exempt from meetings"), lambda link: _("yes") if link.exempt_now else "", width=12),
]


def branch_members_xlsx(branch, links) -> bytes:
    return table_xlsx(
        sheet=_("Members"),
        title=f"{_('Working members assigned to the branch')} — {branch.name}",
        columns=BRANCH_MEMBER_COLUMNS,
        rows=rows_of(links),
    )
