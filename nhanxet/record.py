"""What the system knows of a member's year at the residence side, set beside the evaluation: the
closed meetings they were on the sheet of, with their attendance; the proposals the branch sent
about them and the notices their workplace sent. And which answers that record contradicts: such
an answer needs the branch's remark before the form can be signed, and the remark is kept.

The rules read a criterion's `evidence` (data of the criteria set) and the rank of the level
chosen (best first), so a new criteria set is checked without a code change."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.models import AttendanceStatus, MeetingKind, MeetingStatus
from common.constraints import is_year_in_range

from .models import Evidence, ProposalKind

CONCLUSION = "conclusion"  # the key of the conclusion's remark beside the criteria's codes
# Proposals that say the member fell short (the branch asked the workplace to remind or handle).
SHORTFALL = (ProposalKind.REMIND, ProposalKind.HANDLE)


@dataclass
class MeetingFact:
    day: object  # the meeting's local date
    label: str
    status: str
    status_label: str
    reason: str


@dataclass
class ProposalFact:
    kind: str
    kind_label: str
    day: object  # the local date it was sent
    facts: str


@dataclass
class NoticeFact:
    kind: str
    kind_label: str
    day: object  # its effective date
    details: str


@dataclass
class MemberRecord:
    year: int
    meetings: list = field(default_factory=list)  # [MeetingFact], oldest first
    proposals: list = field(default_factory=list)  # [ProposalFact] the branch sent on its own in the year
    notices: list = field(default_factory=list)  # [NoticeFact] from the workplace, effective in the year

    def count(self, status) -> int:
        return sum(fact.status == status for fact in self.meetings)

    @property
    def present(self) -> int:
        return self.count(AttendanceStatus.PRESENT)

    @property
    def excused(self) -> int:
        return self.count(AttendanceStatus.EXCUSED)

    @property
    def unexcused(self) -> int:
        return self.count(AttendanceStatus.UNEXCUSED)

    @property
    def shortfalls(self) -> list:
        return [p for p in self.proposals if p.kind in SHORTFALL]

    def days(self, status) -> str:
        return ", ".join(f"{fact.day:%d/%m}" for fact in self.meetings if fact.status == status)


def _meeting_label(kind: str, half: int) -> str:
    if kind == MeetingKind.PERIODIC:
        return _("periodic meeting, first half") if half == 1 else _("periodic meeting, second half")
    return _("meeting when needed")


def _local_date(moment):
    return timezone.localtime(moment).date()


def _rows_sql(count: int) -> str:
    """The three kinds of fact in one statement (the form page reads them for every member opened);
    PostgreSQL's, as the casts of its empty columns are."""
    from chibo.models import Attendance, Meeting
    from dangvien.models import ChangeNotice

    from .models import Proposal

    ids = ", ".join(["%s"] * count)
    return (
        f"SELECT 'm', a.member_id, m.starts_at, NULL::date, m.kind, m.half, a.status, a.reason, m.id"  # noqa: S608 (names from the models)
        f" FROM {Attendance._meta.db_table} a JOIN {Meeting._meta.db_table} m ON m.id = a.meeting_id"
        f" WHERE a.member_id IN ({ids}) AND m.year = %s AND m.status = %s AND a.status <> ''"
        f" UNION ALL SELECT 'p', p.member_id, p.created_at, NULL::date, p.kind, NULL, NULL, p.facts, p.id"
        f" FROM {Proposal._meta.db_table} p WHERE p.member_id IN ({ids}) AND p.evaluation_id IS NULL"
        " AND p.created_at >= %s AND p.created_at < %s"
        f" UNION ALL SELECT 'n', c.member_id, NULL::timestamptz, c.effective_date, c.kind, NULL, NULL, c.details, c.id"
        f" FROM {ChangeNotice._meta.db_table} c WHERE c.member_id IN ({ids})"
        " AND c.effective_date >= %s AND c.effective_date < %s"
        " ORDER BY 1, 3, 4, 9"
    )


