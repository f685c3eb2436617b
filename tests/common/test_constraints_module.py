"""common.constraints: the one year range the database and the services share, and the
workplace rating refusing a year out of it at the field (it checked only the lower bound)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from common.constraints import YEAR_MAX, YEAR_MIN, IsNFC, check_year, is_year_in_range, year_in_range

RANGE_VI = "Hãy chọn năm từ 2000 đến 2100."


def test_check_year_refuses_both_bounds_at_the_field_in_vietnamese():
    assert (YEAR_MIN, YEAR_MAX) == (2000, 2100)
    check_year(YEAR_MIN)
    check_year(YEAR_MAX)
    with translation.override("vi"):
        for year in (YEAR_MIN - 1, YEAR_MAX + 1, -(2**31), 2**31, None, "2024", True):
            with pytest.raises(ValidationError) as refused:
                check_year(year, field="rated_year")
            assert refused.value.message_dict == {"rated_year": [RANGE_VI]}, year
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            check_year(YEAR_MAX + 1)
        assert refused.value.message_dict == {"year": ["Choose a year from 2000 to 2100."]}


def test_python_and_database_checks_agree():
    assert [is_year_in_range(y) for y in (1999, 2000, 2100, 2101)] == [False, True, True, False]
    condition = dict(year_in_range("held").children)
    assert condition == {"held__gte": YEAR_MIN, "held__lte": YEAR_MAX}


def test_migrations_still_find_isnfc_in_chibo_models():
    # chibo 0009 and dangvien 0012 write chibo.models.IsNFC: the same class, so no new migration.
    import chibo.models

    assert chibo.models.IsNFC is IsNFC


@pytest.mark.django_db
def test_workplace_rating_refuses_a_year_above_the_range_at_the_field(branch):
    from nhanxet.models import QualityRating
    from nhanxet.services import rating_record

    member = branch["links"][0].member
    with translation.override("vi"):
        for year in (YEAR_MAX + 1, 2**31, YEAR_MIN - 1):
            with pytest.raises(ValidationError) as refused:
                rating_record(actor=branch["clerk_a"], member=member, year=year, level="good")
            assert refused.value.message_dict == {"year": [RANGE_VI]}, year
    assert not QualityRating.objects.exists()


@pytest.mark.django_db
def test_workplace_rating_upper_bound_does_not_rest_on_the_clock(branch, monkeypatch):
    """Once today is past YEAR_MAX, "a year that has not come" no longer guards the top: the
    service must still refuse 2101 at the field, not leave it to the database (a 500)."""
    from nhanxet.models import QualityRating
    from nhanxet.services import rating_record

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(YEAR_MAX + 2, 1, 1))
    with pytest.raises(ValidationError) as refused:
        rating_record(actor=branch["clerk_a"], member=branch["links"][0].member, year=YEAR_MAX + 1, level="good")
    assert set(refused.value.message_dict) == {"year"}
    assert not QualityRating.objects.exists()


@pytest.mark.django_db
def test_meeting_keeps_its_own_fields_and_messages(branch):
    from chibo.services import meeting_schedule

    fields = {
        "actor": branch["secretary"],
        "branch": branch["res"],
        "kind": "periodic",
        "place": "Nhà văn hóa",
        "agenda": "Sinh hoạt",
    }
    with translation.override("vi"):
        with pytest.raises(ValidationError) as refused:
            meeting_schedule(
                **fields,
                starts_at=datetime.datetime(YEAR_MAX + 1, 1, 5, 19, 30, tzinfo=datetime.UTC),
                year=YEAR_MAX,
                half=1,
            )
        assert refused.value.message_dict == {"starts_at": ["Ngày phải thuộc một năm từ 2000 đến 2100."]}
        for year, half in ((YEAR_MAX + 1, 1), (timezone.localdate().year, 3)):
            with pytest.raises(ValidationError) as refused:
                meeting_schedule(**fields, starts_at=timezone.now(), year=year, half=half)
            assert refused.value.message_dict == {
                "half": ["Hãy chọn sáu tháng đầu hoặc cuối của một năm từ 2000 đến 2100."]
            }
