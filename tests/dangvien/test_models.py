import datetime

import pytest
from django.core.exceptions import ValidationError

from dangvien.validators import check_citizen_id


def test_citizen_id_length():
    with pytest.raises(ValidationError, match="12"):
        check_citizen_id("12345")


def test_citizen_id_place_code():
    with pytest.raises(ValidationError):
        check_citizen_id("999085012345")


def test_citizen_id_matches_gender_and_year():
    check_citizen_id("033085012345", gender="male", birth_date=datetime.date(1985, 1, 1))
    check_citizen_id("033185012345", gender="female", birth_date=datetime.date(1985, 1, 1))
    check_citizen_id("033201012345", gender="male", birth_date=datetime.date(2001, 1, 1))
    with pytest.raises(ValidationError):
        check_citizen_id("033085012345", gender="female", birth_date=datetime.date(1985, 1, 1))
    with pytest.raises(ValidationError):
        check_citizen_id("033086012345", gender="male", birth_date=datetime.date(1985, 1, 1))
