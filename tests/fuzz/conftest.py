"""Fixtures of the fuzz tests: one data set with something in every state a page acts on, and the
counters' summary (`fuzz_cases=…`) at the end of the run, also written to FUZZ_REPORT as JSON."""

import datetime
import json
import os

import pytest
from django.utils import timezone

from .harness import STATS


@pytest.fixture
def login(db):
    """A test client logged in as `user` (the login form itself is not fuzzed here)."""
    from django.test import Client

    def as_user(user):
        c = Client(raise_request_exception=False)
        c.force_login(user)
        return c

    return as_user


def _tree():
    from chibo.models import Side
    from tests import factories

    province = factories.org(name="Đảng bộ tỉnh Thử Nghiệm")
    other_province = factories.org(name="Đảng bộ tỉnh Bên Cạnh")
    a = factories.org(province, name="Đảng bộ Sở Giáo dục")
    a1 = factories.org(a, name="Chi bộ Văn phòng", kind_code="chi-bo-truc-thuoc", doc_abbreviation="CB")
    b = factories.org(province, name="Đảng bộ Sở Y tế")
    b1 = factories.org(b, name="Chi bộ Văn phòng Sở Y tế", kind_code="chi-bo-truc-thuoc", doc_abbreviation="CB")
    q1 = factories.org(other_province, name="Đảng bộ Sở Tài chính tỉnh bên")
    commune = factories.org(province, name="Đảng bộ phường Thử", kind_code="dang-uy-xa", side=Side.BOTH)
    res = factories.org(
        commune, name="Chi bộ khu phố 1", kind_code="chi-bo-noi-cu-tru", side=Side.RESIDENCE, doc_abbreviation="CB"
    )
    return {"province": province, "a": a, "a1": a1, "b": b, "b1": b1, "q1": q1, "commune": commune, "res": res}


def _branch():
    """As tests/conftest.py's `branch`: members of A and B received into the residence branch."""
    from chibo.models import Commune, Role
    from chibo.services import organization_update
    from dangvien.services import letter_issue, link_receive
    from taikhoan.models import User
    from tests import factories
    from tests.images import configure_signing

    tree = _tree()
    admin = User.objects.create_superuser("national", password="x-test-password-1")
    organization_update(actor=admin, org=tree["commune"], commune=Commune.objects.get(code=70))
    for org in (tree["a"], tree["b"], tree["commune"]):
        configure_signing(org)
    configure_signing(tree["res"], name="Ngô Văn Nhân")
    clerk_a = factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)], email="clerk_a@example.org")
    clerk_b = factories.user("clerk_b", roles=[(tree["b"], Role.CLERK)])
    office = factories.user("office", roles=[(tree["commune"], Role.CLERK)])
    secretary = factories.user("secretary", roles=[(tree["res"], Role.BRANCH_SECRETARY)])
    leader = factories.user("leader", roles=[(tree["res"], Role.GROUP_LEADER)], email="leader@example.org")
    board = factories.user("board", roles=[(tree["province"], Role.BOARD_VIEWER), (tree["province"], Role.CLERK)])
    links = []
    for i, (org, clerk) in enumerate([(tree["a1"], clerk_a)] * 3 + [(tree["b1"], clerk_b)] * 2):
        member = factories.member(org, full_name=f"Trần Văn Thứ{i}", commune_code=70)
        link = letter_issue(actor=clerk, member=member)
        links.append(link_receive(actor=office, link=link, received_date=timezone.localdate(), branch=tree["res"]))
    people = {"admin": admin, "clerk_a": clerk_a, "clerk_b": clerk_b, "office": office, "secretary": secretary}
    return {**tree, **people, "leader": leader, "board": board, "links": links}


def _world():
    from chibo.models import MeetingKind
    from chibo.services import meeting_schedule, party_group_save
    from dangvien.services import letter_issue
    from nhanxet.selectors import form_current
    from nhanxet.services import (
        evaluation_save,
        evaluations_sign,
        front_meeting_record,
        period_open,
        proposal_create,
        request_create,
    )
    from tests import factories

    branch = _branch()
    today = timezone.localdate()
    year = today.year
    secretary, clerk = branch["secretary"], branch["clerk_a"]
    period = period_open(
        actor=branch["office"],
        organization=branch["commune"],
        year=year,
        scope="all",
        branch_deadline=datetime.date(year, 12, 10),
        confirm_deadline=datetime.date(year, 12, 20),
        forward_deadline=datetime.date(year, 12, 31),
    )
    front_meeting_record(
        actor=secretary, branch=branch["res"], year=year, held_on=today, attendees="Chi ủy; Mặt trận khu phố 1"
    )
    group = party_group_save(actor=secretary, branch=branch["res"], name="Tổ 1", leader=branch["leader"])
    meeting = meeting_schedule(
        actor=secretary,
        branch=branch["res"],
        kind=MeetingKind.WHEN_NEEDED,
        starts_at=timezone.now() + datetime.timedelta(hours=2),
        place="Nhà văn hóa khu phố 1",
        agenda="Sinh hoạt định kỳ",
    )
    links = branch["links"]
    answers = {c.code: "good" for c in period.criteria_set.criteria.all()}
    drafts = []
    for link in links[:2]:
        current = form_current(link, year)
        drafts.append(
            evaluation_save(
                actor=secretary,
                link=link,
                year=year,
                lock_version=current.lock_version if current else 0,
                answers=answers,
                conclusion="none",
            )
        )
    signed = evaluations_sign(actor=secretary, branch=branch["res"], ids=[drafts[1].pk])[0]
    proposal = proposal_create(actor=secretary, link=links[2], kind="commend", facts="Gương mẫu ở khu phố")
    request = request_create(
        actor=clerk, member=links[2].member, purpose="award", details="Xét khen thưởng", due_date=today
    )
    newcomer = factories.member(branch["a1"], full_name="Lê Thị Mới", commune_code=70)
    waiting = factories.member(branch["a1"], full_name="Đỗ Văn Chờ", commune_code=70)
    issued = letter_issue(actor=clerk, member=waiting)
    return {
        **branch,
        "period": period,
        "year": year,
        "group": group,
        "meeting": meeting,
        "answers": answers,
        "draft": drafts[0],
        "signed": signed,
        "proposal": proposal,
        "request": request,
        "newcomer": newcomer,
        "issued": issued,
    }


@pytest.fixture(scope="module")
def world_data(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back after the module's last
    test; each test (`db`) and each fuzz case (a savepoint) starts from it."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(world_data, db):
    """`branch` plus this year's period (Front meeting held), a party group, a scheduled meeting,
    a complete draft, a signed form, a proposal, a request, a member without a letter and a
    letter not yet received; the objects read again in the test's transaction."""
    for value in world_data.values():
        if hasattr(value, "refresh_from_db"):
            value.refresh_from_db()
    for link in world_data["links"]:
        link.refresh_from_db()
    return world_data


def pytest_terminal_summary(terminalreporter):
    if not STATS["cases"]:
        return
    terminalreporter.write_line(
        f"fuzz_cases={STATS['cases']} fuzz_server_errors={STATS['server_errors']} "
        f"fuzz_partial_writes={STATS['partial_writes']} fuzz_message_problems={STATS['message_problems']} "
        f"fuzz_stored_text_problems={STATS['stored_text_problems']} fuzz_targets={len(STATS['targets'])}"
    )


def pytest_sessionfinish(session):
    path = os.environ.get("FUZZ_REPORT")
    if path and STATS["cases"]:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(STATS, out, ensure_ascii=False, indent=1)
