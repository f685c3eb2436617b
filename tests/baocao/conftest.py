import datetime

import pytest
from django.utils import timezone

from chibo.models import MeetingKind, Role, Side
from tests import factories
from tests.images import configure_signing
from tests.nhanxet.conftest import fill, period  # noqa: F401 (the evaluation fixture, reused)

HCM = datetime.timezone(datetime.timedelta(hours=7))


@pytest.fixture
def scene(period):  # noqa: F811
    """A province where every figure has a known answer.

    Residence branch res (commune of the province) received five covered members: three from
    workplace A (links 0–2), two from B (links 3–4). Link 4's member is exempt from meetings
    (barracks, HD 33 §1.1), so not on the attendance sheet. One meeting this half-year: links 0 and 2
    present, 1 absent with reason, 3 absent without. Then link 2's member moves house to branch res2
    of the same commune.
    Forms: 0 signed (commend), confirmed, forwarded and rated "good"; 1 signed (none), corrected and
    signed again (handle): counted once; 3 a draft; the mover has none at res2; 4 is exempt.
    Workplace A also has X (admitted today, covered: waiting for a letter since today) and Y (covered, not
    introduced: secret duty, HD 33 §1.2); B has Z (not covered). A requests a form for link 0.
    """
    from chibo.services import attendance_mark, meeting_close, meeting_schedule
    from dangvien.services import change_notice_issue, exemption_record, letter_issue, link_receive
    from nhanxet import services

    today = timezone.localdate()
    data = dict(period)
    links = data["links"]
    secretary, office = data["secretary"], data["office"]
    exemption_record(
        actor=data["clerk_b"],
        member=links[4].member,
        category="barracks",
        reason="Ở trong doanh trại",
        start_date=today - datetime.timedelta(days=10),
        decided_by="Đảng ủy Sở Y tế",
    )
    meeting = meeting_schedule(
        actor=secretary,
        branch=data["res"],
        kind=MeetingKind.PERIODIC,
        starts_at=min(datetime.datetime.combine(today, datetime.time(8, 0), tzinfo=HCM), timezone.now()),
        place="Nhà văn hóa khu phố 1",
        agenda="Thông tin tình hình địa phương",
        year=today.year,
        half=1 if today.month <= 6 else 2,
    )
    statuses = {links[0].member_id: "present", links[1].member_id: "excused", links[2].member_id: "present"}
    statuses[links[3].member_id] = "unexcused"
    for row in meeting.attendance.all():
        attendance_mark(
            actor=secretary,
            meeting=meeting,
            member_id=row.member_id,
            status=statuses[row.member_id],
            reason="Đi công tác" if statuses[row.member_id] == "excused" else "",
            version=row.version,
        )
    meeting_close(actor=secretary, meeting=meeting, minutes="Biên bản buổi sinh hoạt")

    first = fill(data, links[0], conclusion="commend", details="Tích cực vận động nhân dân")
    services.evaluations_sign(actor=secretary, branch=data["res"], ids=[first.pk])
    services.evaluations_confirm(actor=office, commune=data["commune"], ids=[first.pk])
    services.evaluations_forward(actor=office, commune=data["commune"], ids=[first.pk])
    services.rating_record(actor=data["clerk_a"], member=links[0].member, year=data["year"], level="good", score=85)
    second = fill(data, links[1])
    services.evaluations_sign(actor=secretary, branch=data["res"], ids=[second.pk])
    services.evaluation_correct(actor=secretary, evaluation=second, reason="Ghi nhầm kết luận")
    corrected = fill(data, links[1], conclusion="handle", details="Chưa gương mẫu nơi cư trú", level="fair")
    services.evaluations_sign(actor=secretary, branch=data["res"], ids=[corrected.pk])
    fill(data, links[3])
    services.request_create(
        actor=data["clerk_a"],
        member=links[0].member,
        purpose="award",
        details="Xét khen thưởng",
        due_date=today + datetime.timedelta(days=5),
    )

    res2 = factories.org(
        data["commune"],
        name="Chi bộ khu phố 2",
        kind_code="chi-bo-noi-cu-tru",
        side=Side.RESIDENCE,
        doc_abbreviation="CB",
    )
    configure_signing(res2, name="Đỗ Văn Hai")
    mover = links[2].member
    change_notice_issue(actor=data["clerk_a"], member=mover, kind="moved_house", effective_date=today)
    new_link = letter_issue(actor=data["clerk_a"], member=mover)
    link_receive(actor=office, link=new_link, received_date=today, branch=res2)

    x = factories.member(
        data["a2"],
        full_name="Phạm Thị Xuân",
        commune_code=70,
        admission_date=today,
        full_membership_date=None,
        status="probationary",
    )
    y = factories.member(data["a2"], full_name="Vũ Văn Yên", commune_code=70)
    exemption_record(
        actor=data["clerk_a"],
        member=y,
        category="secret_duty",
        reason="Nhiệm vụ đặc biệt",
        start_date=today - datetime.timedelta(days=100),
        decided_by="Đảng ủy Sở Giáo dục",
    )
    z = factories.member(data["b1"], full_name="Lê Văn Dũng", commune_code=70, covered_213=False)
    board = factories.user("board", roles=[(data["province"], Role.BOARD_VIEWER)])
    neighbour_board = factories.user("board_q", roles=[(data["other_province"], Role.BOARD_VIEWER)])
    return {
        **data,
        "res2": res2,
        "mover": mover,
        "x": x,
        "y": y,
        "z": z,
        "board": board,
        "neighbour_board": neighbour_board,
        "half": 1 if today.month <= 6 else 2,
        "today": today,
    }
