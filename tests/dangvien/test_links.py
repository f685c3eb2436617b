import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chibo.models import Commune, Role
from chibo.services import party_group_save
from dangvien.models import ChangeKind, Exemption, LinkState, ResidenceLink
from dangvien.services import (
    change_notice_issue,
    exemption_record,
    letter_issue,
    link_receive,
    link_receive_manual,
)
from nhatky.models import AuditEvent
from tests import factories
from tests.images import configure_signing, scanned_pdf
from vanban.models import Document, NumberRegister


@pytest.fixture
def signing(tree):
    return {"a": configure_signing(tree["a"]), "commune": configure_signing(tree["commune"], name="Lê Thị Hoa")}


@pytest.fixture
def commune_code(tree, admin_user):
    """The residence committee covers an official commune; members live there."""
    from chibo.services import organization_update

    commune = Commune.objects.get(code=70)
    organization_update(actor=admin_user, org=tree["commune"], commune=commune, place_name="Hà Nội")
    organization_update(actor=admin_user, org=tree["res"], commune=commune)
    return 70


@pytest.fixture
def office(tree):
    return factories.user("office_commune", roles=[(tree["commune"], Role.CLERK)])


def test_issue_letter_numbers_and_links(tree, clerk_a, signing, commune_code):
    member = factories.member(tree["a1"], full_name="Nguyễn Văn Đức", commune_code=commune_code)
    link = letter_issue(actor=clerk_a, member=member, duties="Phụ trách tổ chức")
    assert link.state == LinkState.LETTER_ISSUED
    assert link.workplace_committee == tree["a"] and link.residence_committee == tree["commune"]
    letter = link.letter
    assert letter.symbol == "1-GGT/ĐU" and letter.issuer == tree["a"] and letter.member == member
    snap = letter.snapshot
    assert snap["symbol"] == "Số 1-GGT/ĐU" and snap["signer"]["on_behalf"] == "T/M ĐẢNG ỦY"
    assert snap["signer"]["title"] == "BÍ THƯ" and snap["member"]["duties"] == "Phụ trách tổ chức"
    assert snap["verify_url"].endswith(f"/van-ban/xac-minh/{letter.token}/")
    assert AuditEvent.objects.filter(action="link.letter_issued").exists()


def test_second_issue_is_refused_and_consumes_no_number(tree, clerk_a, signing, commune_code):
    member = factories.member(tree["a1"], commune_code=commune_code)
    letter_issue(actor=clerk_a, member=member)
    with pytest.raises(ValidationError, match="already has a residence link|đã có liên hệ"):
        letter_issue(actor=clerk_a, member=member)
    assert NumberRegister.objects.get(issuer=tree["a"]).last_number == 1
    assert Document.objects.count() == 1


def test_issue_outside_scope_is_refused(tree, clerk_b, signing, commune_code):
    member = factories.member(tree["a1"], commune_code=commune_code)
    with pytest.raises(PermissionDenied):
        letter_issue(actor=clerk_b, member=member)
    assert not ResidenceLink.objects.exists() and not NumberRegister.objects.exists()


def test_issue_for_not_introduced_member_is_refused(tree, clerk_a, signing, commune_code):
    member = factories.member(tree["a1"], commune_code=commune_code)
    exemption_record(
        actor=clerk_a,
        member=member,
        category="secret_duty",
        reason="Nhiệm vụ đặc biệt",
        start_date=datetime.date(2025, 1, 1),
        decided_by="Đảng ủy Sở",
    )
    with pytest.raises(ValidationError):
        letter_issue(actor=clerk_a, member=member)
    assert not Document.objects.exists()


def test_exempt_from_meetings_is_still_introduced(tree, clerk_a, signing, commune_code):
    member = factories.member(tree["a1"], commune_code=commune_code)
    exemption = exemption_record(
        actor=clerk_a,
        member=member,
        category="full_time_study",
        reason="Học tập trung",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date.today() + datetime.timedelta(days=200),
        decided_by="Ban Thường vụ",
    )
    assert exemption.kind == "exempt_meetings"
    link = letter_issue(actor=clerk_a, member=member)
    assert link.exempt_from_meetings


def test_exemption_bad_dates(tree, clerk_a):
    member = factories.member(tree["a1"])
    with pytest.raises(ValidationError):
        exemption_record(
            actor=clerk_a,
            member=member,
            category="barracks",
            reason="Ở doanh trại",
            start_date=datetime.date(2025, 6, 1),
            end_date=datetime.date(2025, 1, 1),
            decided_by="x",
        )
    assert not Exemption.objects.exists()


def test_issue_without_signer_or_stamp(tree, clerk_a, commune_code):
    member = factories.member(tree["a1"], commune_code=commune_code)
    with pytest.raises(ValidationError) as exc:
        letter_issue(actor=clerk_a, member=member)
    assert "signer" in exc.value.message_dict
    assert not NumberRegister.objects.exists() or NumberRegister.objects.get().last_number == 0


def test_not_covered_member_is_refused(tree, clerk_a, signing, commune_code):
    member = factories.member(tree["a1"], commune_code=commune_code, covered_213=False)
    with pytest.raises(ValidationError):
        letter_issue(actor=clerk_a, member=member)


