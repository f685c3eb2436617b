"""Residence-branch work: party groups, meetings, attendance, minutes, absence notices."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import hangdoi
from common.constraints import check_year, is_year_in_range, year_range_message
from common.dates import vn_date
from common.text import clean, normalize
from nhatky.services import audit_record, audit_record_many

from ..models import (
    ABSENT_STATUSES,
    AbsenceNotice,
    Attendance,
    AttendanceCorrection,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingStatus,
    Organization,
    PartyGroup,
    Role,
    Side,
)
from ..permissions import can_manage_branch, may_lead_group_in


class AttendanceConflict(Exception):
    """Someone else changed this attendance since the screen loaded it."""

    def __init__(self, attendance: Attendance):
        super().__init__("attendance changed")
        self.attendance = attendance


def _check_branch(actor, branch: Organization):
    if branch.side == Side.WORKPLACE:
        raise ValidationError(_("%(org)s is not a residence branch.") % {"org": branch.name})
    if actor is not None and not can_manage_branch(actor, branch):
        raise PermissionDenied(_("You may not manage this branch."))


def roster_links(branch: Organization, on: datetime.date | None = None):
    """The links of the working members this branch holds meetings with on a day: received or
    active, and not under an HD 33 exemption from meetings in force that day (an exemption
    that has ended, or not yet begun, does not keep anyone off the list)."""
    from dangvien.models import LinkState, ResidenceLink
    from dangvien.selectors import meeting_exemptions_on

    return (
        ResidenceLink.objects.filter(residence_branch=branch, state__in=[LinkState.RECEIVED, LinkState.ACTIVE])
        .exclude(member__in=meeting_exemptions_on(on or timezone.localdate()).values("member"))
        .order_by()
    )


# ---- groups ------------------------------------------------------------------------


def _check_leader(branch, leader):
    if leader is not None and not may_lead_group_in(leader, branch):
        raise ValidationError(
            {
                "leader": _("%(name)s has no account in this branch. Give them the group-leader role first.")
                % {"name": leader}
            }
        )


def party_group_save(*, actor, branch: Organization, name: str, leader=None, group: PartyGroup | None = None):
    """Create a party group of a residence branch, or rename it or change its leader."""
    with transaction.atomic():
        _check_branch(actor, branch)
        group = group or PartyGroup(branch=branch)
        if group.branch_id != branch.pk:
            raise PermissionDenied(_("This group belongs to another branch."))
        before = {"name": group.name, "leader": group.leader_id}
        group.name = clean(name, "name")
        _check_leader(branch, leader)
        group.leader = leader
        group.full_clean()
        group.save()
        audit_record(
            actor=actor,
            action="party_group.save",
            obj=group,
            changes={"branch": branch.pk, "before": before, "name": group.name, "leader": group.leader_id},
        )
    return group


def party_group_delete(*, actor, group: PartyGroup) -> None:
    """Remove a group; its members stay in the branch without a group."""
    from dangvien.models import ResidenceLink

    with transaction.atomic():
        _check_branch(actor, group.branch)
        moved = ResidenceLink.objects.filter(party_group=group).update(party_group=None)
        audit_record(
            actor=actor, action="party_group.delete", obj=group, changes={"name": group.name, "members": moved}
        )
        group.delete()


def members_group_set(*, actor, branch: Organization, link_ids, group: PartyGroup | None) -> int:
    """Put members of the branch into a group (or none), in bulk. A received member whom the
    branch has placed becomes active: the branch has taken them on."""
    from dangvien.models import LinkState, ResidenceLink

    try:
        link_ids = {int(pk) for pk in link_ids}
    except (TypeError, ValueError):
        raise ValidationError({"links": _("Some selected members are not in this branch.")}) from None
    if not link_ids:
        raise ValidationError({"links": _("Select at least one member.")})
    with transaction.atomic():
        _check_branch(actor, branch)
        if group is not None and group.branch_id != branch.pk:
            raise ValidationError({"group": _("This party group belongs to another branch.")})
        links = list(
            ResidenceLink.objects.select_for_update()
            .filter(pk__in=link_ids, residence_branch=branch, state__in=[LinkState.RECEIVED, LinkState.ACTIVE])
            .order_by("pk")
        )
        if len(links) != len(link_ids):
            raise ValidationError({"links": _("Some selected members are not in this branch.")})
        entries = []
        for link in links:
            entries.append((link, {"group": [link.party_group_id, group.pk if group else None], "state": link.state}))
            link.party_group = group
            if link.state == LinkState.RECEIVED:
                link.state = LinkState.ACTIVE
        ResidenceLink.objects.bulk_update(links, ["party_group", "state"])
        audit_record_many(actor=actor, action="link.group_set", entries=entries)
    return len(links)


# ---- meetings ----------------------------------------------------------------------


def half_year_bounds(year: int, half: int) -> tuple[datetime.date, datetime.date]:
    if half == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    return datetime.date(year, 7, 1), datetime.date(year, 12, 31)


def half_year_of(day: datetime.date) -> tuple[int, int]:
    return day.year, 1 if day.month <= 6 else 2


def half_year_closed(year: int, half: int, today: datetime.date | None = None) -> bool:
    """A half-year is closed once its last day plus the grace days (settings) have passed:
    its meetings are counted in reports and no new one can be put in it."""
    today = today or timezone.localdate()
    end = half_year_bounds(year, half)[1]
    return today > end + datetime.timedelta(days=settings.MEETING_HALF_YEAR_GRACE_DAYS)


def _meeting_fields(*, kind, starts_at, place, agenda, year=None, half=None) -> dict:
    errors = {}
    if kind not in MeetingKind.values:
        errors["kind"] = _("Choose the kind of meeting.")
    if starts_at is None:
        errors["starts_at"] = _("Enter the date and time of the meeting.")
    place = clean(place, "place", max_length=Meeting._meta.get_field("place").max_length)
    agenda = clean(agenda, "agenda", multiline=True)
    if not place:
        errors["place"] = _("Enter where the meeting is held.")
    if not agenda:
        errors["agenda"] = _("Enter the agenda.")
    if errors:
        raise ValidationError(errors)
    day = timezone.localtime(starts_at).date()
    check_year(day.year, field="starts_at", message=_("The date must be in a year from %(min)s to %(max)s."))
    if kind == MeetingKind.WHEN_NEEDED or not (year and half):
        year, half = half_year_of(day)
    elif not is_year_in_range(year) or half not in (1, 2):
        raise ValidationError({"half": year_range_message(_("Choose a half-year from %(min)s to %(max)s."))})
    else:
        start, end = half_year_bounds(year, half)
        grace = datetime.timedelta(days=settings.MEETING_HALF_YEAR_GRACE_DAYS)
        if not start <= day <= end + grace:
            raise ValidationError(
                {
                    "starts_at": _("The date %(day)s is not in the %(half)s half of %(year)s.")
                    % {"day": day.strftime("%d/%m/%Y"), "half": _("first") if half == 1 else _("second"), "year": year}
                }
            )
    if half_year_closed(year, half):
        raise ValidationError(
            {
                "half": _("The half-year %(half)s/%(year)s is closed: its meetings can no longer be scheduled.")
                % {"half": half, "year": year}
            }
        )
    return {"kind": kind, "starts_at": starts_at, "place": place, "agenda": agenda, "year": year, "half": half}


def meeting_schedule(
    *, actor, branch: Organization, kind: str, starts_at, place: str, agenda: str, year=None, half=None
) -> Meeting:
    """Schedule a meeting; everyone on the branch's list that day is on its attendance sheet,
    and invitations go out once the meeting is saved."""
    with transaction.atomic():
        _check_branch(actor, branch)
        fields = _meeting_fields(kind=kind, starts_at=starts_at, place=place, agenda=agenda, year=year, half=half)
        meeting = Meeting.objects.create(branch=branch, branch_path=branch.path, created_by=actor, **fields)
        added = _roster_add(meeting)
        audit_record(
            actor=actor,
            action="meeting.schedule",
            obj=meeting,
            changes={**{k: str(v) for k, v in fields.items()}, "branch": branch.pk, "members": added},
        )
        _enqueue_invitations(meeting.pk)
    return meeting


def meeting_update(*, actor, meeting: Meeting, kind: str, starts_at, place: str, agenda: str, year=None, half=None):
    """Change a scheduled meeting. A new time or place is announced again, and a printed
    invitation showing the old one is revoked (a new one takes a new number)."""
    from vanban.services import document_revoke

    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update(of=("self",)).select_related("branch", "invitation").get(pk=meeting.pk)
        )
        _check_branch(actor, meeting.branch)
        if meeting.is_closed:
            raise ValidationError(_("This meeting is closed and can no longer be changed."))
        fields = _meeting_fields(kind=kind, starts_at=starts_at, place=place, agenda=agenda, year=year, half=half)
        moved = meeting.starts_at != fields["starts_at"] or meeting.place != fields["place"]
        before = {k: str(getattr(meeting, k)) for k in fields}
        for name, value in fields.items():
            setattr(meeting, name, value)
        update = list(fields)
        if moved:
            if meeting.invitation_id:
                document_revoke(
                    actor=actor, document=meeting.invitation, reason="Thay đổi thời gian hoặc địa điểm sinh hoạt"
                )
                meeting.invitation = None
                update.append("invitation")
            meeting.invitations_sent_at = None
            update.append("invitations_sent_at")
            _enqueue_invitations(meeting.pk)
        meeting.save(update_fields=update)
        audit_record(
            actor=actor,
            action="meeting.update",
            obj=meeting,
            changes={"before": before, "after": {k: str(v) for k, v in fields.items()}, "announced_again": moved},
        )
    return meeting


def _roster_add(meeting: Meeting) -> int:
    """Attendance rows for members on the branch's list who have none yet."""
    day = timezone.localtime(meeting.starts_at).date()
    have = Attendance.objects.filter(meeting=meeting).values("member_id")
    rows = [
        Attendance(meeting=meeting, link_id=link_id, member_id=member_id)
        for link_id, member_id in roster_links(meeting.branch, day)
        .exclude(member_id__in=have)
        .values_list("pk", "member_id")
    ]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def meetings_join(link) -> int:
    """Put a member just placed in a branch on the sheets of its meetings still to come
    (called by the service that places them, inside its transaction)."""
    upcoming = Meeting.objects.filter(
        branch_id=link.residence_branch_id, status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()
    )
    added = 0
    for meeting in upcoming:
        day = timezone.localtime(meeting.starts_at).date()
        if roster_links(meeting.branch, day).filter(pk=link.pk).exists():
            added += len(
                Attendance.objects.bulk_create(
                    [Attendance(meeting=meeting, link=link, member_id=link.member_id)], ignore_conflicts=True
                )
            )
    return added


