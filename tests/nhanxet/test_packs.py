"""Regulation packs: everything QĐ 213 binds as one versioned record (citation, documents'
wording, criteria, deadlines, reminder days, exemption categories). The national administrator
makes a new version, edits it while it is a draft (with a preview of each document), puts it in
force from a date; a pack in use is frozen; every change is audited. A fictional successor of
QĐ 213 runs the whole loop, and the documents issued before it stay byte for byte the same."""

import datetime
import hashlib

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from chibo.models import MeetingKind
from chibo.services import attendance_mark, meeting_close, meeting_schedule
from dangvien.services import exemption_record, letter_issue, link_receive
from nhanxet import services
from nhanxet.models import CriteriaSet, Evaluation
from nhanxet.services import packs as pack_services
from nhatky.models import AuditEvent
from quydinh.models import RegulationPack
from quydinh.selectors import pack_in_force
from quydinh.wording import resolve
from tests import factories
from tests.helpers import meeting_held, pdf_text
from vanban.rendering import render_pdf
from vanban.services import document_render

from .conftest import open_period

pytestmark = pytest.mark.django_db

SUCCESSOR_CRITERIA = (
    "example | đề nghị | Điều 2, khoản 1 | Gương mẫu về phẩm chất chính trị, đạo đức, lối sống nơi cư trú | "
    "Nêu gương tốt; Nêu gương; Chưa nêu gương\n"
    "citizen | đề nghị | Điều 2, khoản 2 | Thực hiện nghĩa vụ công dân nơi cư trú | Thực hiện tốt; Thực hiện; "
    "Chưa thực hiện đúng\n"
    "meetings | điểm danh | Điều 2, khoản 3 | Tham gia sinh hoạt định kỳ với chi bộ nơi cư trú | Tham gia đầy đủ; "
    "Tham gia chưa đầy đủ; Không tham gia\n"
    "contact | đề nghị | Điều 2, khoản 4 | Giữ mối liên hệ với chi ủy và ban công tác Mặt trận | Thường xuyên; "
    "Chưa thường xuyên; Không giữ mối liên hệ\n"
    "mobilise | đề nghị | Điều 2, khoản 5 | Vận động nhân dân tham gia xây dựng Đảng, chính quyền | Tích cực; "
    "Có tham gia; Không tham gia\n"
    "digital |  | Điều 3 | Giữ liên hệ với chi bộ qua Sổ tay đảng viên điện tử | Thường xuyên; Chưa thường xuyên; "
    "Không sử dụng"
)
CONCLUSIONS = "commend | Đề nghị biểu dương\nnone | Không có đề nghị\nhandle | Đề nghị nhắc nhở, xem xét xử lý"


def _text(document) -> str:
    document = document_render(document.pk)
    with document.pdf.open("rb") as handle:
        return " ".join(pdf_text(handle.read()).split())


def _citation(pack, **over):
    data = {
        "short_name": pack.short_name,
        "number": pack.number,
        "signed_on": pack.signed_on,
        "issuer": pack.issuer,
        "title": pack.title,
        "guidance_number": pack.guidance_number,
        "guidance_signed_on": pack.guidance_signed_on,
        "guidance_issuer": pack.guidance_issuer,
        **{f"deadline_{k}": v for k, v in pack.deadlines.items()},
        **{f"reminder_{code}_first": days[0] for code, days in pack.reminder_days.items()},
        **{f"reminder_{code}_second": days[1] for code, days in pack.reminder_days.items()},
    }
    return {**data, **over}


