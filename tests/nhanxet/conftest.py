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


def drafts_for(data, count, *, name="Phạm Văn Số"):
    """`count` more members received into the branch, each with a yearly draft (every other one
    complete), made in bulk: query-count tests need hundreds of forms."""
    from nhanxet.models import Evaluation
    from tests import factories

    members = [factories.member(data["a1"], full_name=f"{name}{i}", commune_code=70) for i in range(count)]
    links = factories.links_like(data["links"][0], members, data["res"])
    answers = full_answers(data["period"].criteria_set)
    return Evaluation.objects.bulk_create(
        Evaluation(
            member=link.member,
            link=link,
            branch=data["res"],
            branch_path=data["res"].path,
            commune=data["commune"],
            workplace_committee=link.workplace_committee,
            workplace_path=link.workplace_path,
            year=data["year"],
            period=data["period"],
            criteria_set=data["period"].criteria_set,
            pack=data["period"].pack,
            answers=answers if i % 2 else {},
            conclusion="none",
        )
        for i, link in enumerate(links)
    )