def meeting_roster_refresh(*, actor, meeting: Meeting) -> int:
    """Add members the branch took on after the meeting was scheduled (until it closes)."""
    with transaction.atomic():
        _check_branch(actor, meeting.branch)
        if meeting.is_closed:
            return 0
        added = _roster_add(meeting)
        if added:
            audit_record(actor=actor, action="meeting.roster_refresh", obj=meeting, changes={"added": added})
    return added


def attendance_mark(*, actor, meeting: Meeting, member_id: int, status: str, reason: str = "", version: int):
    """Record one member's attendance while the meeting is open.

    `version` is the one the screen showed: if someone else saved in between, nothing is
    written and AttendanceConflict carries what they saved, so no update is lost unseen.
    """
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Choose present, absent with reason or absent without reason.")})
    reason = clean(reason, "reason", max_length=Attendance._meta.get_field("reason").max_length)
    if status == AttendanceStatus.EXCUSED and not reason:
        raise ValidationError({"reason": _("Enter the reason for the absence.")})
    if status != AttendanceStatus.EXCUSED:
        reason = ""
    with transaction.atomic():
        _check_branch(actor, meeting.branch)
        row = Attendance.objects.select_for_update().filter(meeting=meeting, member_id=member_id).first()
        if row is None:
            raise ValidationError({"member": _("This member is not on this meeting's list.")})
        locked = Meeting.objects.filter(pk=meeting.pk).values_list("status", flat=True).get()
        if locked == MeetingStatus.CLOSED:
            raise ValidationError(_("The meeting is closed: change attendance with a correction and a reason."))
        if row.version != version:
            raise AttendanceConflict(row)
        before = (row.status, row.reason)
        if before == (status, reason):
            return row
        row.status, row.reason = status, reason
        row.version = F("version") + 1
        row.updated_by, row.updated_at = actor, timezone.now()
        row.save(update_fields=["status", "reason", "version", "updated_by", "updated_at"])
        row.refresh_from_db(fields=["version"])
        audit_record(
            actor=actor,
            action="attendance.mark",
            obj=row,
            changes={"meeting": meeting.pk, "member": member_id, "status": [before[0], status], "reason": reason},
        )
    return row


