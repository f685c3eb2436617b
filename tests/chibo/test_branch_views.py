"""Residence-branch pages: who may see and do what, JSON attendance, exports, pinned query counts."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chibo.models import Attendance, Meeting, Role
from chibo.services import meeting_close, party_group_save
from tests import factories
from tests.chibo.test_branches import _mark_all, _schedule, at  # noqa: F401
from tests.helpers import meeting_held, pdf_text, query_count

_count = query_count


@pytest.fixture
def neighbour_secretary(tree):
    from chibo.services import organization_create

    other = organization_create(
        actor=None,
        parent=tree["commune"],
        kind=tree["res"].kind,
        side=tree["res"].side,
        name="Chi bộ khu phố 2",
        doc_abbreviation="CB",
    )
    return factories.user("secretary_kp2", roles=[(other, Role.BRANCH_SECRETARY)])


def test_branch_page_allow_and_deny(client, branch, neighbour_secretary):
    url = reverse("chibo:branch", args=[branch["res"].pk])
    for user in (branch["secretary"], branch["office"]):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "Trần Văn Thứ0" in page and 'data-testid="member-count">5<' in page
    for user in (branch["clerk_a"], neighbour_secretary, branch["leader"]):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_secretary_creates_group_and_moves_members(client, branch):
    client.force_login(branch["secretary"])
    response = client.post(
        reverse("chibo:group_new", args=[branch["res"].pk]), {"name": "Tổ 1", "leader": branch["leader"].pk}
    )
    assert response.status_code == 302
    group = branch["res"].party_groups.get()
    assert group.leader == branch["leader"]
    links = [link.pk for link in branch["links"][:2]]
    client.post(reverse("chibo:members_move", args=[branch["res"].pk]), {"links": links, "group": group.pk})
    from dangvien.models import ResidenceLink

    assert sorted(ResidenceLink.objects.filter(party_group=group).values_list("pk", flat=True)) == sorted(links)


def test_empty_group_name_is_refused_at_the_field(client, branch):
    client.force_login(branch["secretary"])
    response = client.post(reverse("chibo:group_new", args=[branch["res"].pk]), {"name": "   "})
    assert response.status_code == 200
    assert not branch["res"].party_groups.exists()


def test_workplace_clerk_cannot_post_branch_writes(client, branch):
    client.force_login(branch["clerk_a"])
    assert client.post(reverse("chibo:group_new", args=[branch["res"].pk]), {"name": "Tổ X"}).status_code == 404
    meeting = _schedule(branch)
    url = reverse("chibo:meeting_attendance", args=[meeting.pk])
    response = client.post(url, {"member": branch["links"][0].member_id, "status": "present", "version": 0})
    assert response.status_code == 404
    assert not Attendance.objects.exclude(status="").exists()


def test_schedule_form_reports_a_closed_half_year_at_the_field(client, branch):
    client.force_login(branch["secretary"])
    old = datetime.date.today() - datetime.timedelta(days=400)
    response = client.post(
        reverse("chibo:meeting_new", args=[branch["res"].pk]),
        {
            "kind": "periodic",
            "day": old.isoformat(),
            "time": "19:30",
            "year": old.year,
            "half": 1 if old.month <= 6 else 2,
            "place": "Nhà văn hóa",
            "agenda": "Thông tin",
        },
    )
    assert response.status_code == 200
    assert "đã khóa sổ" in response.content.decode() or "is closed" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_date_the_service_refuses_is_shown_under_the_date(client, branch):
    client.force_login(branch["secretary"])
    response = client.post(
        reverse("chibo:meeting_new", args=[branch["res"].pk]),
        {
            "kind": "periodic",
            "day": "9999-12-31",
            "time": "19:30",
            "year": datetime.date.today().year,
            "half": 2,
            "place": "Nhà văn hóa",
            "agenda": "Thông tin",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "day" in form.errors and not form.non_field_errors()
    assert not Meeting.objects.exists()


def test_schedule_through_the_form(client, branch):
    client.force_login(branch["secretary"])
    today = datetime.date.today()
    response = client.post(
        reverse("chibo:meeting_new", args=[branch["res"].pk]),
        {
            "kind": "periodic",
            "day": today.isoformat(),
            "time": "19:30",
            "year": today.year,
            "half": 1 if today.month <= 6 else 2,
            "place": "Nhà văn hóa khu phố 1",
            "agenda": "Thông tin tình hình\nÝ kiến đảng viên",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("chibo:meeting", args=[meeting.pk])
    assert meeting.attendance.count() == 5


def test_attendance_json_and_conflict(client, branch):
    meeting = _schedule(branch)
    member_id = branch["links"][0].member_id
    url = reverse("chibo:meeting_attendance", args=[meeting.pk])
    client.force_login(branch["secretary"])
    ok = client.post(url, {"member": member_id, "status": "present", "version": 0}).json()
    assert ok["ok"] and ok["version"] == 1
    other = factories.user("office2", roles=[(branch["commune"], Role.CLERK)])
    client.force_login(other)
    conflict = client.post(url, {"member": member_id, "status": "unexcused", "version": 0})
    assert conflict.status_code == 409
    assert conflict.json()["status"] == "present" and "secretary" in conflict.json()["error"]
    bad = client.post(url, {"member": member_id, "status": "excused", "reason": "", "version": 1})
    assert bad.status_code == 400 and bad.json()["error"]
    outsider = factories.member(branch["a2"], full_name="Lê Văn Ngoài")
    assert client.post(url, {"member": outsider.pk, "status": "present", "version": 0}).status_code == 400


def test_attendance_screen_query_count_is_fixed_for_300_members(client, branch):
    """The phone screen with 300 members runs as many queries as with 5."""

    meeting = _schedule(branch)
    url = reverse("chibo:meeting_attendance", args=[meeting.pk])
    client.force_login(branch["secretary"])
    small = _count(client, url)
    detail = reverse("chibo:meeting", args=[meeting.pk])
    small_detail = _count(client, detail)
    template = branch["links"][0]
    members = [factories.member(branch["a1"], full_name=f"Phạm Văn Số{i}", commune_code=70) for i in range(295)]
    factories.links_like(template, members, branch["res"])
    # Links made in bulk here bypass the receiving service, which adds newcomers itself.
    from chibo.services import meeting_roster_refresh

    meeting_roster_refresh(actor=branch["secretary"], meeting=meeting)
    assert meeting.attendance.count() == 300
    assert _count(client, url) == small
    assert _count(client, detail) <= small + 3
    assert _count(client, detail) == small_detail


def test_closed_meeting_shows_notice_to_the_workplace(client, branch, django_capture_on_commit_callbacks):
    meeting = meeting_held(_schedule(branch))
    _mark_all(branch, meeting, ["unexcused", "present", "present", "present", "present"])
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản")
    client.force_login(branch["clerk_a"])
    page = client.get(reverse("dangvien:workplace_inbox") + "?state=absences").content.decode()
    assert "Trần Văn Thứ0" in page and 'data-testid="count-absences">1<' in page
    notice = meeting.absence_notices.get()
    assert client.get(reverse("vanban:pdf", args=[notice.document_id])).status_code == 200
    client.force_login(branch["clerk_b"])
    page = client.get(reverse("dangvien:workplace_inbox") + "?state=absences").content.decode()
    assert "Trần Văn Thứ0" not in page
    assert client.get(reverse("vanban:pdf", args=[notice.document_id])).status_code == 404


def test_commune_sees_all_meetings_workplace_none(client, branch, neighbour_secretary):
    meeting = _schedule(branch)
    client.force_login(branch["office"])
    assert reverse("chibo:meeting", args=[meeting.pk]) in client.get(reverse("chibo:meetings")).content.decode()
    for user in (branch["clerk_a"], neighbour_secretary):
        client.force_login(user)
        assert reverse("chibo:meeting", args=[meeting.pk]) not in client.get(reverse("chibo:meetings")).content.decode()
        assert client.get(reverse("chibo:meeting", args=[meeting.pk])).status_code == 404


def test_group_leader_sees_own_group_and_upcoming_meetings(client, branch):
    from chibo.services import members_group_set

    group = party_group_save(actor=branch["secretary"], branch=branch["res"], name="Tổ 1", leader=branch["leader"])
    members_group_set(actor=branch["secretary"], branch=branch["res"], link_ids=[branch["links"][0].pk], group=group)
    meeting = _schedule(branch)
    client.force_login(branch["leader"])
    page = client.get(reverse("chibo:my_groups")).content.decode()
    assert "Trần Văn Thứ0" in page and "Trần Văn Thứ1" not in page
    assert reverse("chibo:meeting", args=[meeting.pk]) in page
    detail = client.get(reverse("chibo:meeting", args=[meeting.pk])).content.decode()
    assert "Trần Văn Thứ0" in detail and "Trần Văn Thứ1" not in detail
    assert client.get(reverse("chibo:meeting_attendance", args=[meeting.pk])).status_code == 404


def test_exports_hold_the_sheet(client, branch):
    meeting = _schedule(branch)
    _mark_all(branch, meeting, ["excused", "present", "present", "present", "unexcused"])
    client.force_login(branch["secretary"])
    response = client.get(reverse("chibo:meeting_xlsx", args=[meeting.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    assert len(rows) == 5
    assert any(r[1] == "Trần Văn Thứ0" and r[6] == "Đi công tác" for r in rows)
    pdf = client.get(reverse("chibo:meeting_pdf", args=[meeting.pk])).content
    text = pdf_text(pdf)
    assert "Danh sách điểm danh" in text and "Trần Văn Thứ4" in text and "Đi công tác" in text


def test_repeat_absence_is_flagged_on_the_member_record(client, branch):
    for day in (datetime.date.today() - datetime.timedelta(days=1), datetime.date.today()):
        meeting = meeting_held(_schedule(branch, day=day))
        _mark_all(branch, meeting, ["unexcused", "present", "present", "present", "present"])
        meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản")
    client.force_login(branch["clerk_a"])
    page = client.get(reverse("dangvien:detail", args=[branch["links"][0].member_id])).content.decode()
    assert 'data-testid="absence-flag"' in page
    client.force_login(branch["secretary"])
    page = client.get(reverse("chibo:branch", args=[branch["res"].pk])).content.decode()
    assert 'data-testid="flagged-count">1<' in page


def test_close_with_minutes_attachment_and_notification_page(client, branch, django_capture_on_commit_callbacks):
    from tests.images import png_upload

    meeting = meeting_held(_schedule(branch))
    _mark_all(branch, meeting, ["unexcused", "present", "present", "present", "present"])
    client.force_login(branch["secretary"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("chibo:meeting_close", args=[meeting.pk]),
            {"minutes": "Biên bản buổi sinh hoạt", "attachment": png_upload("bien-ban.png")},
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_closed and meeting.attachments.get().name == "bien-ban.png"
    again = client.post(reverse("chibo:meeting_close", args=[meeting.pk]), {"minutes": "Lần hai"}, follow=True)
    assert "đã được kết thúc" in again.content.decode() or "already closed" in again.content.decode()
    client.force_login(branch["clerk_a"])
    page = client.get(reverse("taikhoan:notifications")).content.decode()
    assert "Thông báo vắng sinh hoạt" in page
    notification = branch["clerk_a"].notifications.get()
    opened = client.get(reverse("taikhoan:notification_open", args=[notification.pk]))
    assert opened.status_code == 302 and "absences" in opened["Location"]
    notification.refresh_from_db()
    assert notification.read_at is not None
    client.force_login(branch["clerk_b"])
    assert client.get(reverse("taikhoan:notification_open", args=[notification.pk])).status_code == 404


def test_group_leader_page_query_count_does_not_grow_with_groups(client, branch):
    from chibo.services import members_group_set

    def add_group(n):
        group = party_group_save(
            actor=branch["secretary"], branch=branch["res"], name=f"Tổ {n}", leader=branch["leader"]
        )
        members_group_set(
            actor=branch["secretary"], branch=branch["res"], link_ids=[branch["links"][n].pk], group=group
        )

    add_group(0)
    client.force_login(branch["leader"])
    one = _count(client, reverse("chibo:my_groups"))
    add_group(1)
    add_group(2)
    assert _count(client, reverse("chibo:my_groups")) == one
    assert "Trần Văn Thứ2" in client.get(reverse("chibo:my_groups")).content.decode()


def test_group_leader_role_does_not_open_the_branch_subtree(client, branch, django_capture_on_commit_callbacks):
    """The leader sees their groups; not the branch's organisation page, the commune's
    inbox of links or the documents the branch issued."""
    from chibo.services import meeting_invitation_issue

    meeting = _schedule(branch)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = meeting_invitation_issue(actor=branch["secretary"], meeting=meeting)
    client.force_login(branch["leader"])
    assert client.get(reverse("chibo:detail", args=[branch["res"].pk])).status_code == 404
    assert client.get(reverse("vanban:pdf", args=[invitation.pk])).status_code == 404
    assert "Trần Văn Thứ0" not in client.get(reverse("dangvien:residence_inbox") + "?state=received").content.decode()
    assert client.get(reverse("taikhoan:home")).status_code == 200
