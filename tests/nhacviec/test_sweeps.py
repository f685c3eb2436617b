"""Reminder rules against the real database: who is told, once, with what, and when the clock moves."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from chibo.models import Role
from dangvien.models import Member
from nhacviec.models import Delivery, DeliveryStatus, Reminder, ReminderRule, RuleCode
from nhacviec.services import rule_update
from nhacviec.services.sweeps import sweep_plan, sweep_run
from taikhoan.models import Notification, NotificationKind
from tests import factories

pytestmark = pytest.mark.django_db


def _notices(user, kind=None):
    qs = Notification.objects.filter(user=user)
    return list(qs.filter(kind=kind) if kind else qs)


def test_a_covered_member_without_a_letter_reminds_the_office_then_the_signing_secretary(setup):
    secretary = factories.user("signer_a", roles=[(setup["a"], Role.SIGNING_SECRETARY)], email="signer@example.org")
    member = setup["member"]
    since = member.awaiting_letter_since
    assert since == member.admission_date  # arrived covered: the clock runs from admission

    # 29 days: nothing yet; day 30: the office; day 45: the signing secretary too.
    assert sweep_run(since + datetime.timedelta(days=29), [RuleCode.LETTER_MISSING]) == {}
    sweep_run(since + datetime.timedelta(days=30), [RuleCode.LETTER_MISSING])
    [notice] = _notices(setup["clerk"], NotificationKind.LETTER)
    assert "1" in notice.title and "30" in notice.title and member.full_name in notice.body
    assert notice.title == "1 đảng viên thuộc diện chưa có giấy giới thiệu sau 30 ngày"
    assert notice.url == f"/dang-vien/{member.pk}/"
    assert _notices(secretary) == [] and _notices(setup["neighbour"]) == []
    sweep_run(since + datetime.timedelta(days=45), [RuleCode.LETTER_MISSING])
    assert len(_notices(setup["clerk"])) == 1 and len(_notices(secretary)) == 1
    # Run again the same day and the next: nobody is told twice.
    sweep_run(since + datetime.timedelta(days=45), [RuleCode.LETTER_MISSING])
    sweep_run(since + datetime.timedelta(days=46), [RuleCode.LETTER_MISSING])
    assert len(_notices(setup["clerk"])) == 1 and len(_notices(secretary)) == 1
    assert Reminder.objects.count() == 2


def test_a_letter_stops_the_clock_and_a_revoked_one_restarts_it(setup):
    from dangvien.services import letter_issue, letter_revoke

    link = letter_issue(actor=setup["clerk"], member=setup["member"])
    assert Member.objects.get(pk=setup["member"].pk).awaiting_letter_since is None
    far = timezone.localdate() + datetime.timedelta(days=400)
    sweep_run(far, [RuleCode.LETTER_MISSING])
    assert _notices(setup["clerk"], NotificationKind.LETTER) == []
    letter_revoke(actor=setup["clerk"], link=link, reason="Sai địa chỉ")
    assert Member.objects.get(pk=setup["member"].pk).awaiting_letter_since == timezone.localdate()
    sweep_run(timezone.localdate() + datetime.timedelta(days=30), [RuleCode.LETTER_MISSING])
    assert len(_notices(setup["clerk"], NotificationKind.LETTER)) == 1


def test_several_late_members_make_one_notice_with_a_link_to_the_filtered_list(setup):
    others = [factories.member(setup["a1"], full_name=f"Lê Văn Số{i}") for i in range(3)]
    day = max(m.awaiting_letter_since for m in [setup["member"], *others]) + datetime.timedelta(days=30)
    sweep_run(day, [RuleCode.LETTER_MISSING])
    [notice] = _notices(setup["clerk"])
    assert notice.title.startswith("4 ") and notice.url == f"/dang-vien/?covered=letter&org={setup['a'].pk}"
    # The list behind the link shows exactly those members.
    from django.test import Client

    client = Client()
    client.force_login(setup["clerk"])
    page = client.get(notice.url).content.decode()
    assert all(m.full_name in page for m in others) and "Nguyễn Văn Đức" in page


def test_the_days_are_settings_an_administrator_changes_with_an_audit_record(setup, admin_user):
    from nhatky.models import AuditEvent

    rule = ReminderRule.objects.get(code=RuleCode.LETTER_MISSING)
    rule_update(actor=admin_user, rule=rule, data={"first_days": 60})
    assert AuditEvent.objects.filter(action="reminder_rule.update", changes__first_days=[30, 60]).exists()
    since = setup["member"].awaiting_letter_since
    sweep_run(since + datetime.timedelta(days=59), [RuleCode.LETTER_MISSING])
    assert _notices(setup["clerk"]) == []
    sweep_run(since + datetime.timedelta(days=60), [RuleCode.LETTER_MISSING])
    assert len(_notices(setup["clerk"])) == 1
    rule_update(actor=admin_user, rule=rule, data={"is_active": False})
    assert sweep_plan(since + datetime.timedelta(days=90), [RuleCode.LETTER_MISSING]) == []


def test_a_letter_not_received_reminds_the_commune_office_then_the_workplace_too(setup):
    from dangvien.services import letter_issue

    issued = timezone.now() - datetime.timedelta(days=40)
    link = letter_issue(actor=setup["clerk"], member=setup["member"], issued_at=issued)
    day = timezone.localtime(issued).date()
    sweep_run(day + datetime.timedelta(days=15), [RuleCode.LETTER_UNRECEIVED])
    [notice] = _notices(setup["office"], NotificationKind.LETTER)
    assert link.letter.symbol in notice.body and notice.url.startswith("/dang-vien/lien-he/noi-cu-tru/")
    assert _notices(setup["clerk"], NotificationKind.LETTER) == []
    sweep_run(day + datetime.timedelta(days=30), [RuleCode.LETTER_UNRECEIVED])
    [to_workplace] = _notices(setup["clerk"], NotificationKind.LETTER)
    assert to_workplace.url.startswith("/dang-vien/lien-he/noi-cong-tac/")
    assert len(_notices(setup["office"], NotificationKind.LETTER)) == 1


def test_email_follows_each_users_choice_and_a_user_without_email_still_gets_the_notice(
    setup, django_capture_on_commit_callbacks
):
    from taikhoan.services import notification_preference_save

    setup["clerk"].email = "clerk@example.org"
    setup["clerk"].save()
    notification_preference_save(actor=setup["clerk"], email_kinds=["evaluation"], digest="immediate")
    since = setup["member"].awaiting_letter_since
    sweep_run(since + datetime.timedelta(days=30), [RuleCode.LETTER_MISSING])
    assert len(_notices(setup["clerk"])) == 1 and Delivery.objects.count() == 0  # letters not by e-mail
    notification_preference_save(actor=setup["clerk"], email_kinds=["letter"], digest="immediate")
    factories.member(setup["a1"], full_name="Phạm Thị Mới")
    with django_capture_on_commit_callbacks(execute=True):
        sweep_run(timezone.localdate() + datetime.timedelta(days=30), [RuleCode.LETTER_MISSING])
    [delivery] = Delivery.objects.all()
    assert delivery.status == DeliveryStatus.SENT and delivery.address == "clerk@example.org"
    assert [m.to for m in mail.outbox] == [["clerk@example.org"]]
    assert "Phạm Thị Mới" in mail.outbox[0].body and "http://" in mail.outbox[0].body


def test_meeting_reminders_go_to_group_leaders_and_members_two_days_before(branch, django_capture_on_commit_callbacks):
    from chibo.services import meeting_schedule, party_group_save

    party_group_save(actor=branch["secretary"], branch=branch["res"], name="Tổ 1", leader=branch["leader"])
    starts = timezone.localtime() + datetime.timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_schedule(
            actor=branch["secretary"],
            branch=branch["res"],
            kind="periodic",
            year=starts.year,
            half=1 if starts.month <= 6 else 2,
            starts_at=starts.replace(hour=19, minute=30, second=0, microsecond=0),
            place="Nhà văn hóa",
            agenda="Sinh hoạt định kỳ",
        )
    invited = len(mail.outbox)
    sweep_run(timezone.localdate(), [RuleCode.MEETING_UPCOMING])
    assert len(mail.outbox) == invited  # five days ahead: not yet
    with django_capture_on_commit_callbacks(execute=True):
        sweep_run(timezone.localdate() + datetime.timedelta(days=3), [RuleCode.MEETING_UPCOMING])
    reminders = [n for n in _notices(branch["leader"], NotificationKind.MEETING) if n.key.startswith("meeting-remind")]
    assert len(reminders) == 1 and "Trần Văn Thứ1" in reminders[0].body  # no e-mail: named to the leader
    sent = [m.to[0] for m in mail.outbox[invited:]]
    assert sorted(sent) == ["leader@example.org", "m0@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        sweep_run(timezone.localdate() + datetime.timedelta(days=3), [RuleCode.MEETING_UPCOMING])
    assert len(mail.outbox) == invited + 2
    assert Reminder.objects.filter(object_id=meeting.pk).count() == 1


def _evaluation_setup(branch):
    from tests.nhanxet.conftest import open_period

    period = open_period(branch["office"], branch["commune"])
    return period, period.branch_deadline


def test_unsigned_forms_remind_the_secretary_at_7_and_1_days_then_the_commune_when_late(branch):
    period, deadline = _evaluation_setup(branch)
    code = [RuleCode.EVALUATION_UNFILLED]
    sweep_run(deadline - datetime.timedelta(days=8), code)
    assert _notices(branch["secretary"]) == []
    sweep_run(deadline - datetime.timedelta(days=7), code)
    sweep_run(deadline - datetime.timedelta(days=6), code)
    [first] = _notices(branch["secretary"], NotificationKind.EVALUATION)
    assert " 5 phiếu " in first.title and first.url == f"/nhan-xet/chi-bo/{branch['res'].pk}/{period.year}/"
    sweep_run(deadline - datetime.timedelta(days=1), code)
    assert len(_notices(branch["secretary"], NotificationKind.EVALUATION)) == 2
    assert _notices(branch["office"], NotificationKind.EVALUATION) == []
    sweep_run(deadline + datetime.timedelta(days=1), code)
    sweep_run(deadline + datetime.timedelta(days=2), code)
    [late] = _notices(branch["office"], NotificationKind.EVALUATION)
    assert branch["res"].name in late.body and "(5)" in late.body
    assert len(_notices(branch["secretary"], NotificationKind.EVALUATION)) == 2


def test_a_sweep_that_starts_late_sends_only_the_latest_stage(branch):
    period, deadline = _evaluation_setup(branch)
    sweep_run(deadline, [RuleCode.EVALUATION_UNFILLED])
    assert len(_notices(branch["secretary"], NotificationKind.EVALUATION)) == 1
    assert Reminder.objects.get().stage == 2


def test_a_member_exempt_from_meetings_is_not_counted_among_the_unsigned_forms(branch):
    """HD 33 §1.1: evaluated only on request, so the branch's list, the reminder and the
    boards' figures all leave them out of the yearly forms due."""
    from dangvien.services import exemption_record

    period, deadline = _evaluation_setup(branch)
    exemption_record(
        actor=branch["clerk_b"],
        member=branch["links"][4].member,
        category="barracks",
        reason="Ở trong doanh trại",
        start_date=timezone.localdate(),
        decided_by="Đảng ủy Sở Y tế",
    )
    sweep_run(deadline - datetime.timedelta(days=7), [RuleCode.EVALUATION_UNFILLED])
    [first] = _notices(branch["secretary"], NotificationKind.EVALUATION)
    assert " 4 phiếu " in first.title


