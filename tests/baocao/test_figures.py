"""Every figure against the hand-built scene (tests/baocao/conftest.py), where the answer is known."""

import datetime

from baocao.figures import Context, compute, figure
from baocao.models import FiguresRefresh, OrgFigures
from baocao.selectors import derive
from baocao.services import figures_refresh


def _stored(org, year):
    row = OrgFigures.objects.filter(organization=org, year=year).first()
    return derive(row.data if row else {}, None)


def test_province_figures(scene):
    refresh = figures_refresh(year=scene["year"])
    assert FiguresRefresh.objects.get(year=scene["year"]) == refresh and refresh.organizations > 0
    f = _stored(scene["province"], scene["year"])
    h = scene["half"]
    # Coverage: 5 received members + X + Y; Y is not introduced (§1.2), 4's member is exempt (§1.1).
    assert (f["covered"], f["exempt.barracks"], f["exempt.secret_duty"]) == (7, 1, 1)
    assert (f["not_introduced"], f["exempt_meetings"], f["to_introduce"]) == (1, 1, 6)
    # The mover counts once: his old link ended, the new one is received.
    assert (f["introduced"], f["acknowledged"], f["introduced_pct"]) == (5, 5, 83.3)
    assert (f["residing"], f["branches_with_members"], f["links_active"]) == (5, 2, 0)
    assert (f["intro_overdue"], f["letters_waiting"], f["letters_late_sent"]) == (0, 0, 0)
    # One meeting this half-year at res: two present, one excused, one not (the exempt member is not on the sheet).
    assert (f[f"meetings_h{h}"], f[f"branches_met_h{h}"], f["branches_met"], f["met_pct"]) == (1, 1, 1, 50.0)
    assert (f["attended"], f["excused"], f["unexcused"], f["marked"], f["attendance_pct"]) == (2, 1, 1, 4, 50.0)
    assert f["absent_twice"] == 0
    # Forms: 0 forwarded, 1 corrected and signed again (once), 3 a draft; the mover's missing at
    # res2; 4 exempt is not due. One request.
    assert (f["forms_yearly"], f["forms_missing"], f["expected"], f["requested"], f["expected_total"]) == (
        3,
        1,
        4,
        1,
        5,
    )
    assert (f["filled"], f["signed"], f["confirmed"], f["forwarded"], f["signed_pct"]) == (3, 2, 1, 1, 40.0)
    assert (f["conclusion.commend"], f["conclusion.handle"], f["conclusion.none"]) == (1, 1, 0)
    assert (f["rated"], f["rating.qd366.good"], f["rating_x.qd366.good.commend"]) == (1, 1, 1)
    # Scored 85 under QĐ 366: the band 80–90 of the ten.
    assert (f["score.qd366.8"], sum(f[f"score.qd366.{band}"] for band in range(10))) == (1, 1)
    assert f["overdue"] == 0  # the deadlines are in December
    criteria = scene["period"].criteria_set
    first = criteria.criteria.order_by("order").first()
    assert (f[f"level.{criteria.pk}.{first.code}.good"], f[f"level.{criteria.pk}.{first.code}.fair"]) == (1, 1)


def test_figures_per_organisation_add_up(scene):
    figures_refresh(year=scene["year"])
    a, b, res, res2 = (_stored(scene[k], scene["year"]) for k in ("a", "b", "res", "res2"))
    assert (a["covered"], b["covered"]) == (5, 2)
    assert (a["introduced"], b["introduced"], a["exempt.secret_duty"], b["exempt.barracks"]) == (3, 2, 1, 1)
    assert (res["residing"], res2["residing"]) == (4, 1)
    assert (res["forms_missing"], res2["forms_missing"], res["forms_yearly"]) == (0, 1, 3)
    assert (res["branches_met"], res2["branches_met"], res2["attended"]) == (1, 0, 0)
    assert (a["rated"], b["rated"]) == (1, 0)
    # Nothing is stored for an organisation with nothing to count; the other province sees none of it.
    assert not OrgFigures.objects.filter(organization=scene["other_province"]).exists()


def test_overdue_stages_follow_the_period_deadlines(scene):
    year = scene["year"]
    after_branch = compute(Context.of(year, datetime.date(year, 12, 15)))[scene["province"].path]
    # Not signed by 10/12: the mover (nothing at res2) and link 3 (a draft).
    assert after_branch["overdue_unsigned"] == 2 and after_branch["overdue_unconfirmed"] == 0
    after_confirm = compute(Context.of(year, datetime.date(year, 12, 21)))[scene["province"].path]
    assert after_confirm["overdue_unconfirmed"] == 1  # link 1's corrected form, signed only
    # X has waited more than the 30 days of the letter rule; Y is not to be introduced.
    later = scene["today"] + datetime.timedelta(days=31)
    assert compute(Context.of(year, later))[scene["province"].path]["intro_overdue"] == 1
    assert (
        compute(Context.of(year, scene["today"] + datetime.timedelta(days=6)))[scene["province"].path][
            "requests_overdue"
        ]
        == 1
    )


def test_drill_down_lists_the_members_behind_each_count(scene):
    figures_refresh(year=scene["year"])
    ctx = Context.of(scene["year"])
    stored = _stored(scene["province"], scene["year"])
    path = scene["province"].path
    keys = ("covered", "introduced", "residing", "forms_missing", "signed", "conclusion.handle", "rating.qd366.good")
    for key in (*keys, "score.qd366.8"):
        members = figure(key).members(ctx, [path])
        assert members.count() == stored[key], key
    assert set(figure("forms_missing").members(ctx, [path])) == {scene["mover"]}
    assert set(figure("exempt.secret_duty").members(ctx, [path])) == {scene["y"]}
    assert scene["z"] not in figure("covered").members(ctx, [path])
    assert figure("nonsense") is None and figure("conclusion.x.y") is None
    assert figure("rating.qd366.best") is None and figure("rating.qd999.good") is None
    assert figure("score.qd124.8") is None and figure("score.qd366.10") is None  # QĐ 124 has no score
    assert figure("rating.qd366.good").label == "QĐ 366: Hoàn thành tốt nhiệm vụ"


def test_figures_stored_before_schemes_and_packs_read_under_todays_keys():
    """A year refreshed before ratings had schemes and exemption kinds were counted kept keys like
    rating.good and no exempt_kind.*: read now, they are QĐ 124's levels and QĐ 213's kinds."""
    stored = {
        "covered": 10,
        "rating.excellent": 2,
        "rating.good": 5,
        "rating_x.good.commend": 1,
        "exempt.barracks": 2,
        "exempt.full_time_study": 1,
        "exempt.other": 1,
    }
    f = derive(stored, None)
    assert (f["rating.qd124.excellent"], f["rating.qd124.good"], f["rating_x.qd124.good.commend"]) == (2, 5, 1)
    assert f["rating.excellent"] == 0
    # HD 33 §1: barracks and full-time study are introduced but exempt from meetings; "other" is not introduced.
    assert (f["exempt_meetings"], f["not_introduced"], f["to_introduce"]) == (3, 1, 9)
    # Figures written today pass through as they are.
    today = {"covered": 4, "rating.qd366.good": 3, "exempt.barracks": 1, "exempt_kind.exempt_meetings": 1}
    assert derive(today, None)["rating.qd366.good"] == 3 and derive(today, None)["exempt_meetings"] == 1