def _not_started_message(meeting: Meeting) -> str:
    return _("The meeting has not taken place yet (it starts at %(when)s): close it after it is held.") % {
        "when": timezone.localtime(meeting.starts_at).strftime("%H:%M %d/%m/%Y")
    }


def meeting_close(*, actor, meeting: Meeting, minutes: str, attachment=None) -> Meeting:
    """Close the meeting with its minutes (and a scan of them): attendance becomes final, each
    workplace committee with absent members gets an absence notice, repeated absences without
    reason are flagged. All of it or none: a refused close keeps no attachment either."""
    from vanban.services import signer_for

    minutes = clean(minutes, "minutes", multiline=True)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("branch__kind").get(pk=meeting.pk)
        _check_branch(actor, meeting.branch)
        if meeting.is_closed:
            raise ValidationError(_("This meeting was already closed."))
        # Before its date and time nobody can have been present or absent: no close, no absence notice.
        if not meeting.has_started:
            raise ValidationError(_not_started_message(meeting))
        if not minutes:
            raise ValidationError({"minutes": _("Write the minutes before closing the meeting.")})
        rows = list(Attendance.objects.filter(meeting=meeting).select_related("member", "link__workplace_committee"))
        unmarked = [row.member.full_name for row in rows if not row.status]
        if unmarked:
            raise ValidationError(
                _("%(count)s members are not marked yet: %(names)s.")
                % {"count": len(unmarked), "names": ", ".join(unmarked[:5]) + (" …" if len(unmarked) > 5 else "")}
            )
        absent = [row for row in rows if row.status in ABSENT_STATUSES]
        signatory = signer_for(meeting.branch) if absent else None
        if attachment is not None:
            _attachment_add(actor, meeting, attachment)
        meeting.status = MeetingStatus.CLOSED
        meeting.minutes = minutes
        meeting.closed_at = timezone.now()
        meeting.closed_by = actor
        meeting.save(update_fields=["status", "minutes", "closed_at", "closed_by"])
        streaks = _streaks_update([row.link_id for row in rows])
        notices = _absence_notices_issue(actor, meeting, absent, streaks, signatory) if absent else []
        audit_record(
            actor=actor,
            action="meeting.close",
            obj=meeting,
            changes={
                "present": sum(row.status == AttendanceStatus.PRESENT for row in rows),
                "absent": len(absent),
                "notices": [notice.document.symbol for notice in notices],
            },
        )
        notice_ids = [notice.pk for notice in notices]
        _enqueue_absence_notifications(notice_ids)
    return meeting