def test_signed_forms_remind_the_commune_and_forwarded_unrated_ones_the_workplace(branch):
    from nhanxet.models import Evaluation
    from nhanxet.services import evaluations_confirm, evaluations_forward, evaluations_sign, front_meeting_record
    from tests.nhanxet.conftest import fill

    period, _deadline = _evaluation_setup(branch)
    year = period.year
    front_meeting_record(
        actor=branch["secretary"], branch=branch["res"], year=year, held_on=timezone.localdate(), attendees="Chi ủy"
    )
    data = {**branch, "period": period, "year": year}
    forms = [fill(data, link) for link in branch["links"]]
    evaluations_sign(actor=branch["secretary"], branch=branch["res"], ids=[f.pk for f in forms])
    sweep_run(period.confirm_deadline - datetime.timedelta(days=3), [RuleCode.EVALUATION_UNCONFIRMED])
    [waiting] = _notices(branch["office"], NotificationKind.EVALUATION)
    assert waiting.title.startswith("5 ") and waiting.url == f"/nhan-xet/xac-nhan/{branch['commune'].pk}/"
    evaluations_confirm(actor=branch["office"], commune=branch["commune"], ids=[f.pk for f in forms])
    evaluations_forward(actor=branch["office"], commune=branch["commune"], ids=[f.pk for f in forms])
    before = len(_notices(branch["clerk_a"], NotificationKind.EVALUATION))
    sweep_run(period.forward_deadline + datetime.timedelta(days=7), [RuleCode.EVALUATION_UNRECEIVED])
    notices = _notices(branch["clerk_a"], NotificationKind.EVALUATION)
    assert len(notices) == before + 1 and notices[0].title.startswith("3 ")
    assert Evaluation.objects.filter(status="forwarded").count() == 5