def successor(admin, *, day=None):
    """A fictional successor of QĐ 213 (QĐ 999-QĐ/TW), with its own wording and one more criterion,
    in force from `day` (today)."""
    current = pack_in_force()
    draft = pack_services.pack_new_version(actor=admin, pack=current)
    pack_services.pack_update(
        actor=admin,
        pack=draft,
        data=_citation(
            draft,
            short_name="QĐ 999",
            number="999-QĐ/TW",
            signed_on=datetime.date(2026, 11, 1),
            title="đảng viên đang công tác giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú "
            "(thay thế Quy định số 213-QĐ/TW)",
            guidance_number="",
            guidance_signed_on=None,
            guidance_issuer="",
            deadline_branch="12-05",
        ),
    )
    wording = {k: dict(v) for k, v in draft.wording.items()}
    wording["introduction"]["purpose"] = (
        "Về giữ mối liên hệ với chi ủy và nhân dân nơi cư trú theo {regulation} về {regulation_title}."
    )
    wording["evaluation"]["lead"] = "{branch} nhận xét đảng viên theo {regulation_short}"
    wording["absence_notice"]["closing"] = (
        "{branch} thông báo để {workplace} biết và nhắc đảng viên thực hiện Quy định số {regulation_number}."
    )
    pack_services.pack_wording_update(actor=admin, pack=draft, wording=wording)
    pack_services.pack_criteria_update(
        actor=admin, pack=draft, use="yearly", criteria=SUCCESSOR_CRITERIA, conclusions=CONCLUSIONS
    )
    return pack_services.pack_put_in_force(actor=admin, pack=draft, day=day or timezone.localdate())


def test_qd213_is_the_pack_in_force_and_words_documents_as_before(branch):
    pack = pack_in_force()
    assert (pack.code, pack.version, pack.number, pack.in_force_from) == (
        "qd213",
        1,
        "213-QĐ/TW",
        datetime.date(2020, 1, 2),
    )
    assert pack.is_frozen and {s.use for s in CriteriaSet.objects.filter(pack=pack)} == {"yearly", "exempt"}
    assert resolve(pack, "introduction")["purpose"] == (
        "Về liên hệ, tham gia sinh hoạt với cấp ủy, chi bộ và nhân dân nơi cư trú theo Quy định số 213-QĐ/TW ngày "
        "02/01/2020 của Bộ Chính trị về trách nhiệm của đảng viên đang công tác thường xuyên giữ mối liên hệ với tổ "
        "chức đảng và nhân dân nơi cư trú."
    )
    letter = branch["links"][0].letter
    assert letter.template == "introduction/v2" and letter.pack == pack
    assert letter.snapshot["pack"]["numbers"] == ["213-QĐ/TW", "33-HD/BTCTW"]
    text = _text(letter)
    assert "theo Quy định số 213-QĐ/TW ngày 02/01/2020 của Bộ Chính trị về trách nhiệm của đảng viên" in text
    assert "Đảng viên đang công tác về sinh hoạt nơi cư trú" in text
    # Every reminder rule the app sends has its days in the pack, and the pack no rule it does not send.
    from nhacviec.models import RuleCode
    from quydinh.models import REMINDER_RULES

    assert set(pack.reminder_days) == set(REMINDER_RULES) == set(RuleCode.values)


def test_a_new_version_is_a_draft_copy_edited_only_until_it_is_used(branch, admin_user):
    current = pack_in_force()
    with pytest.raises(PermissionDenied):
        pack_services.pack_new_version(actor=branch["clerk_a"], pack=current)
    with pytest.raises(ValidationError, match="không sửa được"):
        pack_services.pack_wording_update(actor=admin_user, pack=current, wording=current.wording)
    draft = pack_services.pack_new_version(actor=admin_user, pack=current)
    assert (draft.version, draft.in_force_from, draft.is_frozen, draft.wording) == (2, None, False, current.wording)
    copies = {s.use: s for s in CriteriaSet.objects.filter(pack=draft)}
    assert {use: s.criteria.count() for use, s in copies.items()} == {"yearly": 5, "exempt": 2}
    assert copies["yearly"].version == 2 and not copies["yearly"].is_frozen
    assert pack_in_force() == current  # a draft is not in force
    pack_services.pack_criteria_update(
        actor=admin_user, pack=draft, use="yearly", criteria=SUCCESSOR_CRITERIA, conclusions=CONCLUSIONS
    )
    assert copies["yearly"].criteria.count() == 6
    assert CriteriaSet.objects.get(pack=current, use="yearly").criteria.count() == 5
    actions = set(AuditEvent.objects.filter(object_type="quydinh.regulationpack").values_list("action", flat=True))
    assert actions == {"regulation_pack.new_version", "regulation_pack.criteria"}