def _streaks_update(link_ids) -> dict[int, int]:
    """Recount, for each link, the closed meetings in a row (latest first) missed without reason."""
    from dangvien.models import ResidenceLink

    history = defaultdict(list)
    rows = (
        Attendance.objects.filter(link_id__in=link_ids, meeting__status=MeetingStatus.CLOSED)
        .order_by("link_id", "-meeting__starts_at", "-meeting_id")
        .values_list("link_id", "status")
    )
    for link_id, status in rows:
        history[link_id].append(status)
    streaks = {}
    for link_id in link_ids:
        count = 0
        for status in history[link_id]:
            if status != AttendanceStatus.UNEXCUSED:
                break
            count += 1
        streaks[link_id] = count
    links = list(ResidenceLink.objects.filter(pk__in=link_ids).only("pk", "unexcused_streak"))
    changed = [link for link in links if link.unexcused_streak != streaks[link.pk]]
    for link in changed:
        link.unexcused_streak = streaks[link.pk]
    ResidenceLink.objects.bulk_update(changed, ["unexcused_streak"])
    return streaks


def _meeting_label(meeting: Meeting) -> str:
    if meeting.kind == MeetingKind.PERIODIC:
        which = "6 tháng đầu năm" if meeting.half == 1 else "6 tháng cuối năm"
        return f"buổi sinh hoạt định kỳ {which} {meeting.year}"
    return "buổi sinh hoạt"