def test_board_viewers_get_one_weekly_summary_with_counts_of_their_subtree(setup):
    board = factories.user("board", roles=[(setup["province"], Role.BOARD_VIEWER)])
    neighbour_board = factories.user("board_q", roles=[(setup["other_province"], Role.BOARD_VIEWER)])
    monday = setup["member"].awaiting_letter_since + datetime.timedelta(days=400)
    monday -= datetime.timedelta(days=monday.weekday())
    sweep_run(monday, [RuleCode.BOARD_DIGEST])
    sweep_run(monday + datetime.timedelta(days=2), [RuleCode.BOARD_DIGEST])  # same week: nothing new
    [digest] = _notices(board, NotificationKind.DIGEST)
    assert digest.title.endswith(": 1") or " 1 " in digest.title
    assert digest.title.endswith(": 1 việc quá hạn")
    assert "1 " in digest.body and f"org={setup['province'].pk}" in digest.body
    assert digest.body.startswith("- 1 đảng viên thuộc diện quá hạn chưa có giấy giới thiệu: http")
    [quiet] = _notices(neighbour_board, NotificationKind.DIGEST)
    assert "0" in quiet.title
    assert quiet.title.endswith(": 0 việc quá hạn") and quiet.body == "Không có việc quá hạn. Cảm ơn các đồng chí."
    sweep_run(monday + datetime.timedelta(days=7), [RuleCode.BOARD_DIGEST])
    assert len(_notices(board, NotificationKind.DIGEST)) == 2


