"""Dates as Vietnamese official documents print them."""

import datetime


def vn_date(day: datetime.date) -> str:
    """'ngày 02 tháng 7 năm 2025' (Nghị định 30/2020: days below 10 and months 1–2 take a leading zero)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vn_place_date(place: str, day: datetime.date) -> str:
    return f"{place}, {vn_date(day)}" if place else vn_date(day).capitalize()
