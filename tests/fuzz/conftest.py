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


def _branch():
    """tests/conftest.py's `branch` (members of A and B received into the residence branch), with
    the national administrator and a province board viewer who is also a clerk."""
    from chibo.models import Role
    from taikhoan.models import User
    from tests import factories

    admin = User.objects.create_superuser("national", password="x-test-password-1")
    branch = factories.branch(factories.tree(), admin)
    province = branch["province"]
    board = factories.user("board", roles=[(province, Role.BOARD_VIEWER), (province, Role.CLERK)])
    return {**branch, "admin": admin, "board": board}


def _world():
    from chibo.models import MeetingKind
    from chibo.services import meeting_schedule, party_group_save
    from dangvien.services import letter_issue
    from nhanxet.selectors import form_current
    from nhanxet.services import (
        evaluation_save,
        evaluations_sign,
        front_meeting_record,
        proposal_create,
        request_create,
    )
    from tests import factories
    from tests.nhanxet.conftest import open_period

    branch = _branch()
    today = timezone.localdate()
    year = today.year
    secretary, clerk = branch["secretary"], branch["clerk_a"]
    period = open_period(branch["office"], branch["commune"])
    front_meeting_record(
        actor=secretary, branch=branch["res"], year=year, held_on=today, attendees="Chi ủy; Mặt trận khu phố 1"
    )
    group = party_group_save(actor=secretary, branch=branch["res"], name="Tổ 1", leader=branch["leader"])
    meeting = meeting_schedule(
        actor=secretary,
        branch=branch["res"],
        kind=MeetingKind.WHEN_NEEDED,
        # Under way: attendance can be taken and the meeting closed (not before it starts).
        starts_at=timezone.now() - datetime.timedelta(minutes=1),
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