def _when(meeting: Meeting) -> str:
    moment = timezone.localtime(meeting.starts_at)
    return f"{moment.hour:02d} giờ {moment.minute:02d}, {vn_date(moment.date())}"


def _absence_notices_issue(actor, meeting, absent, streaks, signatory) -> list[AbsenceNotice]:
    from vanban.models import DocumentType
    from vanban.services import documents_issue_many

    branch = meeting.branch
    by_committee = defaultdict(list)
    for row in absent:
        by_committee[row.link.workplace_committee].append(row)
    committees = sorted(by_committee, key=lambda org: org.path)
    items = []
    for committee in committees:
        members = sorted(by_committee[committee], key=lambda row: row.member.sort_key)
        items.append(
            (
                None,
                f"Thông báo đảng viên vắng sinh hoạt tại {branch.name}",
                {
                    "doc_type_label": "THÔNG BÁO",
                    "wording": {"branch": branch.name, "workplace": committee.name},
                    "addressee": [committee.name],
                    "body": [],
                    "extra": {
                        "branch": branch.name,
                        "workplace": committee.name,
                        "meeting_label": _meeting_label(meeting),
                        "place": meeting.place,
                        "when_sentence": f"Vào lúc {_when(meeting)}",
                        "absent": [
                            {
                                "full_name": row.member.full_name,
                                "position": row.member.position,
                                "workplace_unit": row.member.workplace_unit,
                                "status_label": "vắng có lý do"
                                if row.status == AttendanceStatus.EXCUSED
                                else "vắng không có lý do",
                                "reason": row.reason,
                                "streak": streaks.get(row.link_id, 0),
                            }
                            for row in members
                        ],
                    },
                    "recipients": ["Như trên;", "Đảng ủy xã, phường (để báo cáo);", "Lưu Chi bộ."],
                },
            )
        )
    documents = documents_issue_many(
        actor=actor,
        doc_type=DocumentType.ABSENCE_NOTICE,
        issuer=branch,
        signatory=signatory,
        items=items,
    )
    return AbsenceNotice.objects.bulk_create(
        [
            AbsenceNotice(meeting=meeting, workplace_committee=committee, workplace_path=committee.path, document=doc)
            for committee, doc in zip(committees, documents, strict=True)
        ]
    )