def _rows_orm(ids, year, start, end):
    """The same rows through the ORM (SQLite on a laptop returns raw dates as text)."""
    from chibo.models import Attendance
    from dangvien.models import ChangeNotice

    from .models import Proposal

    for a in (
        Attendance.objects.filter(member_id__in=ids, meeting__year=year, meeting__status=MeetingStatus.CLOSED)
        .exclude(status=AttendanceStatus.UNMARKED)
        .select_related("meeting")
        .order_by("meeting__starts_at", "meeting_id")
    ):
        yield "m", a.member_id, a.meeting.starts_at, None, a.meeting.kind, a.meeting.half, a.status, a.reason
    for p in Proposal.objects.filter(
        member_id__in=ids, evaluation__isnull=True, created_at__gte=start, created_at__lt=end
    ).order_by("created_at", "pk"):
        yield "p", p.member_id, p.created_at, None, p.kind, None, None, p.facts
    for c in ChangeNotice.objects.filter(member_id__in=ids, effective_date__year=year).order_by("effective_date", "pk"):
        yield "n", c.member_id, None, c.effective_date, c.kind, None, None, c.details


def member_records(member_ids, year: int) -> dict:
    """{member id: MemberRecord} of the year for members already read through a scoped selector:
    the closed meetings they were marked at, the proposals the branch sent about them on its own
    (those a forwarded form made are that form's conclusion) and the workplace's notices. One
    statement on PostgreSQL, prepared when it is for one member (the form page)."""
    import datetime

    from django.db import connection

    from common.db import execute_prepared
    from dangvien.models import ChangeKind

    from .models import ProposalKind

    ids = list(member_ids)
    records = {member_id: MemberRecord(year=year) for member_id in ids}
    if not ids or not is_year_in_range(year):  # nothing is recorded outside the years the database holds
        return records
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    if connection.vendor == "postgresql":
        params = [*ids, year, MeetingStatus.CLOSED, *ids, start, end, *ids, start.date(), end.date()]
        with connection.cursor() as cursor:
            (execute_prepared if len(ids) == 1 else lambda c, q, p: c.execute(q, p))(
                cursor, _rows_sql(len(ids)), params
            )
            rows = [row[:8] for row in cursor.fetchall()]
    else:
        rows = list(_rows_orm(ids, year, start, end))
    statuses = dict(AttendanceStatus.choices)
    proposals, changes = dict(ProposalKind.choices), dict(ChangeKind.choices)
    for what, member_id, moment, day, kind, half, status, text in rows:
        record = records[member_id]
        if what == "m":
            record.meetings.append(
                MeetingFact(_local_date(moment), _meeting_label(kind, half), status, str(statuses[status]), text)
            )
        elif what == "p":
            record.proposals.append(ProposalFact(kind, str(proposals.get(kind, kind)), _local_date(moment), text))
        else:
            record.notices.append(NoticeFact(kind, str(changes.get(kind, kind)), day, text))
    return records


def level_conflict(criterion, level: str, record: MemberRecord) -> str:
    """Why the record contradicts answering `level` to `criterion` ('' when it does not)."""
    codes = [lv["code"] for lv in criterion.levels]
    if level not in codes:
        return ""
    best, worst = level == codes[0], level == codes[-1]
    label = criterion.level_label(level)
    year = record.year
    if criterion.evidence == Evidence.ATTENDANCE:
        held = len(record.meetings)
        if best and record.unexcused:
            return _(
                "The record shows %(n)s meetings missed without reason in %(year)s (%(days)s), yet the answer is "
                "“%(level)s”."
            ) % {"n": record.unexcused, "year": year, "days": record.days(AttendanceStatus.UNEXCUSED), "level": label}
        if worst and record.present:
            return _(
                "The record shows the member present at %(n)s of %(total)s meetings in %(year)s, yet the answer is "
                "“%(level)s”."
            ) % {"n": record.present, "total": held, "year": year, "level": label}
        if not best and held and record.present == held:
            return _(
                "The record shows the member present at every meeting in %(year)s (%(n)s), yet the answer is "
                "“%(level)s”."
            ) % {"n": held, "year": year, "level": label}
    elif criterion.evidence == Evidence.CONDUCT and best and record.shortfalls:
        proposal = record.shortfalls[-1]
        return _(
            "In %(year)s the branch proposed to %(kind)s this member (%(day)s), yet the answer is “%(level)s”."
        ) % {"year": year, "kind": proposal.kind_label.lower(), "day": f"{proposal.day:%d/%m}", "level": label}
    return ""