def test_a_reminder_with_nobody_to_tell_waits_until_someone_holds_the_role(setup):
    since = setup["member"].awaiting_letter_since
    day = since + datetime.timedelta(days=45)
    sweep_run(day, [RuleCode.LETTER_MISSING])  # no signing secretary account at the workplace yet
    assert Reminder.objects.filter(stage=2).count() == 0 and Reminder.objects.filter(stage=1).count() == 1
    secretary = factories.user("signer_late", roles=[(setup["a"], Role.SIGNING_SECRETARY)])
    sweep_run(day + datetime.timedelta(days=1), [RuleCode.LETTER_MISSING])
    assert len(_notices(secretary, NotificationKind.LETTER)) == 1
    assert Reminder.objects.filter(stage=2).count() == 1


def test_invitations_that_never_went_out_are_sent_by_the_daily_sweep(branch, django_capture_on_commit_callbacks):
    from chibo.models import Meeting
    from chibo.services import meeting_schedule

    starts = (timezone.localtime() + datetime.timedelta(days=6)).replace(hour=19, minute=0, second=0, microsecond=0)
    meeting = meeting_schedule(  # the broker was down: its on-commit invitation never ran
        actor=branch["secretary"],
        branch=branch["res"],
        kind="periodic",
        year=starts.year,
        half=1 if starts.month <= 6 else 2,
        starts_at=starts,
        place="Nhà văn hóa",
        agenda="Sinh hoạt định kỳ",
    )
    Meeting.objects.filter(pk=meeting.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_run(timezone.localdate(), [RuleCode.MEETING_UPCOMING])
    assert Meeting.objects.get(pk=meeting.pk).invitations_sent_at is not None
    assert [m.to for m in mail.outbox] == [["m0@example.org"]]