def attendance_correct(*, actor, meeting: Meeting, member_id: int, status: str, reason: str = "", why: str):
    """Change attendance after the meeting closed: only with a reason, kept as history."""
    why = clean(why, "why", multiline=True)
    reason = clean(reason, "reason", max_length=Attendance._meta.get_field("reason").max_length)
    errors = {}
    if status not in (AttendanceStatus.PRESENT, *ABSENT_STATUSES):
        errors["status"] = _("Choose present, absent with reason or absent without reason.")
    if status == AttendanceStatus.EXCUSED and not reason:
        errors["reason"] = _("Enter the reason for the absence.")
    if not why:
        errors["why"] = _("Say why the attendance is corrected.")
    if errors:
        raise ValidationError(errors)
    if status != AttendanceStatus.EXCUSED:
        reason = ""
    with transaction.atomic():
        _check_branch(actor, meeting.branch)
        row = Attendance.objects.select_for_update().filter(meeting=meeting, member_id=member_id).first()
        if row is None:
            raise ValidationError({"member": _("This member is not on this meeting's list.")})
        if not Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.CLOSED).exists():
            raise ValidationError(_("The meeting is still open: mark attendance on the attendance screen."))
        if (row.status, row.reason) == (status, reason):
            raise ValidationError({"status": _("This is already the recorded attendance.")})
        correction = AttendanceCorrection.objects.create(
            attendance=row,
            old_status=row.status,
            old_reason=row.reason,
            new_status=status,
            new_reason=reason,
            reason=why,
            corrected_by=actor,
        )
        row.status, row.reason = status, reason
        row.version = F("version") + 1
        row.updated_by, row.updated_at = actor, timezone.now()
        row.save(update_fields=["status", "reason", "version", "updated_by", "updated_at"])
        _streaks_update([row.link_id])
        audit_record(
            actor=actor,
            action="attendance.correct",
            obj=row,
            changes={
                "meeting": meeting.pk,
                "member": member_id,
                "status": [correction.old_status, status],
                "reason": reason,
                "why": why,
            },
        )
    return correction


def _attachment_add(actor, meeting: Meeting, upload) -> MeetingAttachment:
    """Keep a scan or photo with the minutes (PDF or image, checked and stored privately under
    its hash, so a retried close stores the same file once)."""
    from vanban.uploads import store_scan

    try:
        path = store_scan(upload)
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from None
    # The name the user gave is shown, never used in a path.
    attachment = MeetingAttachment.objects.create(
        meeting=meeting, name=normalize(upload.name or "")[:200], path=path, uploaded_by=actor
    )
    audit_record(actor=actor, action="meeting.attach", obj=meeting, changes={"file": attachment.name})
    return attachment


def meeting_invitation_issue(*, actor, meeting: Meeting):
    """The printable invitation (giấy mời) of the meeting: issued once, numbered by the branch."""
    from vanban.models import DocumentType
    from vanban.services import document_issue, signer_for

    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("branch__kind").get(pk=meeting.pk)
        _check_branch(actor, meeting.branch)
        if meeting.invitation_id:
            return meeting.invitation
        if meeting.is_closed:
            raise ValidationError(_("This meeting is closed and can no longer be changed."))
        branch = meeting.branch
        document = document_issue(
            actor=actor,
            doc_type=DocumentType.INVITATION,
            issuer=branch,
            signatory=signer_for(branch),
            subject=f"Giấy mời dự {_meeting_label(meeting)}",
            content={
                "doc_type_label": "GIẤY MỜI",
                "wording": {"branch": branch.name, "meeting": _meeting_label(meeting)},
                "subtitle": f"Dự {_meeting_label(meeting)}",
                "addressee": ["Các đồng chí tổ trưởng tổ đảng", "Các đồng chí đảng viên đang công tác"],
                "body": [],
                "extra": {
                    "branch": branch.name,
                    "meeting_label": _meeting_label(meeting),
                    "when": _when(meeting),
                    "place": meeting.place,
                    "agenda": [line for line in meeting.agenda.splitlines() if line.strip()],
                },
                "recipients": ["Như trên;", "Lưu Chi bộ."],
            },
        )
        meeting.invitation = document
        meeting.save(update_fields=["invitation"])
        audit_record(actor=actor, action="meeting.invitation", obj=meeting, changes={"symbol": document.symbol})
    return document


