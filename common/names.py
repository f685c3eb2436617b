"""Realistic Vietnamese names and identity numbers for demo and scale data (deterministic per RNG)."""

import datetime
import random

# Family names with their approximate shares of the population.
FAMILY_NAMES = [
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.1),
    ("Hoàng", 3.1),
    ("Huỳnh", 2.0),
    ("Phan", 4.5),
    ("Vũ", 2.4),
    ("Võ", 1.5),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đinh", 0.6),
    ("Trịnh", 0.6),
    ("Đào", 0.5),
    ("Mai", 0.4),
    ("Lương", 0.4),
    ("Cao", 0.4),
    ("Tạ", 0.3),
    ("Lưu", 0.3),
    ("Chu", 0.2),
    ("Kiều", 0.1),
    ("Lâm", 0.3),
    ("Tô", 0.2),
    ("Hà", 0.4),
    ("Vương", 0.2),
]
MALE_MIDDLE = [
    "Văn",
    "Văn",
    "Văn",
    "Đức",
    "Minh",
    "Quang",
    "Hữu",
    "Xuân",
    "Thanh",
    "Ngọc",
    "Công",
    "Mạnh",
    "Trọng",
    "Quốc",
    "Tiến",
    "Anh",
    "Thành",
    "Đình",
    "Duy",
    "Hoàng",
]
FEMALE_MIDDLE = [
    "Thị",
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Phương",
    "Hồng",
    "Kim",
    "Bích",
    "Thùy",
    "Hải",
    "Diệu",
    "Mai",
]
MALE_GIVEN = [
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Giang",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khánh",
    "Kiên",
    "Long",
    "Lâm",
    "Minh",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Toàn",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Hoàng",
    "Hưng",
    "Khoa",
    "Lộc",
    "Thịnh",
]
FEMALE_GIVEN = [
    "An",
    "Anh",
    "Ánh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hồng",
    "Hương",
    "Huyền",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Thủy",
    "Trang",
    "Tuyết",
    "Uyên",
    "Vân",
    "Yến",
    "Thu",
    "Nga",
    "Nhàn",
    "Duyên",
    "Ân",
]
POSITIONS = [
    "Chuyên viên",
    "Chuyên viên chính",
    "Phó Trưởng phòng",
    "Trưởng phòng",
    "Kế toán viên",
    "Giáo viên",
    "Bác sĩ",
    "Điều dưỡng",
    "Kỹ sư",
    "Nhân viên",
    "Phó Giám đốc",
    "Cán sự",
]

_FAMILY, _WEIGHTS = zip(*FAMILY_NAMES, strict=True)


def person(rng: random.Random) -> tuple[str, str]:
    """(full name, gender)."""
    gender = "female" if rng.random() < 0.42 else "male"
    family = rng.choices(_FAMILY, weights=_WEIGHTS)[0]
    if gender == "female":
        middle, given = rng.choice(FEMALE_MIDDLE), rng.choice(FEMALE_GIVEN)
    else:
        middle, given = rng.choice(MALE_MIDDLE), rng.choice(MALE_GIVEN)
    return f"{family} {middle} {given}", gender


def birth_date(rng: random.Random, today: datetime.date) -> datetime.date:
    age_days = rng.randint(23 * 365, 60 * 365)
    return today - datetime.timedelta(days=age_days)


def citizen_id(rng: random.Random, place_code: str, gender: str, born: datetime.date, serial: int) -> str:
    """12 digits: birth-place code, century/gender digit, year of birth, then a 6-digit serial."""
    digit = ((born.year // 100) - 19) * 2 + (1 if gender == "female" else 0)
    return f"{place_code}{digit}{born.year % 100:02d}{serial % 1_000_000:06d}"
