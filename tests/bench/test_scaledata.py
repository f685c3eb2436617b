"""The scale generator's links, letters, meetings and evaluation forms: every state the reminders
sweep exists on a tiny data set, and the rows agree with the constraints and with what the
services would have written."""

import datetime

import pytest
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef
from django.utils import timezone

from bench.scaledata import AWAITING_RECENT_DAYS, existing, generate
from chibo.models import Attendance, Meeting, MeetingStatus, Organization, PartyGroup, Role, RoleAssignment
from chibo.services.branches import roster_links
from dangvien.models import ExemptionKind, LinkState, Member, ResidenceLink
from dangvien.selectors import awaiting_letter
from dangvien.services.links import residence_committee_for, workplace_committee
from nhanxet.models import (
    CriteriaSet,
    CriteriaUse,
    Evaluation,
    EvaluationPeriod,
    EvaluationRequest,
    EvaluationStatus,
    FrontMeeting,
    Proposal,
    QualityRating,
)
from nhanxet.services.periods import period_for
from taikhoan.models import User
from vanban.models import Document, DocumentStatus, DocumentType, NumberRegister

MEMBERS = 4000
SEED = 11
OPEN_LETTER = [LinkState.LETTER_ISSUED, LinkState.RECEIVED, LinkState.ACTIVE]


def _generate(members=MEMBERS, seed=SEED, today=None):
    return generate(members=members, seed=seed, password="bench-pass-123", log=lambda _text: None, today=today)


@pytest.fixture
def data(db):
    return _generate()


