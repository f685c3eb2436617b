"""Formality flags: per residence branch and year, the shares of its signed forms with identical
remarks, every criterion at the top, no Front-committee meeting recorded by the signing day, or
filled in implausibly little time; flagged against the thresholds in the settings, added up the
tree, shown on the dashboard with the branches behind each flag, and in the formal report."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from baocao.models import OrgFigures
from baocao.services import figures_refresh
from chibo.models import Role
from nhanxet import services
from nhanxet.models import Evaluation
from tests import factories
from tests.nhanxet.conftest import full_answers

pytestmark = pytest.mark.django_db


def _signed_forms(data, remarks, level="good"):
    """One signed yearly form per remark, for the branch's members (more members when needed)."""
    links = list(data["links"])
    extra = len(remarks) - len(links)
    if extra > 0:
        members = [factories.member(data["a1"], full_name=f"Phạm Văn Thêm{i}", commune_code=70) for i in range(extra)]
        links += factories.links_like(data["links"][0], members, data["res"])
    forms = []
    for link, remark in zip(links, remarks, strict=False):
        forms.append(
            services.evaluation_save(
                actor=data["secretary"],
                link=link,
                year=data["year"],
                lock_version=0,
                answers=full_answers(data["period"].criteria_set, level),
                remarks=remark,
                conclusion="none",
            )
        )
    return services.evaluations_sign(actor=data["secretary"], branch=data["res"], ids=[f.pk for f in forms])


def _figures(org, year):
    return OrgFigures.objects.get(organization=org, year=year).data


def test_a_branch_is_flagged_for_each_sign_its_forms_share(period, settings):
    year = period["year"]
    remarks = ["Gương mẫu, nhiệt tình."] * 3 + ["gương mẫu,  nhiệt tình"] + ["Tích cực vận động", ""]
    forms = _signed_forms(period, remarks)
    assert len(forms) == 6 and {f.fill_seconds for f in forms} == {0}  # each filled in one save
    # Two forms took ten minutes; the branch's Front meeting is recorded today, after two forms
    # signed last week.
    Evaluation.objects.filter(pk__in=[forms[0].pk, forms[1].pk]).update(fill_seconds=600)
    last_week = timezone.now() - datetime.timedelta(days=7)
    Evaluation.objects.filter(pk__in=[forms[2].pk, forms[3].pk]).update(signed_at=last_week)
    figures_refresh(year=year)
    branch = _figures(period["res"], year)
    assert branch["formality.forms"] == 6 and branch["formality.judged"] == 1
    assert branch["formality.identical"] == 4  # the same words, case, spacing and full stop aside
    assert branch["formality.all_top"] == 6
    assert branch["formality.no_front"] == 2
    assert branch["formality.quick"] == 4
    assert {k for k in branch if k.startswith("flag.")} == {
        "flag.identical",
        "flag.all_top",
        "flag.no_front",
        "flag.quick",
    }
    # Added up the tree: the commune and the province count one branch per flag.
    for org in (period["commune"], period["province"]):
        data = _figures(org, year)
        assert (data["flag.all_top"], data["formality.judged"], data["formality.forms"]) == (1, 1, 6)
    # Thresholds are settings: a higher one, or too few forms to judge, and nothing is flagged.
    settings.FORMALITY_QUICK_FILL_SHARE = 0.8
    settings.FORMALITY_ALL_TOP_SHARE = 1.01
    figures_refresh(year=year)
    branch = _figures(period["res"], year)
    assert "flag.quick" not in branch and "flag.all_top" not in branch and "flag.identical" in branch
    settings.FORMALITY_MIN_FORMS = 7
    figures_refresh(year=year)
    branch = _figures(period["res"], year)
    assert "formality.judged" not in branch and not [k for k in branch if k.startswith("flag.")]
    assert branch["formality.identical"] == 4  # the forms are still counted


def test_a_branch_with_varied_considered_forms_is_not_flagged(period):
    remarks = ["Gương mẫu", "Tích cực", "Nhiệt tình", "Có uy tín", "Hòa nhã", "Vận động tốt"]
    forms = _signed_forms(period, remarks, level="fair")
    Evaluation.objects.filter(pk__in=[f.pk for f in forms]).update(fill_seconds=300)
    figures_refresh(year=period["year"])
    branch = _figures(period["res"], period["year"])
    assert branch["formality.judged"] == 1 and not [k for k in branch if k.startswith("flag.")]


def test_the_board_sees_the_flags_and_the_branches_behind_them(client, period):
    year = period["year"]
    _signed_forms(period, ["Tốt"] * 6)
    figures_refresh(year=year)
    board = factories.user("board_p", roles=[(period["province"], Role.BOARD_VIEWER)])
    client.force_login(board)
    page = client.get(reverse("baocao:org", args=[period["province"].pk]), {"year": year}).content.decode()
    card = page[page.index('data-testid="formality"') :]
    card = card[: card.index("</section>")]
    assert "Dấu hiệu hình thức trong nhận xét hằng năm" in card
    assert "Chi bộ có từ 90 % số phiếu trở lên mọi tiêu chí ở mức cao nhất" in card
    drill = reverse("baocao:flagged", args=[period["province"].pk, "all_top"])
    assert drill in card
    listing = client.get(drill, {"year": year})
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Chi bộ khu phố 1" in body and reverse("nhanxet:branch", args=[period["res"].pk, year]) in body
    assert "6 (100 %)" in body
    # The board opens the branch and its forms (read only); a neighbour's board gets a 404.
    assert client.get(reverse("nhanxet:branch", args=[period["res"].pk, year])).status_code == 200
    other = factories.user("board_q", roles=[(period["other_province"], Role.BOARD_VIEWER)])
    client.force_login(other)
    assert client.get(drill, {"year": year}).status_code == 404
    assert client.get(reverse("baocao:flagged", args=[period["province"].pk, "nonsense"])).status_code == 404


def test_the_report_states_the_flags(period):
    from baocao.selectors import dashboard
    from baocao.services import report_content

    _signed_forms(period, ["Tốt"] * 6)
    figures_refresh(year=period["year"])
    board_viewer = factories.user("board_p", roles=[(period["province"], Role.BOARD_VIEWER)])
    board = dashboard(board_viewer, period["province"].pk, period["year"], None)
    content = report_content(board)["extra"]["formality"]
    assert content["judged"] == "1" and content["min_forms"] == 5
    assert ("mọi tiêu chí ở mức cao nhất", 90, "1", "6") in content["lines"]