@pytest.mark.parametrize(
    "doc_type, key, text, message",
    [
        ("invitation", "lead", "Kính mời các đồng chí đến dự {meeting}.", "Đoạn này phải có {branch}"),
        (
            "report",
            "lead",
            "Thực hiện {regulation}, {organization} báo cáo {period} ({computed_at}) {so_lieu}.",
            "Chỗ điền không có: {so_lieu}",
        ),
        ("evaluation", "lead", "{branch nhận xét", "đóng mọi dấu ngoặc"),
        # A placeholder names data, nothing more: a format or conversion could fail or grow the text.
        ("evaluation", "lead", "{branch!r} nhận xét", "đóng mọi dấu ngoặc"),
        ("evaluation", "lead", "{branch:>99999} nhận xét", "đóng mọi dấu ngoặc"),
        ("introduction", "purpose", "Theo {regulation:d}.", "đóng mọi dấu ngoặc"),
        ("introduction", "request", "   ", "Hãy viết đoạn này."),
    ],
)
def test_wording_that_would_lose_a_documents_data_is_refused_at_its_field(admin_user, doc_type, key, text, message):
    draft = pack_services.pack_new_version(actor=admin_user, pack=pack_in_force())
    wording = {k: dict(v) for k, v in draft.wording.items()}
    wording[doc_type][key] = text
    with pytest.raises(ValidationError) as refused:
        pack_services.pack_wording_update(actor=admin_user, pack=draft, wording=wording)
    assert message in " ".join(refused.value.message_dict[f"{doc_type}__{key}"])
    draft.refresh_from_db()
    assert draft.wording == pack_in_force().wording


def test_a_draft_refuses_a_deadline_not_every_year_has_and_a_reserved_criterion_code(admin_user):
    draft = pack_services.pack_new_version(actor=admin_user, pack=pack_in_force())
    with pytest.raises(ValidationError) as refused:
        pack_services.pack_update(actor=admin_user, pack=draft, data=_citation(draft, deadline_branch="02-29"))
    assert "deadline_branch" in refused.value.message_dict
    pack_services.pack_update(actor=admin_user, pack=draft, data=_citation(draft, deadline_branch="2-28"))
    draft.refresh_from_db()
    assert draft.deadlines["branch"] == "02-28"  # kept as the forms read it
    # "conclusion" names the form's conclusion in remarks and record checks: not a criterion's code.
    criteria = SUCCESSOR_CRITERIA.replace("digital |", "conclusion |")
    with pytest.raises(ValidationError) as refused:
        pack_services.pack_criteria_update(
            actor=admin_user, pack=draft, use="yearly", criteria=criteria, conclusions=CONCLUSIONS
        )
    assert "criteria" in refused.value.message_dict


def test_a_period_takes_the_pack_of_the_year_it_evaluates(branch, admin_user):
    """A successor in force from today: this year's period is under it, last year's (opened late,
    in January) under the pack that was in force when last year ended."""
    from nhanxet.services import period_open

    pack = successor(admin_user)
    year = timezone.localdate().year
    periods = {}
    for y in (year - 1, year):
        periods[y] = period_open(
            actor=branch["office"],
            organization=branch["commune"],
            year=y,
            scope="all",
            branch_deadline=datetime.date(year, 12, 10),
            confirm_deadline=datetime.date(year, 12, 20),
            forward_deadline=datetime.date(year, 12, 31),
        )
    assert periods[year].pack == pack and periods[year].criteria_set.pack == pack
    assert periods[year - 1].pack.code == "qd213" and periods[year - 1].criteria_set.criteria.count() == 5


def test_a_pack_comes_in_force_after_any_pack_already_scheduled(admin_user):
    today = timezone.localdate()
    scheduled = successor(admin_user, day=today + datetime.timedelta(days=30))
    assert pack_in_force().code == "qd213"  # not yet
    draft = pack_services.pack_new_version(actor=admin_user, pack=scheduled)
    with pytest.raises(ValidationError) as refused:
        pack_services.pack_put_in_force(actor=admin_user, pack=draft, day=today + datetime.timedelta(days=10))
    assert "day" in refused.value.message_dict
    later = pack_services.pack_put_in_force(actor=admin_user, pack=draft, day=today + datetime.timedelta(days=31))
    assert later.in_force_from == today + datetime.timedelta(days=31)


