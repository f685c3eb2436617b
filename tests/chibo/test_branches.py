"""Residence-branch work through the services: groups, meetings, attendance, closing, corrections."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.models import AbsenceNotice, Attendance, AttendanceStatus, Meeting, MeetingKind, Role
from chibo.services import (
    AttendanceConflict,
    attendance_correct,
    attendance_mark,
    meeting_close,
    meeting_invitation_issue,
    meeting_schedule,
    members_group_set,
    party_group_save,
)
from dangvien.models import LinkState
from nhatky.models import AuditEvent
from taikhoan.models import Notification
from tests import factories
from tests.helpers import meeting_held, pdf_text

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, hour=19, minute=30):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=HCM)


def _schedule(branch, day=None, **overrides):
    day = day or datetime.date.today()
    fields = {
        "actor": branch["secretary"],
        "branch": branch["res"],
        "kind": MeetingKind.PERIODIC,
        "starts_at": at(day),
        "place": "Nhà văn hóa khu phố 1",
        "agenda": "Thông tin tình hình địa phương\nĐảng viên đóng góp ý kiến",
        "year": day.year,
        "half": 1 if day.month <= 6 else 2,
    }
    fields.update(overrides)
    return meeting_schedule(**fields)


def test_groups_and_bulk_move_activate_members(branch):
    group = party_group_save(actor=branch["secretary"], branch=branch["res"], name="Tổ 1", leader=branch["leader"])
    moved = members_group_set(
        actor=branch["secretary"], branch=branch["res"], link_ids=[link.pk for link in branch["links"][:3]], group=group
    )
    assert moved == 3
    for link in branch["links"][:3]:
        link.refresh_from_db()
        assert link.party_group == group and link.state == LinkState.ACTIVE
    branch["links"][3].refresh_from_db()
    assert branch["links"][3].state == LinkState.RECEIVED
    assert AuditEvent.objects.filter(action="link.group_set").count() == 3


def test_group_leader_must_have_an_account_in_the_branch(branch):
    with pytest.raises(ValidationError) as error:
        party_group_save(actor=branch["secretary"], branch=branch["res"], name="Tổ 2", leader=branch["clerk_a"])
    assert "leader" in error.value.message_dict


def test_workplace_clerk_cannot_manage_the_branch(branch):
    with pytest.raises(PermissionDenied):
        party_group_save(actor=branch["clerk_a"], branch=branch["res"], name="Tổ 1")


def test_moving_a_member_of_another_branch_is_refused_whole(branch, tree):
    from dangvien.services import letter_issue

    other = letter_issue(actor=branch["clerk_a"], member=factories.member(tree["a2"], full_name="Lê Văn Khác"))
    group = party_group_save(actor=branch["secretary"], branch=branch["res"], name="Tổ 1")
    with pytest.raises(ValidationError):
        members_group_set(
            actor=branch["secretary"], branch=branch["res"], link_ids=[branch["links"][0].pk, other.pk], group=group
        )
    branch["links"][0].refresh_from_db()
    assert branch["links"][0].party_group is None


def test_schedule_puts_everyone_on_the_sheet_and_sends_invitations(branch, django_capture_on_commit_callbacks):
    party_group_save(actor=branch["secretary"], branch=branch["res"], name="Tổ 1", leader=branch["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(branch)
    assert meeting.attendance.count() == 5
    assert Notification.objects.filter(user=branch["leader"]).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["leader@example.org", "m0@example.org"]
    # A second run of the task (a retry) sends nothing again.
    from chibo.services.branches import meeting_invitations_send

    assert meeting_invitations_send(meeting.pk) == 0
    assert len(mail.outbox) == 2


def test_exempt_members_are_not_on_the_sheet(branch):
    from dangvien.services import exemption_record

    exemption_record(
        actor=branch["clerk_a"],
        member=branch["links"][0].member,
        category="full_time_study",
        reason="Học tập trung 18 tháng",
        start_date=datetime.date.today() - datetime.timedelta(days=1),
        decided_by="Đảng ủy Sở",
    )
    meeting = _schedule(branch)
    assert not meeting.attendance.filter(member=branch["links"][0].member).exists()
    assert meeting.attendance.count() == 4


def test_meeting_in_a_closed_half_year_is_refused(branch):
    long_ago = datetime.date.today() - datetime.timedelta(days=400)
    with pytest.raises(ValidationError) as error:
        _schedule(branch, day=long_ago)
    assert "half" in error.value.message_dict
    assert not Meeting.objects.exists()


def test_date_outside_the_half_year_is_refused(branch):
    today = datetime.date.today()
    wrong_half = 2 if today.month <= 6 else 1
    with pytest.raises(ValidationError) as error:
        _schedule(branch, half=wrong_half, year=today.year + (1 if wrong_half == 1 else 0))
    assert "starts_at" in error.value.message_dict or "half" in error.value.message_dict


def _mark_all(branch, meeting, statuses):
    for row, status in zip(meeting.attendance.order_by("member__full_name"), statuses, strict=True):
        attendance_mark(
            actor=branch["secretary"],
            meeting=meeting,
            member_id=row.member_id,
            status=status,
            reason="Đi công tác" if status == AttendanceStatus.EXCUSED else "",
            version=row.version,
        )


def test_attendance_conflict_keeps_the_first_update(branch):
    meeting = _schedule(branch)
    row = meeting.attendance.first()
    second = factories.user("secretary2", roles=[(branch["res"], Role.BRANCH_SECRETARY)])
    attendance_mark(
        actor=branch["secretary"], meeting=meeting, member_id=row.member_id, status="present", version=row.version
    )
    with pytest.raises(AttendanceConflict) as conflict:
        attendance_mark(actor=second, meeting=meeting, member_id=row.member_id, status="unexcused", version=row.version)
    assert conflict.value.attendance.status == "present"
    row.refresh_from_db()
    assert row.status == "present" and row.version == 1 and row.updated_by == branch["secretary"]


def test_attendance_for_someone_not_on_the_sheet_is_refused(branch, tree):
    meeting = _schedule(branch)
    stranger = factories.member(tree["a2"], full_name="Lê Văn Ngoài")
    with pytest.raises(ValidationError) as error:
        attendance_mark(actor=branch["secretary"], meeting=meeting, member_id=stranger.pk, status="present", version=0)
    assert "member" in error.value.message_dict


def test_excused_absence_needs_a_reason(branch):
    meeting = _schedule(branch)
    row = meeting.attendance.first()
    with pytest.raises(ValidationError) as error:
        attendance_mark(
            actor=branch["secretary"], meeting=meeting, member_id=row.member_id, status="excused", version=0
        )
    assert "reason" in error.value.message_dict


def test_close_needs_everyone_marked_and_minutes(branch):
    meeting = meeting_held(_schedule(branch))
    with pytest.raises(ValidationError):
        meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản")
    _mark_all(branch, meeting, ["present"] * 5)
    with pytest.raises(ValidationError) as error:
        meeting_close(actor=branch["secretary"], meeting=meeting, minutes="  ")
    assert "minutes" in error.value.message_dict
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_close_sends_one_absence_notice_per_workplace_and_flags_repeat_absence(
    branch, django_capture_on_commit_callbacks
):
    first = _schedule(branch, day=datetime.date.today() - datetime.timedelta(days=1))
    # Thứ0 absent without reason, Thứ1 excused (workplace A); Thứ3 absent without reason (B).
    statuses = ["unexcused", "excused", "present", "unexcused", "present"]
    _mark_all(branch, first, statuses)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(actor=branch["secretary"], meeting=first, minutes="Biên bản buổi sinh hoạt")
    notices = {n.workplace_committee: n for n in AbsenceNotice.objects.select_related("document")}
    assert set(notices) == {branch["a"], branch["b"]}
    assert notices[branch["a"]].document.issuer == branch["res"]
    assert notices[branch["a"]].document.snapshot["signer"]["on_behalf"] == "T/M CHI BỘ"
    names = [row["full_name"] for row in notices[branch["a"]].document.snapshot["extra"]["absent"]]
    assert names == ["Trần Văn Thứ0", "Trần Văn Thứ1"]
    assert Notification.objects.filter(user=branch["clerk_a"], key__startswith="absence:").count() == 1
    assert Notification.objects.filter(user=branch["clerk_b"], key__startswith="absence:").count() == 1
    link0 = branch["links"][0]
    link0.refresh_from_db()
    assert link0.unexcused_streak == 1

    second = meeting_held(_schedule(branch))
    _mark_all(branch, second, statuses)
    meeting_close(actor=branch["secretary"], meeting=second, minutes="Biên bản lần hai")
    link0.refresh_from_db()
    assert link0.unexcused_streak == 2
    notice = AbsenceNotice.objects.get(meeting=second, workplace_committee=branch["a"])
    assert notice.document.snapshot["extra"]["absent"][0]["streak"] == 2

    with pytest.raises(ValidationError):
        meeting_close(actor=branch["secretary"], meeting=second, minutes="Lần nữa")
    assert AbsenceNotice.objects.filter(meeting=second).count() == 2


def test_after_closing_only_a_correction_with_reason_changes_attendance(branch):
    meeting = meeting_held(_schedule(branch))
    _mark_all(branch, meeting, ["unexcused", "present", "present", "present", "present"])
    meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản")
    row = Attendance.objects.get(meeting=meeting, member=branch["links"][0].member)
    with pytest.raises(ValidationError):
        attendance_mark(
            actor=branch["secretary"], meeting=meeting, member_id=row.member_id, status="present", version=row.version
        )
    with pytest.raises(ValidationError) as error:
        attendance_correct(
            actor=branch["secretary"], meeting=meeting, member_id=row.member_id, status="excused", why=""
        )
    assert {"reason", "why"} <= set(error.value.message_dict)
    attendance_correct(
        actor=branch["secretary"],
        meeting=meeting,
        member_id=row.member_id,
        status="excused",
        reason="Ốm, có giấy của trạm y tế",
        why="Gia đình báo muộn",
    )
    row.refresh_from_db()
    assert row.status == "excused" and row.corrections.get().old_status == "unexcused"
    branch["links"][0].refresh_from_db()
    assert branch["links"][0].unexcused_streak == 0


def test_close_without_branch_signatory_is_refused_and_nothing_changes(branch):
    branch["res"].signatories.update(is_active=False)
    meeting = meeting_held(_schedule(branch))
    _mark_all(branch, meeting, ["unexcused", "present", "present", "present", "present"])
    with pytest.raises(ValidationError):
        meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản")
    meeting.refresh_from_db()
    assert meeting.status == "scheduled" and not AbsenceNotice.objects.exists()


def test_invitation_is_issued_once(branch):
    meeting = _schedule(branch)
    first = meeting_invitation_issue(actor=branch["secretary"], meeting=meeting)
    again = meeting_invitation_issue(actor=branch["secretary"], meeting=meeting)
    assert first == again and first.symbol == "1-GM/CB"
    assert first.snapshot["extra"]["agenda"] == ["Thông tin tình hình địa phương", "Đảng viên đóng góp ý kiến"]


def _pdf_text(document) -> str:
    document.refresh_from_db()
    with document.pdf.open("rb") as handle:
        return pdf_text(handle.read())


def test_invitation_and_absence_notice_pdfs_read_back(branch, django_capture_on_commit_callbacks):
    day = datetime.date.today()
    meeting = _schedule(branch, day=day)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = meeting_invitation_issue(actor=branch["secretary"], meeting=meeting)
    text = _pdf_text(invitation)
    expected_lines = ("GIẤY MỜI", "Chi bộ khu phố 1", "19 giờ 30", "Nhà văn hóa khu phố 1", "T/M CHI BỘ")
    for expected in expected_lines:
        assert expected in text, expected
    _mark_all(branch, meeting, ["unexcused", "excused", "present", "present", "present"])
    meeting_held(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản")
    notice = AbsenceNotice.objects.get(workplace_committee=branch["a"])
    text = _pdf_text(notice.document)
    for expected in (
        "THÔNG BÁO",
        "Trần Văn Thứ0",
        "vắng không có lý do",
        "Trần Văn Thứ1",
        "vắng có lý do (Đi công tác)",
        f"ngày {day.day:02d} tháng {day.month} năm {day.year}",
    ):
        assert expected in text, expected
    assert "Trần Văn Thứ3" not in text  # B's member goes in B's notice


def test_absence_notification_goes_to_the_committee_office_not_above(branch, django_capture_on_commit_callbacks):
    province_clerk = factories.user("province_clerk", roles=[(branch["province"], Role.CLERK)])
    meeting = meeting_held(_schedule(branch))
    _mark_all(branch, meeting, ["unexcused", "present", "present", "present", "present"])
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản")
    assert Notification.objects.filter(user=branch["clerk_a"]).count() == 1
    assert not Notification.objects.filter(user=province_clerk).exists()


def test_an_ended_exemption_puts_the_member_back_on_the_sheet(branch):
    from dangvien.services import exemption_record

    today = datetime.date.today()
    exemption_record(
        actor=branch["clerk_a"],
        member=branch["links"][0].member,
        category="full_time_study",
        reason="Học tập trung 12 tháng",
        start_date=today - datetime.timedelta(days=400),
        end_date=today - datetime.timedelta(days=30),
        decided_by="Đảng ủy Sở",
    )
    meeting = _schedule(branch)
    assert meeting.attendance.filter(member=branch["links"][0].member).exists()


def test_a_member_received_after_scheduling_joins_the_coming_meeting(branch, tree):
    from dangvien.services import letter_issue, link_receive

    meeting = _schedule(branch, day=datetime.date.today() + datetime.timedelta(days=3))
    assert meeting.attendance.count() == 5
    member = factories.member(tree["a2"], full_name="Đỗ Văn Mới", commune_code=70)
    link = letter_issue(actor=branch["clerk_a"], member=member)
    link_receive(actor=branch["office"], link=link, received_date=datetime.date.today(), branch=tree["res"])
    assert meeting.attendance.filter(member=member).exists()


def test_changing_the_time_announces_again_and_revokes_the_printed_invitation(
    branch, django_capture_on_commit_callbacks
):
    from chibo.services import meeting_update

    party_group_save(actor=branch["secretary"], branch=branch["res"], name="Tổ 1", leader=branch["leader"])
    day = datetime.date.today()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(branch, day=day)
    invitation = meeting_invitation_issue(actor=branch["secretary"], meeting=meeting)
    sent = len(mail.outbox)
    fields = {
        "kind": MeetingKind.PERIODIC,
        "place": meeting.place,
        "year": meeting.year,
        "half": meeting.half,
        "starts_at": at(day),
    }
    # Same time and place, agenda typo fixed: nobody is told again, the invitation stands.
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(actor=branch["secretary"], meeting=meeting, agenda="Thông tin tình hình", **fields)
    invitation.refresh_from_db()
    assert len(mail.outbox) == sent and invitation.status == "issued"
    fields["starts_at"] = at(day, hour=20)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_update(actor=branch["secretary"], meeting=meeting, agenda="Thông tin tình hình", **fields)
    invitation.refresh_from_db()
    assert len(mail.outbox) == 2 * sent and invitation.status == "revoked" and meeting.invitation is None
    assert meeting_invitation_issue(actor=branch["secretary"], meeting=meeting).number == 2


def test_refused_close_keeps_no_attachment(branch):
    from tests.images import png_upload

    meeting = meeting_held(_schedule(branch))
    with pytest.raises(ValidationError):
        meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản", attachment=png_upload())
    assert not meeting.attachments.exists()


def test_non_numeric_member_ids_are_a_message_not_a_500(branch):
    with pytest.raises(ValidationError) as error:
        members_group_set(actor=branch["secretary"], branch=branch["res"], link_ids=["x1"], group=None)
    assert "links" in error.value.message_dict


def test_a_periodic_meeting_in_the_grace_days_after_its_half_year_is_kept(branch, settings):
    """The year-end meeting held in early January is filed under the half-year it closes (the
    database must not refuse what the service allows: it was a 500)."""
    from chibo.services.branches import half_year_bounds, half_year_of

    year, half = half_year_of(datetime.date.today())
    _start, end = half_year_bounds(year, half)
    day = end + datetime.timedelta(days=settings.MEETING_HALF_YEAR_GRACE_DAYS // 2)
    meeting = _schedule(branch, day=day, year=year, half=half)
    meeting.refresh_from_db()
    assert (meeting.year, meeting.half) == (year, half) and meeting.starts_at.date() == day


def test_a_meeting_cannot_be_closed_before_it_takes_place(branch, client):
    """Its date and time (Hà Nội time) decides: before it nobody was present or absent, so neither
    the close nor the absence notices it sends can happen; the page says when it can be closed."""
    from django.urls import reverse
    from django.utils import timezone

    from vanban.models import Document

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    coming = _schedule(branch, day=tomorrow, starts_at=at(tomorrow, 7, 0))
    _mark_all(branch, coming, ["excused", "present", "present", "unexcused", "present"])
    documents = Document.objects.count()
    with pytest.raises(ValidationError, match="chưa diễn ra"):
        meeting_close(actor=branch["secretary"], meeting=coming, minutes="Biên bản")
    coming.refresh_from_db()
    assert coming.status == "scheduled" and coming.closed_at is None and not coming.minutes
    assert not AbsenceNotice.objects.filter(meeting=coming).exists()
    assert Document.objects.count() == documents
    assert not AuditEvent.objects.filter(action="meeting.close").exists()

    # An hour from now in Hà Nội is still to come, whatever the server's own clock zone.
    soon = timezone.now() + datetime.timedelta(hours=1)
    later = _schedule(branch, day=timezone.localdate(soon), starts_at=soon, kind=MeetingKind.WHEN_NEEDED)
    assert not later.has_started
    client.force_login(branch["secretary"])
    page = client.get(reverse("chibo:meeting", args=[coming.pk])).content.decode()
    close_url = reverse("chibo:meeting_close", args=[coming.pk])
    assert 'data-testid="not-started"' in page and "07:00" in page and close_url not in page
    response = client.post(close_url, {"minutes": "Biên bản"}, follow=True)
    assert "chưa diễn ra" in response.content.decode()
    coming.refresh_from_db()
    assert coming.status == "scheduled"

    # Once its time has passed the same meeting closes and its absences are notified.
    past = timezone.now() - datetime.timedelta(minutes=1)
    Meeting.objects.filter(pk=coming.pk).update(starts_at=past)
    coming.refresh_from_db()
    assert coming.has_started
    meeting_close(actor=branch["secretary"], meeting=coming, minutes="Biên bản")
    assert AbsenceNotice.objects.filter(meeting=coming).count() == 2
