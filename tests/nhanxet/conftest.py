import datetime

import pytest
from django.utils import timezone


def open_period(actor, commune, scope="all"):
    """This year's period of the commune, with December deadlines in order."""
    from nhanxet.services import period_open

    year = timezone.localdate().year
    return period_open(
        actor=actor,
        organization=commune,
        year=year,
        scope=scope,
        branch_deadline=datetime.date(year, 12, 10),
        confirm_deadline=datetime.date(year, 12, 20),
        forward_deadline=datetime.date(year, 12, 31),
    )


@pytest.fixture
def period(branch):
    """The commune opened this year's period over its branches; the branch met the Front committee."""
    from nhanxet.services import front_meeting_record

    year = timezone.localdate().year
    period = open_period(branch["office"], branch["commune"])
    front_meeting_record(
        actor=branch["secretary"],
        branch=branch["res"],
        year=year,
        held_on=timezone.localdate(),
        attendees="Chi ủy; Ban công tác Mặt trận khu phố 1",
    )
    return {**branch, "period": period, "year": year}


def full_answers(criteria_set, level="good"):
    return {c.code: level for c in criteria_set.criteria.all()}


def fill(data, link, *, conclusion="none", details="", level="good", actor=None):
    """A complete draft of a link's yearly form, saved through the service."""
    from nhanxet.selectors import form_current
    from nhanxet.services import evaluation_save

    current = form_current(link, data["year"])
    return evaluation_save(
        actor=actor or data["secretary"],
        link=link,
        year=data["year"],
        lock_version=current.lock_version if current else 0,
        answers=full_answers(data["period"].criteria_set, level),
        conclusion=conclusion,
        conclusion_details=details,
    )