def test_residence_committee_receives_and_acknowledges(tree, clerk_a, office, signing, commune_code):
    member = factories.member(tree["a1"], commune_code=commune_code)
    link = letter_issue(actor=clerk_a, member=member)
    group = party_group_save(actor=None, branch=tree["res"], name="Tổ đảng số 1")
    today = datetime.date.today()
    link = link_receive(actor=office, link=link, received_date=today, branch=tree["res"], group=group)
    assert link.state == LinkState.RECEIVED and link.residence_branch == tree["res"] and link.party_group == group
    ack = link.acknowledgement
    assert ack.issuer == tree["commune"] and ack.symbol == "1-PB/ĐU"
    assert ack.snapshot["extra"]["letter_symbol"] == "Số 1-GGT/ĐU"
    # The address is printed as on the letter, province included.
    assert ack.snapshot["member"]["residence_address"] == link.letter.snapshot["member"]["residence_address"]
    with pytest.raises(ValidationError):
        link_receive(actor=office, link=link, received_date=today, branch=tree["res"])


def test_receive_checks(tree, clerk_a, office, signing, commune_code):
    member = factories.member(tree["a1"], commune_code=commune_code)
    link = letter_issue(actor=clerk_a, member=member)
    with pytest.raises(PermissionDenied):
        link_receive(actor=clerk_a, link=link, received_date=datetime.date.today(), branch=tree["res"])
    with pytest.raises(ValidationError) as exc:
        link_receive(
            actor=office, link=link, received_date=datetime.date.today() + datetime.timedelta(days=2), branch=tree["a1"]
        )
    assert set(exc.value.message_dict) == {"received_date", "branch"}
    assert ResidenceLink.objects.get(pk=link.pk).state == LinkState.LETTER_ISSUED


def test_manual_receipt_when_residence_side_not_in_system(tree, clerk_a, signing):
    member = factories.member(tree["a1"], commune_code=4)  # no committee covers this commune
    link = letter_issue(actor=clerk_a, member=member)
    assert link.residence_committee is None
    with pytest.raises(ValidationError):
        link_receive_manual(actor=clerk_a, link=link, received_date=datetime.date.today(), scan=None)
    scan = SimpleUploadedFile("phieu-bao.pdf", scanned_pdf(), content_type="application/pdf")
    # A paper receipt dated before the letter was issued is refused at the date, as on the
    # residence side's own receipt (it was taken, down to 0001-01-01).
    for day in (datetime.date.today() - datetime.timedelta(days=1), datetime.date(1, 1, 1)):
        with pytest.raises(ValidationError) as exc:
            link_receive_manual(actor=clerk_a, link=link, received_date=day, scan=scan)
        assert exc.value.message_dict == {"received_date": ["Ngày nhận không được trước ngày cấp giấy giới thiệu."]}
    assert ResidenceLink.objects.get(pk=link.pk).state == LinkState.LETTER_ISSUED
    link = link_receive_manual(actor=clerk_a, link=link, received_date=datetime.date.today(), scan=scan)
    assert link.state == LinkState.RECEIVED


def test_change_notice_ends_link_and_moving_allows_a_new_letter(tree, clerk_a, signing, commune_code):
    member = factories.member(tree["a1"], commune_code=commune_code)
    first = letter_issue(actor=clerk_a, member=member)
    notice = change_notice_issue(
        actor=clerk_a,
        member=member,
        kind=ChangeKind.POSITION,
        effective_date=datetime.date.today(),
        details="Bổ nhiệm Trưởng phòng",
    )
    assert notice.document.symbol == "1-TB/ĐU"
    assert ResidenceLink.objects.get(pk=first.pk).state == LinkState.LETTER_ISSUED
    change_notice_issue(actor=clerk_a, member=member, kind=ChangeKind.MOVED_HOUSE, effective_date=datetime.date.today())
    first.refresh_from_db()
    assert first.state == LinkState.ENDED and first.end_reason == ChangeKind.MOVED_HOUSE
    second = letter_issue(actor=clerk_a, member=member)
    assert second.pk != first.pk and second.letter.symbol == "2-GGT/ĐU"
    assert ResidenceLink.objects.filter(member=member).count() == 2


def test_database_allows_one_open_link_per_member(tree, clerk_a, signing, commune_code):
    from django.db import IntegrityError, transaction

    member = factories.member(tree["a1"], commune_code=commune_code)
    link = letter_issue(actor=clerk_a, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidenceLink.objects.create(
            member=member,
            workplace_committee=tree["a"],
            workplace_path=tree["a"].path,
            residence_commune=link.residence_commune,
        )


def test_a_member_taken_out_of_qd_213_after_the_letter_is_owed_no_new_one(setup):
    """Revoking the letter (or a change notice) of a member no longer covered keeps no letter clock
    (the database refuses one: it was a 500)."""
    from dangvien.models import Member
    from dangvien.services import letter_revoke, member_update

    link = letter_issue(actor=setup["clerk"], member=setup["member"])
    member_update(actor=setup["clerk"], member=setup["member"], data={"covered_213": False})
    letter_revoke(actor=setup["clerk"], link=link, reason="Không còn thuộc diện")
    assert Member.objects.get(pk=setup["member"].pk).awaiting_letter_since is None
    link.refresh_from_db()
    assert link.state == LinkState.PENDING