# ---- messages ----------------------------------------------------------------------


def _enqueue_invitations(meeting_id: int):
    """Inside the transaction that schedules or moves the meeting: sent once it commits."""
    from ..tasks import send_meeting_invitations

    hangdoi.enqueue(send_meeting_invitations, meeting_id)


def _enqueue_absence_notifications(notice_ids):
    if notice_ids:
        from ..tasks import send_absence_notifications

        hangdoi.enqueue(send_absence_notifications, notice_ids)


def meeting_invitations_send(meeting_id: int) -> int:
    """Tell group leaders (in the app, and by e-mail as they chose) and members (by their own
    e-mail) of a meeting. Runs once per schedule or change: a second run finds them sent.
    Returns how many e-mails were queued."""
    from nhacviec.services import deliveries
    from taikhoan.models import NotificationKind
    from taikhoan.services import notify_many

    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("branch").filter(pk=meeting_id).first()
        if meeting is None or meeting.invitations_sent_at or meeting.is_closed:
            return 0
        url = reverse("chibo:meeting", args=[meeting.pk])
        title = _("Invitation: meeting of %(branch)s on %(when)s") % {
            "branch": meeting.branch.name,
            "when": timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y %H:%M"),
        }
        body = _("Place: %(place)s\nAgenda:\n%(agenda)s") % {"place": meeting.place, "agenda": meeting.agenda}
        leaders = {group.leader for group in meeting.branch.party_groups.select_related("leader") if group.leader}
        stamp = timezone.localtime(meeting.starts_at).strftime("%Y%m%d%H%M")
        notify_many(
            items=[(leader, f"meeting:{meeting.pk}:{stamp}", title, body, url) for leader in leaders],
            kind=NotificationKind.MEETING,
        )
        members = [
            row.member for row in Attendance.objects.filter(meeting=meeting).select_related("member").order_by("pk")
        ]
        # Sent after the commit, each once (a key per member and time), retried if the server fails.
        queued = deliveries.member_deliveries(
            [(member, f"meeting:{meeting.pk}:{stamp}:m{member.pk}", title, body) for member in members]
        )
        deliveries.enqueue(queued)
        meeting.invitations_sent_at = timezone.now()
        meeting.save(update_fields=["invitations_sent_at"])
        audit_record(
            actor=None,
            action="meeting.invitations_sent",
            obj=meeting,
            changes={"leaders": len(leaders), "emails": len(queued)},
        )
    return len(queued)


def absence_notifications_send(notice_ids) -> int:
    """Tell the office clerks of each workplace committee addressed that its absence notice arrived."""
    from chibo.selectors import role_holders
    from taikhoan.models import NotificationKind
    from taikhoan.services import notify_many

    notices = list(AbsenceNotice.objects.filter(pk__in=notice_ids).select_related("meeting__branch", "document"))
    clerks = role_holders([notice.workplace_committee_id for notice in notices], [Role.CLERK])
    url = reverse("dangvien:workplace_inbox") + "?state=absences"
    return notify_many(
        items=[
            (
                user,
                f"absence:{notice.pk}",
                _("Absence notice %(symbol)s from %(branch)s")
                % {"symbol": notice.document.symbol, "branch": notice.meeting.branch.name},
                notice.document.subject,
                url,
            )
            for notice in notices
            for user in clerks[notice.workplace_committee_id]
        ],
        kind=NotificationKind.MEETING,
    )
