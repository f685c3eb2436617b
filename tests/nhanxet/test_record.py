"""The evaluation grounded in the record: beside each criterion what the system knows of the
member's year (meetings and attendance; proposals and notices); an answer the record contradicts
needs the branch's remark before the form is signed; the warning and the remark stay with the
form, are shown to the commune and printed on the PDF."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chibo.models import MeetingKind
from chibo.services import attendance_mark, meeting_close, meeting_schedule
from nhanxet import services
from nhanxet.models import Evaluation
from nhanxet.record import conflicts, member_records
from nhatky.models import AuditEvent
from tests.helpers import meeting_held, pdf_text

from .conftest import fill

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def _meeting(data, statuses, *, close=True, days_ago=0):
    """A meeting of the branch with the given status per member (in the links' order)."""
    today = timezone.localdate() - datetime.timedelta(days=days_ago)
    meeting = meeting_schedule(
        actor=data["secretary"],
        branch=data["res"],
        kind=MeetingKind.WHEN_NEEDED,
        starts_at=timezone.make_aware(datetime.datetime.combine(today, datetime.time(7, 0))),
        place="Nhà văn hóa khu phố 1",
        agenda="Sinh hoạt",
    )
    meeting_held(meeting) if not days_ago else None
    by_member = {link.member_id: status for link, status in zip(data["links"], statuses, strict=False)}
    for row in meeting.attendance.all():
        status = by_member.get(row.member_id, "present")
        attendance_mark(
            actor=data["secretary"],
            meeting=meeting,
            member_id=row.member_id,
            status=status,
            reason="Ốm" if status == "excused" else "",
            version=row.version,
        )
    if close:
        meeting_close(actor=data["secretary"], meeting=meeting, minutes="Biên bản")
    return meeting


@pytest.fixture
def held(period):
    """Two closed meetings this year: Thứ0 missed both without reason, Thứ1 was at both, Thứ2
    excused once; and one not closed yet (it counts for nothing)."""
    _meeting(period, ["unexcused", "present", "excused"], days_ago=2)
    _meeting(period, ["unexcused", "present", "present"], days_ago=1)
    _meeting(period, ["present", "unexcused", "unexcused"], close=False)
    return period


def _criteria(data):
    return services.criteria_of(data["period"].criteria_set)


def test_the_record_holds_closed_meetings_own_proposals_and_notices(held):
    from dangvien.services import change_notice_issue

    links = held["links"]
    services.proposal_create(actor=held["secretary"], link=links[2], kind="remind", facts="Chưa tham gia vệ sinh")
    change_notice_issue(
        actor=held["clerk_a"], member=links[2].member, kind="position", effective_date=timezone.localdate(), details=""
    )
    records = member_records([link.member_id for link in links[:3]], held["year"])
    first, second, third = (records[link.member_id] for link in links[:3])
    assert (first.present, first.excused, first.unexcused) == (0, 0, 2)
    assert (second.present, second.unexcused, len(second.meetings)) == (2, 0, 2)
    assert (third.present, third.excused) == (1, 1) and third.meetings[0].reason == "Ốm"
    assert [p.kind for p in third.proposals] == ["remind"] and [n.kind for n in third.notices] == ["position"]
    assert not first.proposals and not first.notices
    # One member alone (the form page: one prepared statement) reads the same.
    alone = member_records([links[2].member_id], held["year"])[links[2].member_id]
    assert alone == third
    assert member_records([links[2].member_id], held["year"] - 1)[links[2].member_id].meetings == []


def test_which_answers_the_record_contradicts(held):
    links, criteria = held["links"], _criteria(held)
    records = member_records([link.member_id for link in links[:3]], held["year"])
    best = {c.code: c.levels[0]["code"] for c in criteria}
    absent = conflicts(criteria, best, "commend", records[links[0].member_id])
    assert set(absent) == {"meetings", "conclusion"}
    assert "vắng không lý do 2 buổi" in absent["meetings"] and "“Tham gia đầy đủ”" in absent["meetings"]
    assert "đề nghị biểu dương" in absent["conclusion"]
    # Present at every meeting, yet "not fully" or "not at all": the record says otherwise too.
    present = records[links[1].member_id]
    assert set(conflicts(criteria, {**best, "meetings": "fair"}, "none", present)) == {"meetings"}
    assert "có mặt đủ các buổi" in conflicts(criteria, {**best, "meetings": "fair"}, "none", present)["meetings"]
    assert "có mặt 2/2 buổi" in conflicts(criteria, {**best, "meetings": "poor"}, "none", present)["meetings"]
    assert conflicts(criteria, best, "commend", present) == {}
    # A reminder the branch proposed this year against "sets a good example".
    services.proposal_create(actor=held["secretary"], link=links[1], kind="remind", facts="Chưa gương mẫu")
    present = member_records([links[1].member_id], held["year"])[links[1].member_id]
    found = conflicts(criteria, best, "none", present)
    assert set(found) == {"example", "citizen", "contact", "mobilise"}
    assert "chi bộ đã đề nghị nhắc nhở" in found["example"]
    assert conflicts(criteria, {**{c: "fair" for c in best}, "meetings": "good"}, "none", present) == {}


def test_signing_needs_a_remark_on_each_answer_the_record_contradicts(held):
    link = held["links"][0]
    form = fill(held, link, conclusion="commend", details="Tích cực")
    with pytest.raises(ValidationError) as refused:
        services.evaluations_sign(actor=held["secretary"], branch=held["res"], ids=[form.pk])
    messages = refused.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("Trần Văn Thứ0, tiêu chí 3: Hồ sơ ghi vắng không lý do 2 buổi")
    assert messages[0].endswith("Hãy ghi giải trình trước khi ký.")
    assert messages[1].startswith("Trần Văn Thứ0, kết luận, đề nghị:") or "kết luận" in messages[1]
    form.refresh_from_db()
    assert form.status == "draft" and not AuditEvent.objects.filter(action="evaluation.sign").exists()
    # A remark on one of the two is not enough.
    form = services.evaluation_save(
        actor=held["secretary"],
        link=link,
        year=held["year"],
        lock_version=form.lock_version,
        answers=form.answers,
        conclusion="commend",
        conclusion_details="Tích cực",
        criterion_remarks={"meetings": "Hai buổi trùng lịch trực cơ quan, đã báo chi ủy"},
    )
    with pytest.raises(ValidationError) as refused:
        services.evaluations_sign(actor=held["secretary"], branch=held["res"], ids=[form.pk])
    assert len(refused.value.messages) == 1 and "biểu dương" in refused.value.messages[0]
    form = services.evaluation_save(
        actor=held["secretary"],
        link=link,
        year=held["year"],
        lock_version=form.lock_version,
        answers=form.answers,
        conclusion="commend",
        conclusion_details="Tích cực",
        criterion_remarks={**form.criterion_remarks, "conclusion": "Vận động hiến đất làm đường, khu phố ghi nhận"},
    )
    signed = services.evaluations_sign(actor=held["secretary"], branch=held["res"], ids=[form.pk])[0]
    assert [(c["criterion"], c["order"], c["remark"]) for c in signed.record_checks] == [
        ("meetings", 3, "Hai buổi trùng lịch trực cơ quan, đã báo chi ủy"),
        ("conclusion", None, "Vận động hiến đất làm đường, khu phố ghi nhận"),
    ]
    assert "vắng không lý do 2 buổi" in signed.record_checks[0]["warning"]
    event = AuditEvent.objects.get(action="evaluation.sign", object_id=str(form.pk))
    assert event.changes["record_checks"] == signed.record_checks
    # A form the record agrees with keeps no check.
    agreed = fill(held, held["links"][1])
    (agreed,) = services.evaluations_sign(actor=held["secretary"], branch=held["res"], ids=[agreed.pk])
    assert agreed.record_checks == []


def test_the_form_page_shows_the_record_and_asks_for_the_remark(client, held):
    link = held["links"][0]
    url = reverse("nhanxet:form", args=[held["res"].pk, held["year"], link.pk])
    client.force_login(held["secretary"])
    page = client.get(url).content.decode()
    assert f"Sinh hoạt năm {held['year']}: có mặt 0, vắng có lý do 0, vắng không lý do 2." in page
    best = re.search(r'<input[^>]*name="c_meetings"[^>]*value="good"[^>]*>', page).group(0)
    assert "data-warning=" in best and "vắng không lý do 2 buổi" in best
    fair = re.search(r'<input[^>]*name="c_meetings"[^>]*value="fair"[^>]*>', page).group(0)
    assert "data-warning" not in fair
    assert 'data-testid="record"' in page and f"Năm {held['year']} không có đề nghị, thông báo nào" in page
    # Autosaved with a remark; an unknown criterion's remark is refused at its field.
    saved = client.post(url, {"lock_version": 0, "c_meetings": "good", "r_meetings": "Đi công tác"}, **JSON)
    assert saved.status_code == 200 and saved.json()["criterion_remarks"] == {"meetings": "Đi công tác"}
    bad = client.post(url, {"lock_version": 1, "r_nonsense": "x"}, **JSON)
    assert bad.status_code == 400 and "r_nonsense" in bad.json()["fields"]
    # Opened again: the warning and the remark are shown without waiting for a script.
    page = client.get(url).content.decode()
    box = page[page.index('data-remark-for="meetings"') :]
    box = box[: box.index("</textarea>")]
    assert "hidden" not in box.split(">")[0] and "vắng không lý do 2 buổi" in box and "Đi công tác" in box


def test_the_branch_list_marks_forms_waiting_for_a_remark(client, held):
    fill(held, held["links"][0])
    ready = fill(held, held["links"][1])
    client.force_login(held["secretary"])
    page = client.get(reverse("nhanxet:branch", args=[held["res"].pk, held["year"]])).content.decode()
    assert page.count('data-testid="needs-remarks"') == 1 and "Cần 1 giải trình" in page
    ticked = {int(pk) for pk in re.findall(r'name="forms" value="(\d+)" data-ready', page)}
    assert ticked == {ready.pk}


def test_the_commune_sees_the_remarks_and_the_pdf_prints_them(client, held, django_capture_on_commit_callbacks):
    link = held["links"][0]
    form = fill(held, link)
    form = services.evaluation_save(
        actor=held["secretary"],
        link=link,
        year=held["year"],
        lock_version=form.lock_version,
        answers=form.answers,
        conclusion="none",
        criterion_remarks={"meetings": "Trực chiến đấu ở cơ quan, có giấy xác nhận"},
    )
    services.evaluations_sign(actor=held["secretary"], branch=held["res"], ids=[form.pk])
    client.force_login(held["office"])
    page = client.get(reverse("nhanxet:commune", args=[held["commune"].pk])).content.decode()
    checks = page[page.index('data-testid="record-checks"') :]
    assert "1 nội dung trái với hồ sơ, có giải trình" in checks
    assert "Tiêu chí 3" in checks and "Trực chiến đấu ở cơ quan, có giấy xác nhận" in checks
    detail = client.get(reverse("nhanxet:evaluation", args=[form.pk])).content.decode()
    assert "Nội dung đánh giá trái với hồ sơ và giải trình của chi bộ" in detail
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluations_confirm(actor=held["office"], commune=held["commune"], ids=[form.pk])
    document = Evaluation.objects.get(pk=form.pk).document
    document.refresh_from_db()
    text = " ".join(pdf_text(document.pdf.read()).split())
    assert "Tham gia đầy đủ Giải trình: Trực chiến đấu ở cơ quan, có giấy xác nhận" in text


def test_a_correction_keeps_the_remarks_and_is_checked_again(held):
    link = held["links"][0]
    form = fill(held, link)
    form = services.evaluation_save(
        actor=held["secretary"],
        link=link,
        year=held["year"],
        lock_version=form.lock_version,
        answers=form.answers,
        conclusion="none",
        criterion_remarks={"meetings": "Đi công tác"},
    )
    signed = services.evaluations_sign(actor=held["secretary"], branch=held["res"], ids=[form.pk])[0]
    corrected = services.evaluation_correct(actor=held["secretary"], evaluation=signed, reason="Sai tên")
    assert corrected.criterion_remarks == {"meetings": "Đi công tác"} and corrected.record_checks == []
    again = services.evaluations_sign(actor=held["secretary"], branch=held["res"], ids=[corrected.pk])[0]
    assert again.record_checks[0]["remark"] == "Đi công tác"
    # The first form's time is measured; a correction starts from a signed form, so its time is not.
    assert signed.fill_seconds is not None and again.fill_seconds is None