def test_putting_a_pack_in_force_checks_the_day_and_the_pack(admin_user):
    today = timezone.localdate()
    draft = pack_services.pack_new_version(actor=admin_user, pack=pack_in_force())
    for day, field in ((today - datetime.timedelta(days=1), "day"), (None, "day")):
        with pytest.raises(ValidationError) as refused:
            pack_services.pack_put_in_force(actor=admin_user, pack=draft, day=day)
        assert field in refused.value.message_dict
    RegulationPack.objects.filter(pk=draft.pk).update(wording={})
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        pack_services.pack_put_in_force(actor=admin_user, pack=draft, day=today)
    assert "wording" in refused.value.message_dict
    assert not RegulationPack.objects.get(pk=draft.pk).is_frozen
    assert pack_in_force().version == 1


def test_the_national_administrator_edits_previews_and_puts_a_pack_in_force(client, branch, admin_user):
    client.force_login(branch["clerk_a"])
    assert client.get(reverse("nhanxet:packs")).status_code == 404
    client.force_login(admin_user)
    page = client.get(reverse("nhanxet:packs")).content.decode()
    assert "QĐ 213" in page and "đang áp dụng" in page
    current = pack_in_force()
    response = client.post(reverse("nhanxet:pack_new_version", args=[current.pk]))
    draft = RegulationPack.objects.get(version=2)
    assert response["Location"] == reverse("nhanxet:pack", args=[draft.pk])
    # Wording: a placeholder left out is named at its field; nothing is saved.
    form = client.get(reverse("nhanxet:pack_wording", args=[draft.pk])).context["form"]
    data = {name: form[name].initial for name in form.fields}
    data["invitation__lead"] = "Kính mời các đồng chí dự {meeting}."
    response = client.post(reverse("nhanxet:pack_wording", args=[draft.pk]), data)
    assert "Đoạn này phải có {branch}" in response.context["form"].errors["invitation__lead"][0]
    data["invitation__lead"] = "{branch} kính mời các đồng chí dự {meeting} (theo {regulation_short})."
    assert client.post(reverse("nhanxet:pack_wording", args=[draft.pk]), data).status_code == 302
    # Criteria and categories, as lines; a bad line is named.
    url = reverse("nhanxet:pack_criteria", args=[draft.pk, "yearly"])
    response = client.post(
        url, {"criteria": "digital | vui vẻ | Điều 3 | Dùng Sổ tay | Có; Không", "conclusions": CONCLUSIONS}
    )
    assert "Dòng 1: phần đối chiếu" in response.context["form"].errors["criteria"][0]
    assert client.post(url, {"criteria": SUCCESSOR_CRITERIA, "conclusions": CONCLUSIONS}).status_code == 302
    # The preview of each document is a PDF, worded by the draft and marked as a preview.
    preview = client.get(reverse("nhanxet:pack_preview", args=[draft.pk, "invitation"]))
    assert preview["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(preview.content).split())
    assert (
        "BẢN XEM TRƯỚC" in text
        and "kính mời các đồng chí dự buổi sinh hoạt định kỳ" in text
        and "(theo QĐ 213)" in text
    )
    evaluation = " ".join(
        pdf_text(client.get(reverse("nhanxet:pack_preview", args=[draft.pk, "evaluation"])).content).split()
    )
    assert "Giữ liên hệ với chi bộ qua Sổ tay đảng viên điện tử" in evaluation
    # In force from today; then frozen, and the page says so.
    response = client.post(
        reverse("nhanxet:pack", args=[draft.pk]),
        {"day": (timezone.localdate() - datetime.timedelta(days=3)).isoformat()},
    )
    assert "áp dụng từ hôm nay trở đi" in response.context["form"].errors["day"][0]
    response = client.post(reverse("nhanxet:pack", args=[draft.pk]), {"day": timezone.localdate().isoformat()})
    assert response.status_code == 302 and pack_in_force() == draft
    page = client.get(reverse("nhanxet:pack", args=[draft.pk])).content.decode()
    assert "không sửa được nữa" in page and reverse("nhanxet:pack_wording", args=[draft.pk]) not in page
    schemes = page[page.index('data-testid="rating-schemes"') :]
    assert "Đến năm 2024: Quy định số 124-QĐ/TW" in schemes and "Từ năm 2025: Quy định số 366-QĐ/TW" in schemes
    assert (
        "không sửa được"
        in client.post(reverse("nhanxet:pack_wording", args=[draft.pk]), data).context["form"].non_field_errors()[0]
    )


def test_a_successor_of_qd213_runs_the_whole_loop_and_leaves_earlier_documents_unchanged(
    branch, admin_user, django_capture_on_commit_callbacks
):
    # Under QĐ 213: a letter issued and archived, its PDF's fingerprint stored.
    before = branch["links"][0].letter
    before = document_render(before.pk)
    old_text = _text(before)
    assert "theo Quy định số 213-QĐ/TW" in old_text

    pack = successor(admin_user)
    assert pack_in_force() == pack and pack.is_frozen
    assert CriteriaSet.objects.get(pack=pack, use="yearly").is_frozen

    # Letter: a new member introduced under QĐ 999.
    member = factories.member(branch["a1"], full_name="Đỗ Văn Mới", commune_code=70)
    link = letter_issue(actor=branch["clerk_a"], member=member)
    assert link.letter.pack == pack and link.letter.snapshot["pack"]["short_name"] == "QĐ 999"
    letter_text = _text(link.letter)
    assert (
        "Về giữ mối liên hệ với chi ủy và nhân dân nơi cư trú theo Quy định số 999-QĐ/TW ngày 01/11/2026" in letter_text
    )
    assert "213-QĐ/TW ngày 02/01/2020" not in letter_text
    link = link_receive(actor=branch["office"], link=link, received_date=timezone.localdate(), branch=branch["res"])
    assert "theo Quy định số 999-QĐ/TW" in _text(link.acknowledgement)

    # Meeting: the new member absent without reason; the notice cites QĐ 999.
    meeting = meeting_schedule(
        actor=branch["secretary"],
        branch=branch["res"],
        kind=MeetingKind.WHEN_NEEDED,
        starts_at=timezone.now(),
        place="Nhà văn hóa khu phố 1",
        agenda="Sinh hoạt",
    )
    meeting_held(meeting)
    for row in meeting.attendance.all():
        status = "unexcused" if row.member_id == member.pk else "present"
        attendance_mark(
            actor=branch["secretary"], meeting=meeting, member_id=row.member_id, status=status, version=row.version
        )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản")
    notice = meeting.absence_notices.get(workplace_committee=branch["a"]).document
    assert notice.pack == pack
    assert "nhắc đảng viên thực hiện Quy định số 999-QĐ/TW" in _text(notice)

    # Form: the period opened under QĐ 999 has its six criteria; the remark the record asks for.
    period = open_period(branch["office"], branch["commune"])
    assert period.pack == pack and period.criteria_set.criteria.count() == 6
    assert period.branch_deadline == datetime.date(period.year, 12, 10)  # set by the committee (open_period)
    services.front_meeting_record(
        actor=branch["secretary"],
        branch=branch["res"],
        year=period.year,
        held_on=timezone.localdate(),
        attendees="Chi ủy; Mặt trận",
    )
    answers = {c.code: "good" for c in period.criteria_set.criteria.all()}
    form = services.evaluation_save(
        actor=branch["secretary"],
        link=link,
        year=period.year,
        lock_version=0,
        answers={**answers, "meetings": "fair"},
        conclusion="none",
    )
    assert form.pack == pack and len(services.missing_answers(form)) == 0
    services.evaluations_sign(actor=branch["secretary"], branch=branch["res"], ids=[form.pk])
    services.evaluations_confirm(actor=branch["office"], commune=branch["commune"], ids=[form.pk])
    form.refresh_from_db()
    assert form.document.pack == pack
    form_text = _text(form.document)
    assert f"Chi bộ khu phố 1 nhận xét đảng viên theo QĐ 999 năm {period.year}" in form_text
    assert "6. Giữ liên hệ với chi bộ qua Sổ tay đảng viên điện tử: Thường xuyên" in form_text
    services.evaluations_forward(actor=branch["office"], commune=branch["commune"], ids=[form.pk])

    # Rating: the year's scheme (QĐ 366), beside the form made under QĐ 999.
    rating = services.rating_record(actor=branch["clerk_a"], member=member, year=period.year, level="good", score=85)
    assert rating.evaluation == Evaluation.objects.get(pk=form.pk) and rating.scheme.code == "qd366"

    # The letter issued under QĐ 213 renders to the very bytes archived, and says what it said.
    before.refresh_from_db()
    again = render_pdf(before.snapshot, image_root=settings.PRIVATE_MEDIA_ROOT)
    assert hashlib.sha256(again).hexdigest() == before.sha256
    assert before.pack.code == "qd213" and before.pack.version == 1
    assert _text(before) == old_text


def test_exemption_categories_and_default_deadlines_come_from_the_pack(client, branch, admin_user):
    draft = pack_services.pack_new_version(actor=admin_user, pack=pack_in_force())
    categories = (
        pack_services.category_lines(draft)
        + "\nposted | miễn sinh hoạt | QĐ 999 Điều 4 | Đi biệt phái ở nước ngoài | biet phai"
    )
    pack_services.pack_categories_update(actor=admin_user, pack=draft, categories=categories)
    pack_services.pack_update(
        actor=admin_user, pack=draft, data=_citation(draft, deadline_branch="12-01", deadline_request_days="20")
    )
    member = branch["links"][1].member
    with pytest.raises(ValidationError) as refused:
        exemption_record(
            actor=branch["clerk_a"],
            member=member,
            category="posted",
            reason="Biệt phái",
            start_date=timezone.localdate(),
            decided_by="Đảng ủy Sở",
        )
    assert "category" in refused.value.message_dict  # not yet: the draft is not in force
    pack_services.pack_put_in_force(actor=admin_user, pack=draft, day=timezone.localdate())
    exemption = exemption_record(
        actor=branch["clerk_a"],
        member=member,
        category="posted",
        reason="Biệt phái",
        start_date=timezone.localdate(),
        decided_by="Đảng ủy Sở",
    )
    assert exemption.kind == "exempt_meetings" and exemption.category_label == "Đi biệt phái ở nước ngoài"
    client.force_login(branch["office"])
    form = client.get(reverse("nhanxet:period_new")).context["form"]
    assert form.initial["branch_deadline"] == datetime.date(timezone.localdate().year, 12, 1)
    client.force_login(branch["clerk_a"])
    form = client.get(reverse("nhanxet:request_new", args=[member.pk])).context["form"]
    assert form.initial["due_date"] == timezone.localdate() + datetime.timedelta(days=20)


def test_reminder_rules_follow_the_pack_unless_set_by_the_administrator(admin_user):
    from nhacviec.models import ReminderRule
    from nhacviec.selectors import rules_in_force
    from nhacviec.services import rule_update

    draft = pack_services.pack_new_version(actor=admin_user, pack=pack_in_force())
    pack_services.pack_update(
        actor=admin_user,
        pack=draft,
        data=_citation(draft, reminder_letter_missing_first=20, reminder_meeting_upcoming_first=3),
    )
    pack_services.pack_put_in_force(actor=admin_user, pack=draft, day=timezone.localdate())
    rules = {r.code: r for r in rules_in_force()}
    assert (rules["letter_missing"].first_days, rules["meeting_upcoming"].first_days) == (20, 3)
    rule = ReminderRule.objects.get(code="meeting_upcoming")
    rule_update(actor=admin_user, rule=rule, data={"first_days": 5})
    rule.refresh_from_db()
    assert not rule.follows_pack
    rules = {r.code: r for r in rules_in_force()}
    assert (rules["letter_missing"].first_days, rules["meeting_upcoming"].first_days) == (20, 5)
    # Unticking "follows the pack" alone keeps the days it ran with (the pack's: 20), not older ones.
    rule = ReminderRule.objects.get(code="letter_missing")
    assert rule.first_days == 30  # stored when it was seeded; the pack's 20 was read at each sweep
    rule_update(actor=admin_user, rule=rule, data={"follows_pack": False})
    rule.refresh_from_db()
    assert (rule.follows_pack, rule.first_days) == (False, 20)
    assert {r.code: r for r in rules_in_force()}["letter_missing"].first_days == 20
