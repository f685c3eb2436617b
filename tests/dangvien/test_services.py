import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from dangvien.models import Member
from dangvien.services import member_create, member_update
from nhatky.models import AuditEvent
from tests import factories


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def _errors(clerk, organization, **overrides):
    before = Member.objects.count()
    with pytest.raises(ValidationError) as exc:
        member_create(actor=clerk, data=factories.member_data(organization, **overrides))
    assert Member.objects.count() == before
    return exc.value.message_dict


def test_create_normalises_and_derives_keys(tree, clerk_a):
    m = member_create(
        actor=clerk_a,
        data=factories.member_data(tree["a1"], full_name="  Nguye\u0302\u0303n   Thị  Ánh ", gender="female"),
    )
    assert m.full_name == "Nguyễn Thị Ánh"
    assert m.search_name == "nguyen thi anh"
    assert m.org_path == tree["a1"].path
    assert m.history.count() == 1 and m.history.first().history_user == clerk_a
    assert AuditEvent.objects.filter(action="member.create", object_id=str(m.pk), actor=clerk_a).exists()


def test_wrong_citizen_id_length(tree, clerk_a):
    errors = _errors(clerk_a, tree["a1"], citizen_id="0330850123")
    assert "12" in errors["citizen_id"][0]


def test_card_number_taken(tree, clerk_a):
    factories.member(tree["a1"], card_number="48012345")
    errors = _errors(clerk_a, tree["a1"], card_number="48012345")
    assert errors["card_number"] == ["Số thẻ đảng viên này đã được dùng cho một đảng viên khác. Vui lòng kiểm tra lại."]


def test_citizen_id_taken(tree, clerk_a):
    m = factories.member(tree["a1"])
    errors = _errors(clerk_a, tree["a2"], citizen_id=m.citizen_id)
    assert "citizen_id" in errors


def test_full_membership_before_admission(tree, clerk_a):
    errors = _errors(clerk_a, tree["a1"], full_membership_date=datetime.date(2009, 1, 1))
    assert "full_membership_date" in errors


def test_birth_date_in_future(tree, clerk_a):
    errors = _errors(clerk_a, tree["a1"], birth_date=datetime.date.today() + datetime.timedelta(days=3))
    assert "birth_date" in errors


def test_control_characters_in_name(tree, clerk_a):
    errors = _errors(clerk_a, tree["a1"], full_name="Nguyễn\x07 Văn A")
    assert "full_name" in errors


def test_probationary_member_has_no_full_membership_date(tree, clerk_a):
    errors = _errors(clerk_a, tree["a1"], status="probationary")
    assert "status" in errors


def test_clerk_cannot_create_in_neighbour_org(tree, clerk_a):
    errors = _errors(clerk_a, tree["b1"])
    assert "organization" in errors


def test_update_records_diff_reason_and_history(tree, clerk_a):
    m = factories.member(tree["a1"])
    member_update(actor=clerk_a, member=m, data={"position": "Trưởng phòng"}, reason="Bổ nhiệm")
    event = AuditEvent.objects.filter(action="member.update", object_id=str(m.pk)).get()
    assert event.changes == {"position": ["Chuyên viên", "Trưởng phòng"]} and event.reason == "Bổ nhiệm"
    assert m.history.count() == 2
    assert m.history.first().history_change_reason == "Bổ nhiệm"


def test_update_without_change_writes_nothing(tree, clerk_a):
    m = factories.member(tree["a1"])
    member_update(actor=clerk_a, member=m, data={"position": "Chuyên viên"})
    assert not AuditEvent.objects.filter(action="member.update").exists()
    assert m.history.count() == 1


def test_update_moving_member_to_neighbour_refused(tree, clerk_a):
    m = factories.member(tree["a1"])
    with pytest.raises(ValidationError):
        member_update(actor=clerk_a, member=m, data={"organization": tree["b1"]})
    assert Member.objects.get(pk=m.pk).organization_id == tree["a1"].pk


def test_neighbour_clerk_cannot_update(tree, clerk_b):
    m = factories.member(tree["a1"])
    with pytest.raises(PermissionDenied):
        member_update(actor=clerk_b, member=m, data={"position": "x"})


def test_database_constraint_backs_the_form_check(tree):
    """Even a write that skips the service cannot break the date invariant."""
    from django.db import IntegrityError, transaction

    m = factories.member(tree["a1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=m.pk).update(full_membership_date=datetime.date(2000, 1, 1))


@pytest.mark.parametrize(
    "overrides",
    [
        {"gender": "x", "phone": "12ab", "email": "không-phải-thư"},
        {"citizen_id": "12", "card_number": "A" * 40, "status": "gone"},
        {"admission_date": datetime.date(1980, 1, 1)},  # before the birth: Member.clean
        {"full_name": "Nguyễn\x07Văn An", "position": "x" * 500},
    ],
)
def test_the_imports_check_finds_what_a_form_save_finds_without_a_query(tree, overrides, django_assert_num_queries):
    """value_problems is the import's check of a row (dangvien.services.members, shared with the
    forms' full_clean): the same fields refused, and not one query for the thousands of rows."""
    from dangvien.services.members import normalise, value_problems

    member = Member(**factories.member_data(tree["a1"], **overrides))
    normalise(member, derive=False)
    with django_assert_num_queries(0):
        problems = value_problems(member)
    with pytest.raises(ValidationError) as exc:
        member.full_clean(exclude=["org_path", "search_name", "sort_key"], validate_constraints=False)
    assert problems and set(problems) == set(exc.value.message_dict)