def conclusion_conflict(conclusion: str, record: MemberRecord) -> str:
    if conclusion == "commend" and record.unexcused:
        return _(
            "The record shows %(n)s meetings missed without reason in %(year)s (%(days)s), yet the conclusion "
            "proposes commendation."
        ) % {"n": record.unexcused, "year": record.year, "days": record.days(AttendanceStatus.UNEXCUSED)}
    return ""


def conflicts(criteria, answers: dict, conclusion: str, record: MemberRecord) -> dict:
    """{criterion code or CONCLUSION: why the record contradicts the answer}, in the form's order."""
    found = {}
    for criterion in criteria:
        message = level_conflict(criterion, answers.get(criterion.code, ""), record)
        if message:
            found[criterion.code] = message
    message = conclusion_conflict(conclusion, record)
    if message:
        found[CONCLUSION] = message
    return found


def unexplained(evaluation, criteria, record: MemberRecord) -> dict:
    """The conflicts of a form that still have no remark."""
    remarks = evaluation.criterion_remarks or {}
    return {
        code: message
        for code, message in conflicts(criteria, evaluation.answers, evaluation.conclusion, record).items()
        if not (remarks.get(code) or "").strip()
    }


def checks_at_signing(evaluation, criteria, record: MemberRecord) -> list:
    """What the form keeps when signed: each answer the record contradicted, with its remark."""
    orders = {criterion.code: criterion.order for criterion in criteria}
    remarks = evaluation.criterion_remarks or {}
    return [
        {"criterion": code, "order": orders.get(code), "warning": message, "remark": remarks.get(code, "")}
        for code, message in conflicts(criteria, evaluation.answers, evaluation.conclusion, record).items()
    ]


def answer_conflicts(criteria, conclusions, record: MemberRecord) -> dict:
    """{criterion code or CONCLUSION: {level or conclusion code: why the record contradicts it}}:
    what the form page marks, so that the warning shows the moment such an answer is chosen."""
    found = {}
    for criterion in criteria:
        by_level = {lv["code"]: level_conflict(criterion, lv["code"], record) for lv in criterion.levels}
        found[criterion.code] = {code: message for code, message in by_level.items() if message}
    found[CONCLUSION] = {
        option["code"]: message for option in conclusions if (message := conclusion_conflict(option["code"], record))
    }
    return found


def summary(criterion, record: MemberRecord) -> str:
    """The line beside a criterion: what the record holds for it this year ('' for none)."""
    if criterion.evidence == Evidence.ATTENDANCE:
        if not record.meetings:
            return _("No closed meeting with this member in %(year)s.") % {"year": record.year}
        text = _(
            "Meetings in %(year)s: present %(present)s, absent with reason %(excused)s, without reason %(unexcused)s."
        )
        text %= {
            "year": record.year,
            "present": record.present,
            "excused": record.excused,
            "unexcused": record.unexcused,
        }
        if record.unexcused:
            text += " " + _("Without reason: %(days)s.") % {"days": record.days(AttendanceStatus.UNEXCUSED)}
        return text
    if criterion.evidence == Evidence.CONDUCT:
        if not (record.proposals or record.notices):
            return ""  # nothing to show beside each of several criteria; the record panel says so once
        parts = [f"{p.kind_label} ({p.day:%d/%m})" for p in record.proposals] + [
            f"{n.kind_label} ({n.day:%d/%m})" for n in record.notices
        ]
        return _("In %(year)s: %(items)s.") % {"year": record.year, "items": "; ".join(parts)}
    return ""