def test_every_link_state_and_the_letter_clock(data):
    today = timezone.localdate()
    counts = data.counts
    states = dict(ResidenceLink.objects.values_list("state").annotate(n=Count("id")))
    assert set(states) == set(LinkState.values)
    assert states == counts["residence_links"]
    covered = Member.objects.filter(covered_213=True).count()
    # Most covered members have a link in force; a few % are still owed a letter.
    assert states[LinkState.ACTIVE] > 0.7 * covered
    with_letter = ResidenceLink.objects.filter(member=OuterRef("pk"), state__in=OPEN_LETTER)
    waiting = Member.objects.filter(awaiting_letter_since__isnull=False)
    assert waiting.count() == counts["awaiting_letter"]["total"]
    assert 0.01 * covered < waiting.count() < 0.1 * covered
    # The clock runs exactly for covered members with no letter out or in force.
    assert not waiting.filter(covered_213=False).exists()
    assert not waiting.filter(Exists(with_letter)).exists()
    assert (
        not Member.objects.filter(covered_213=True, awaiting_letter_since__isnull=True)
        .exclude(Exists(with_letter))
        .exists()
    )
    # Mostly recent, some an old backlog; the members excused from introduction are among them
    # with their exemption, which the reminders' selector leaves out.
    recent = today - datetime.timedelta(days=AWAITING_RECENT_DAYS)
    assert (
        waiting.filter(awaiting_letter_since__gte=recent).count()
        > waiting.filter(awaiting_letter_since__lt=recent).count()
        > 0
    )
    assert not waiting.filter(awaiting_letter_since__gt=today).exists()
    assert not waiting.filter(awaiting_letter_since__lt=F("admission_date")).exists()
    not_introduced = waiting.filter(exemptions__kind=ExemptionKind.NOT_INTRODUCED).count()
    assert not_introduced == counts["awaiting_letter"]["not_introduced"] > 0
    assert awaiting_letter().count() == waiting.count() - not_introduced
    # A pending link is one whose letter was revoked: the member waits again since the revocation.
    for link in ResidenceLink.objects.filter(state=LinkState.PENDING).select_related("letter", "member"):
        assert link.letter.status == DocumentStatus.REVOKED and link.residence_branch_id is None
        assert link.member.awaiting_letter_since == timezone.localtime(link.letter.revoked_at).date()
    # History: ended links have their time, reason and change notice; at most one open link each.
    ended = ResidenceLink.objects.filter(state=LinkState.ENDED)
    assert not ended.filter(ended_at__isnull=True).exists() and not ended.filter(end_reason="").exists()
    assert ended.filter(change_notices__isnull=True).count() == 0
    assert ended.filter(member__awaiting_letter_since__isnull=False).exists()
    assert ended.filter(member__residence_links__state=LinkState.ACTIVE).exists()
    assert (
        not ResidenceLink.objects.exclude(state=LinkState.ENDED)
        .values("member")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


def test_links_point_where_the_services_would(data):
    today = timezone.localdate()
    open_links = ResidenceLink.objects.exclude(state=LinkState.ENDED).select_related(
        "member__organization", "residence_commune"
    )
    for link in open_links.order_by("id")[::37]:
        assert link.workplace_committee_id == workplace_committee(link.member).pk
        assert link.residence_committee_id == residence_committee_for(link.residence_commune).pk
        assert link.residence_commune_id == link.member.residence_commune_id
    assert not ResidenceLink.objects.exclude(workplace_path=F("workplace_committee__path")).exists()
    assert not ResidenceLink.objects.exclude(residence_path=F("residence_committee__path")).exists()
    placed = ResidenceLink.objects.filter(state__in=[LinkState.RECEIVED, LinkState.ACTIVE, LinkState.ENDED])
    assert not placed.filter(residence_branch__isnull=True).exists()
    assert not placed.filter(received_date__isnull=True).exists()
    assert not placed.exclude(residence_branch__path__startswith=F("residence_path")).exists()
    assert not placed.filter(residence_branch__kind__code="dang-uy-xa").exists()
    grouped = ResidenceLink.objects.filter(party_group__isnull=False)
    assert grouped.exists() and not grouped.exclude(party_group__branch=F("residence_branch")).exists()
    assert not ResidenceLink.objects.filter(state=LinkState.RECEIVED, party_group__isnull=False).exists()
    # Letters: introduction documents of the workplace committee, for the member, no PDF yet;
    # the ones out and not received were issued up to 60 days ago, so some are overdue.
    links = ResidenceLink.objects.all()
    assert not links.filter(letter__isnull=True).exists()
    assert not links.exclude(letter__doc_type=DocumentType.INTRODUCTION).exists()
    assert not links.exclude(letter__issuer=F("workplace_committee")).exists()
    assert not links.exclude(letter__member=F("member")).exists()
    issued = list(
        ResidenceLink.objects.filter(state=LinkState.LETTER_ISSUED).values_list("letter__issued_at", flat=True)
    )
    ages = {(today - timezone.localtime(at).date()).days for at in issued}
    assert min(ages) >= 0 and max(ages) <= 60 and min(ages) < 15 and max(ages) > 30
    assert not links.filter(received_date__lt=F("letter__issued_at__date")).exists()
    assert not links.filter(received_date__gt=today).exists()
    received = ResidenceLink.objects.filter(state=LinkState.RECEIVED)
    assert not received.filter(acknowledgement__isnull=True).exists()
    assert not received.exclude(acknowledgement__issuer=F("residence_committee")).exists()
    assert not Document.objects.exclude(pdf="").exists()
    assert not Document.objects.filter(rendered_at__isnull=False).exists()
    letter = Document.objects.filter(doc_type=DocumentType.INTRODUCTION).first()
    assert letter.snapshot["symbol"] == f"Số {letter.symbol}" and letter.snapshot["member"]["full_name"]


def test_numbers_continue_where_the_generator_stopped(data):
    from vanban.services import numbers_take

    last = {
        (row["issuer"], row["doc_type"], row["year"]): row["last"]
        for row in Document.objects.values("issuer", "doc_type", "year").annotate(last=Max("number"))
    }
    registers = {(r.issuer_id, r.doc_type, r.year): r.last_number for r in NumberRegister.objects.all()}
    assert registers == last
    # Numbers are 1..n per issuer, type and year with no gap.
    counts = Document.objects.values("issuer", "doc_type", "year").annotate(n=Count("id"), last=Max("number"))
    assert all(row["n"] == row["last"] for row in counts)
    assert set(Document.objects.values_list("doc_type", flat=True)) == {
        DocumentType.INTRODUCTION,
        DocumentType.ACKNOWLEDGEMENT,
        DocumentType.EVALUATION,
    }
    (issuer, doc_type, year), number = next(iter(sorted(registers.items())))
    with transaction.atomic():
        taken = numbers_take(issuer=Organization.objects.get(pk=issuer), doc_type=doc_type, year=year)
    assert taken[0][0] == number + 1


def test_meetings_and_attendance(data):
    today = timezone.localdate()
    now = timezone.now()
    residence = Organization.objects.filter(kind__code="chi-bo-noi-cu-tru")
    closed = Meeting.objects.filter(status=MeetingStatus.CLOSED)
    # Every residence branch closed its meeting of the first half of this year (or the second of the last).
    year, half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    assert closed.count() == residence.count() == closed.filter(year=year, half=half).count()
    assert not closed.filter(closed_at__isnull=True).exists()
    scheduled = Meeting.objects.filter(status=MeetingStatus.SCHEDULED)
    assert 0 < scheduled.count() < residence.count()
    assert scheduled.filter(starts_at__gt=now, starts_at__lte=now + datetime.timedelta(days=2)).exists()
    assert scheduled.filter(starts_at__gt=now + datetime.timedelta(days=2)).exists()
    assert not scheduled.filter(starts_at__gt=now + datetime.timedelta(days=11)).exists()
    assert scheduled.filter(invitations_sent_at__isnull=True).exists()
    assert scheduled.filter(invitations_sent_at__isnull=False).exists()
    assert not scheduled.filter(invitations_sent_at__gt=now).exists()
    assert not Meeting.objects.exclude(branch_path=F("branch__path")).exists()
    # Sheets only for scheduled meetings: exactly the branch's roster on the meeting's day.
    assert not Attendance.objects.exclude(meeting__status=MeetingStatus.SCHEDULED).exists()
    assert not Attendance.objects.exclude(member=F("link__member")).exists()
    for meeting in scheduled.select_related("branch"):
        day = timezone.localtime(meeting.starts_at).date()
        sheet = set(meeting.attendance.values_list("link_id", flat=True))
        assert sheet == set(roster_links(meeting.branch, day).values_list("pk", flat=True))
    assert Attendance.objects.count() == sum(data.counts["attendance"].values()) > 0


def test_periods_and_forms_in_every_status(data):
    today = timezone.localdate()
    communes = Organization.objects.filter(kind__code="dang-uy-xa")
    periods = EvaluationPeriod.objects.filter(year=today.year)
    criteria = CriteriaSet.objects.get(use=CriteriaUse.YEARLY, pack__code="qd213")
    assert criteria.frozen_at is not None
    assert periods.count() == communes.count()
    assert not periods.exclude(organization__kind__code="dang-uy-xa").exists()
    assert not periods.exclude(org_path=F("organization__path")).exists()
    assert not periods.exclude(criteria_set=criteria).exists()
    deadlines = set(periods.values_list("branch_deadline", flat=True))
    assert today + datetime.timedelta(days=7) in deadlines and today + datetime.timedelta(days=1) in deadlines
    assert any(d < today for d in deadlines)
    assert periods.filter(confirm_deadline__lt=today).exists() and periods.filter(forward_deadline__lt=today).exists()
    assert not periods.filter(confirm_deadline__lt=F("branch_deadline")).exists()
    assert not periods.filter(forward_deadline__lt=F("confirm_deadline")).exists()

    forms = Evaluation.objects.all()
    statuses = dict(forms.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(EvaluationStatus.values)
    assert statuses == data.counts["evaluations"]
    assert not forms.exclude(is_current=True).exists() and not forms.exclude(version=1).exists()
    assert not forms.exclude(link__state=LinkState.ACTIVE).exists()
    assert not forms.filter(link__exempt_from_meetings=True).exists()
    assert not forms.exclude(member=F("link__member")).exists()
    assert not forms.exclude(branch=F("link__residence_branch")).exists()
    assert not forms.exclude(commune=F("link__residence_committee")).exists()
    assert not forms.exclude(workplace_committee=F("link__workplace_committee")).exists()
    assert not forms.exclude(workplace_path=F("workplace_committee__path")).exists()
    assert not forms.exclude(branch_path=F("branch__path")).exists()
    assert not forms.exclude(period__organization=F("commune")).exists()
    assert not forms.exclude(criteria_set=criteria).exists()
    assert not forms.exclude(year=today.year).exists()
    for form in forms.select_related("branch")[::50]:
        assert period_for(form.branch.path, form.year).pk == form.period_id
    # Each status carries what it implies, and no more.
    draft = forms.filter(status=EvaluationStatus.DRAFT)
    assert not draft.filter(signed_at__isnull=False).exists() and not draft.exclude(signer_name="").exists()
    signed = forms.exclude(status=EvaluationStatus.DRAFT)
    assert not signed.filter(signed_by__isnull=True).exists() and not signed.filter(signer_name="").exists()
    assert not forms.filter(status=EvaluationStatus.SIGNED, confirmed_at__isnull=False).exists()
    confirmed = forms.filter(status__in=[EvaluationStatus.CONFIRMED, EvaluationStatus.FORWARDED])
    assert not confirmed.filter(confirmed_at__lt=F("signed_at")).exists()
    assert not confirmed.exclude(document__doc_type=DocumentType.EVALUATION).exists()
    assert not confirmed.exclude(document__issuer=F("commune")).exists()
    assert not forms.filter(status=EvaluationStatus.CONFIRMED, forwarded_at__isnull=False).exists()
    forwarded = forms.filter(status=EvaluationStatus.FORWARDED)
    assert not forwarded.filter(forwarded_at__lt=F("confirmed_at")).exists()
    assert not forms.filter(updated_at__gt=timezone.now()).exists()
    codes = set(criteria.criteria.values_list("code", flat=True))
    assert all(set(answers) <= codes for answers in draft.values_list("answers", flat=True))
    assert all(set(answers) == codes for answers in signed.values_list("answers", flat=True))
    # Signing needs the branch's meeting with the Front committee of the year.
    front = FrontMeeting.objects.filter(branch=OuterRef("branch"), year=OuterRef("year"))
    assert not signed.exclude(Exists(front)).exists()
    # Forwarded forms that propose something became proposals; some are rated by the workplace.
    proposing = forwarded.filter(conclusion__in=["commend", "handle"])
    assert Proposal.objects.count() == proposing.count() > 0
    assert not Proposal.objects.exclude(evaluation__status=EvaluationStatus.FORWARDED).exists()
    ratings = QualityRating.objects.all()
    assert ratings.exists() and not ratings.exclude(evaluation__status=EvaluationStatus.FORWARDED).exists()
    assert not ratings.exclude(member=F("evaluation__member")).exists()
    requests = EvaluationRequest.objects.all()
    assert requests.exists() and not requests.exclude(link__state=LinkState.ACTIVE).exists()
    assert not requests.exclude(residence_path=F("link__residence_branch__path")).exists()


def test_role_users(data):
    roles = RoleAssignment.objects.values_list("role", "organization__kind__code")
    held = set(roles)
    assert (Role.CLERK, "dang-bo-co-so") in held
    assert (Role.CLERK, "dang-uy-xa") in held
    assert (Role.BRANCH_SECRETARY, "chi-bo-noi-cu-tru") in held
    assert (Role.GROUP_LEADER, "chi-bo-noi-cu-tru") in held
    assert (Role.BOARD_VIEWER, "tinh-uy") in held and (Role.BOARD_VIEWER, "dang-uy-xa") in held
    residence = Organization.objects.filter(kind__code="chi-bo-noi-cu-tru")
    secretaries = RoleAssignment.objects.filter(role=Role.BRANCH_SECRETARY, organization__in=residence)
    assert 0 < secretaries.values("organization").distinct().count() < residence.count()
    # Group leaders lead a group of the branch they hold the role in.
    for group in PartyGroup.objects.filter(leader__isnull=False).select_related("leader"):
        assert group.leader.role_assignments.filter(role=Role.GROUP_LEADER, organization=group.branch_id).exists()
    # Forms are filled by the branch's own secretary.
    signers = Evaluation.objects.exclude(status=EvaluationStatus.DRAFT)
    assert not signers.exclude(
        Exists(
            RoleAssignment.objects.filter(
                user=OuterRef("signed_by"), organization=OuterRef("branch"), role=Role.BRANCH_SECRETARY
            )
        )
    ).exists()
    generated = User.objects.filter(role_assignments__isnull=False).distinct()
    assert generated.filter(email="").exists() and generated.exclude(email="").exists()
    assert User.objects.get(username="bench.national").is_superuser


def test_states_are_deterministic_and_dated_from_today(db):
    def snapshot():
        return {
            "links": list(
                ResidenceLink.objects.order_by("member__citizen_id", "started_at").values_list(
                    "member__citizen_id", "state", "received_date", "letter__symbol", "residence_branch__path"
                )
            ),
            "forms": list(
                Evaluation.objects.order_by("member__citizen_id").values_list(
                    "member__citizen_id", "status", "answers", "signed_at", "document__symbol"
                )
            ),
            "waiting": list(
                Member.objects.filter(awaiting_letter_since__isnull=False)
                .order_by("citizen_id")
                .values_list("citizen_id", "awaiting_letter_since")
            ),
            "meetings": list(
                Meeting.objects.order_by("branch_path", "starts_at").values_list("branch_path", "starts_at")
            ),
        }

    day = datetime.date(2027, 3, 10)
    _generate(members=1500, today=day)
    first = snapshot()
    members = list(Member.objects.order_by("citizen_id").values_list("citizen_id", "full_name", "org_path"))
    assert existing(1500, SEED, today=day) and existing(1500, SEED) is None
    _generate(members=1500, today=day)
    assert snapshot() == first
    # In the first half of a year the closed meetings are last year's second half.
    assert set(Meeting.objects.filter(status="closed").values_list("year", "half")) == {(2026, 2)}
    assert set(EvaluationPeriod.objects.values_list("year", flat=True)) == {2027}
    # Another day moves the states, not the members.
    _generate(members=1500, today=day + datetime.timedelta(days=1))
    assert list(Member.objects.order_by("citizen_id").values_list("citizen_id", "full_name", "org_path")) == members
    assert snapshot()["waiting"] != first["waiting"]


def test_nothing_is_dated_after_now_when_generated_just_after_midnight(db, monkeypatch):
    """Today's stamps fall in the first half hour of the day: generated at 00:05 in Hà Nội, none
    may be later (CI ran the generator at 00:27 and found a form updated at 00:30)."""
    import zoneinfo

    from django.conf import settings

    now = datetime.datetime.combine(timezone.localdate(), datetime.time(0, 5), zoneinfo.ZoneInfo(settings.TIME_ZONE))
    monkeypatch.setattr(timezone, "now", lambda: now)
    _generate(members=1500)
    forms = Evaluation.objects.all()
    assert forms.filter(updated_at__date=now.date()).exists()
    assert not forms.filter(updated_at__gt=now).exists() and not forms.filter(signed_at__gt=now).exists()


def test_copier_escapes_what_copy_text_needs(db):
    from django.db import connection

    from bench.scaledata import Copier

    rows = [
        [1, "plain Nguyễn", True, None],
        [2, "tab\there, back\\slash \\N, new\nline and\rreturn", False, ""],
        [3, "", None, "\\"],
    ]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copier_probe (id int, a text, b boolean, c text)")
        copier = Copier(cursor, "copier_probe", ["id", "a", "b", "c"])
        for row in rows:
            copier.add(row)
        copier.flush()
        cursor.execute("SELECT id, a, b, c FROM copier_probe ORDER BY id")
        assert [list(row) for row in cursor.fetchall()] == rows
