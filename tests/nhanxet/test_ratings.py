"""The year-end quality rating under the rating scheme of its year (QĐ 124 to 2024, QĐ 366 from
2025): the score and its groups, the level checked against the score's band, the reason for a
lower level, the page with its field messages, and the migration that kept the ratings made
before schemes were data."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from nhanxet import services
from nhanxet.models import QualityRating, RatingScheme
from nhatky.models import AuditEvent

from .conftest import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(period):
    """A member whose residence form was signed, confirmed and forwarded this year."""
    form = fill(period, period["links"][0])
    services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[form.pk])
    services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[form.pk])
    services.evaluations_forward(actor=period["office"], commune=period["commune"], ids=[form.pk])
    return {**period, "member": period["links"][0].member, "form": form}


def _record(data, **kwargs):
    kwargs.setdefault("year", data["year"])
    return services.rating_record(actor=data["clerk_a"], member=data["member"], **kwargs)


def test_each_year_is_rated_under_its_scheme():
    assert RatingScheme.objects.of_year(2023).code == "qd124"
    assert RatingScheme.objects.of_year(2024).code == "qd124"
    assert RatingScheme.objects.of_year(2025).code == "qd366"
    assert RatingScheme.objects.of_year(timezone.localdate().year).code == "qd366"
    qd366 = RatingScheme.objects.get(code="qd366")
    assert [level["min_score"] for level in qd366.levels] == [90, 70, 50, 0]
    assert sum(group["max"] for group in qd366.groups) == qd366.score_max == 100
    assert [qd366.band(Decimal(n))["code"] for n in (100, 90, 89, 70, 69, 50, 49, 0)] == [
        "excellent",
        "excellent",
        "good",
        "good",
        "done",
        "done",
        "not_done",
        "not_done",
    ]
    assert RatingScheme.objects.get(code="qd124").has_score is False


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"level": "good"}, "score"),
        ({"level": "good", "score": 101}, "score"),
        ({"level": "good", "score": -1}, "score"),
        ({"level": "good", "score": "85,5"}, "score"),
        ({"level": "good", "score": Decimal("85.25")}, "score"),
        ({"level": "good", "score": "tám mươi"}, "score"),
        ({"level": "good", "score": "NaN"}, "score"),
        ({"level": "good", "score": "1e309"}, "score"),
        ({"level": "excellent", "score": 85}, "level"),
        ({"level": "done", "score": 85}, "lower_reason"),
        ({"level": "done", "score": 85, "lower_reason": "   "}, "lower_reason"),
        ({"level": "best", "score": 85}, "level"),
        ({"level": "good", "score": 85, "group_scores": {"general": 31, "tasks": 54}}, "group_general"),
        ({"level": "good", "score": 85, "group_scores": {"general": 25}}, "group_tasks"),
        ({"level": "good", "score": 85, "group_scores": {"general": 25, "tasks": 58}}, "score"),
        ({"level": "good", "score": 85, "scheme": "qd124"}, "scheme"),
    ],
)
def test_refused_ratings_under_qd366_say_why_at_the_field_and_save_nothing(rated, kwargs, field):
    with pytest.raises(ValidationError) as refused:
        _record(rated, **kwargs)
    assert field in refused.value.message_dict, refused.value.message_dict
    assert not QualityRating.objects.exists()
    assert not AuditEvent.objects.filter(action="quality_rating.record").exists()


def test_messages_are_vietnamese_and_name_the_band(rated):
    with pytest.raises(ValidationError) as refused:
        _record(rated, level="excellent", score=85)
    assert refused.value.message_dict["level"] == [
        "Với 85 điểm, mức cao nhất là “Hoàn thành tốt nhiệm vụ” (từ 70 đến dưới 90 điểm): không xếp loại cao hơn "
        "khung điểm."
    ]
    with pytest.raises(ValidationError) as refused:
        _record(rated, level="good", score="85,5")
    assert refused.value.message_dict["score"] == ["Theo QĐ 366, điểm là số nguyên."]


def test_a_rating_under_qd366_keeps_score_groups_level_and_reason(rated):
    rating = _record(rated, level="good", score="85", group_scores={"general": "27", "tasks": "58"})
    assert rating.scheme.code == "qd366" and rating.score == 85 and rating.level == "good"
    assert rating.group_scores == {"general": "27", "tasks": "58"} and rating.lower_reason == ""
    assert rating.evaluation == rated["form"] and rating.scheme.is_frozen
    # Groups alone make the score.
    rating = _record(rated, level="good", group_scores={"general": "25", "tasks": "50"})
    assert rating.score == 75
    # Below the band, with the reason; the reason is dropped when the level is the band's.
    rating = _record(rated, level="done", score=85, lower_reason="Chưa đạt điều kiện về kỷ luật")
    assert rating.level == "done" and rating.lower_reason == "Chưa đạt điều kiện về kỷ luật"
    rating = _record(rated, level="good", score=85, lower_reason="Không cần")
    assert rating.lower_reason == ""
    assert QualityRating.objects.count() == 1
    event = AuditEvent.objects.filter(action="quality_rating.record").order_by("pk").last()
    assert event.changes["scheme"] == "qd366" and event.changes["score"] == "85"
    assert event.changes["before"]["level"] == "done" and event.changes["before"]["lower_reason"]


def test_a_year_before_2025_is_rated_in_levels_only_under_qd124(rated):
    with pytest.raises(ValidationError) as refused:
        _record(rated, year=2024, level="good", score=80)
    assert refused.value.message_dict["score"] == ["QĐ 124 xếp loại theo mức, không chấm điểm: để trống ô điểm."]
    rating = _record(rated, year=2024, level="good")
    assert rating.scheme.code == "qd124" and rating.score is None
    with pytest.raises(ValidationError) as refused:
        _record(rated, year=2024, level="good", scheme="qd366")
    assert "scheme" in refused.value.message_dict


def test_the_rating_page_shows_the_scheme_and_puts_errors_at_their_fields(client, rated):
    url = reverse("nhanxet:rating", args=[rated["member"].pk, rated["year"]])
    client.force_login(rated["clerk_a"])
    page = client.get(url).content.decode()
    assert "QĐ 366" in page and "từ 70 đến dưới 90 điểm" in page
    assert "Nhóm tiêu chí chung (tối đa 30 điểm)" in page
    assert "Tham gia đầy đủ" in page  # the residence form beside the rating
    response = client.post(url, {"scheme": "qd366", "score": "85", "level": "excellent"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "level" in form.errors and "khung điểm" in form.errors["level"][0]
    response = client.post(url, {"scheme": "qd366", "score": "105", "level": "good"})
    assert response.context["form"].errors["score"] == ["Điểm từ 0 đến 100."]
    response = client.post(url, {"scheme": "qd366", "score": "85", "level": "done"})
    assert "lower_reason" in response.context["form"].errors
    assert not QualityRating.objects.exists()
    response = client.post(url, {"scheme": "qd366", "score": "85", "level": "good", "then": "list"})
    assert response.status_code == 302
    page = client.get(reverse("nhanxet:incoming") + f"?year={rated['year']}").content.decode()
    assert "85 · Hoàn thành tốt nhiệm vụ" in page
    # Opening the page reads the member's residence form: the access log has it.
    from nhatky.models import AccessEvent

    assert AccessEvent.objects.filter(member_id=rated["member"].pk, actor=rated["clerk_a"]).exists()


def test_save_and_next_goes_to_the_next_member_not_yet_rated(client, rated):
    others = []
    for link in rated["links"][1:3]:
        form = fill(rated, link)
        services.evaluations_sign(actor=rated["secretary"], branch=rated["res"], ids=[form.pk])
        services.evaluations_confirm(actor=rated["office"], commune=rated["commune"], ids=[form.pk])
        services.evaluations_forward(actor=rated["office"], commune=rated["commune"], ids=[form.pk])
        others.append(link.member)
    client.force_login(rated["clerk_a"])
    first = sorted([rated["member"], *others], key=lambda m: (m.sort_key, m.pk))
    url = reverse("nhanxet:rating", args=[first[0].pk, rated["year"]])
    response = client.post(url, {"scheme": "qd366", "score": "95", "level": "excellent", "then": "next"})
    assert response["Location"] == reverse("nhanxet:rating", args=[first[1].pk, rated["year"]])


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_earlier_ratings_under_qd124(tree, admin_user):
    """Ratings recorded before schemes were data stay as they were, under QĐ 124."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests import factories

    branch = factories.branch(tree, admin_user)
    member = branch["links"][0].member
    executor = MigrationExecutor(connection)
    executor.migrate([("nhanxet", "0003_invariant_constraints")])
    old = executor.loader.project_state([("nhanxet", "0003_invariant_constraints")]).apps
    OldRating = old.get_model("nhanxet", "QualityRating")
    OldRating.objects.create(
        member_id=member.pk,
        workplace_committee_id=branch["a"].pk,
        workplace_path=branch["a"].path,
        year=2025,
        level="excellent",
        notes="Ghi trước khi có QĐ 366",
        rated_by_id=branch["clerk_a"].pk,
        rated_at=datetime.datetime(2026, 1, 10, tzinfo=datetime.UTC),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    rating = QualityRating.objects.select_related("scheme").get()
    assert (rating.scheme.code, rating.level, rating.score, rating.notes) == (
        "qd124",
        "excellent",
        None,
        "Ghi trước khi có QĐ 366",
    )
    assert rating.scheme.is_frozen and rating.level_label == "Hoàn thành xuất sắc nhiệm vụ"


def test_the_member_record_shows_each_year_under_its_scheme(client, rated):
    _record(rated, level="done", score=85, lower_reason="Chưa đạt điều kiện về kỷ luật")
    _record(rated, year=2024, level="excellent")
    client.force_login(rated["clerk_a"])
    page = client.get(reverse("dangvien:detail", args=[rated["member"].pk])).content.decode()
    table = page[page.index('data-testid="year-end"') :]
    assert "85 điểm, <strong>Hoàn thành nhiệm vụ</strong>" in table and "(QĐ 366)" in table
    assert "Chưa đạt điều kiện về kỷ luật" in table
    assert '<strong>Hoàn thành xuất sắc nhiệm vụ</strong> <span class="small text-muted">(QĐ 124)' in table
    rated["form"].refresh_from_db()
    assert rated["form"].document.symbol in table
    assert table.index(str(rated["year"])) < table.index("2024")  # newest first


@pytest.mark.django_db(transaction=True)
def test_two_first_ratings_at_once_one_is_kept_the_other_told(rated):
    """Two clerks rate the same member for the first time at the same moment: the second insert
    waits on the first, then is told to reload, and the first rating stands untouched."""
    import threading
    import time

    from django.db import connection, transaction

    ready = threading.Event()

    def first_clerk():
        try:
            with transaction.atomic():
                _record(rated, level="good", score=80)
                ready.set()
                with connection.cursor() as cursor:  # commit once the other clerk's insert waits on ours
                    for _ in range(400):
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            " AND datname = current_database()"
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.025)
        finally:
            connection.close()

    thread = threading.Thread(target=first_clerk)
    thread.start()
    assert ready.wait(20)
    with pytest.raises(ValidationError, match="Vừa có người xếp loại"):
        _record(rated, level="excellent", score=95)
    thread.join(20)
    rating = QualityRating.objects.get(member=rated["member"], year=rated["year"])
    assert (rating.level, rating.score) == ("good", 80)
    assert AuditEvent.objects.filter(action="quality_rating.record").count() == 1


def test_a_rating_needs_a_person(rated):
    with pytest.raises(PermissionDenied):
        services.rating_record(actor=None, member=rated["member"], year=rated["year"], level="good", score=80)


@pytest.mark.parametrize("score", ["90", "100", "85,5"])
def test_the_page_shows_a_recorded_score_as_typed(client, rated, score):
    """A round score comes back as it was typed (90, not 9E+1), so saving the page again keeps it."""
    scheme = RatingScheme.objects.get(code="qd366")
    if score == "85,5":
        RatingScheme.objects.filter(pk=scheme.pk).update(score_decimals=1)
    level = "excellent" if score != "85,5" else "good"
    _record(rated, level=level, score=score)
    client.force_login(rated["clerk_a"])
    page = client.get(reverse("nhanxet:rating", args=[rated["member"].pk, rated["year"]]))
    assert page.context["form"]["score"].value() in (score, score.replace(",", "."))


def _scheme(**kwargs):
    data = {
        "code": "qd999",
        "short_name": "QĐ 999",
        "regulation": "Quy định số 999-QĐ/TW",
        "first_year": 2090,
        "score_max": 100,
        "groups": [{"code": "general", "label": "Chung", "max": 40}, {"code": "duty", "label": "Nhiệm vụ", "max": 60}],
        "levels": [
            {"code": "excellent", "label": "Xuất sắc", "min_score": 90},
            {"code": "good", "label": "Tốt", "min_score": 70},
            {"code": "not_done", "label": "Không hoàn thành", "min_score": 0},
        ],
    }
    return RatingScheme(**{**data, **kwargs})


@pytest.mark.parametrize(
    "change, field",
    [
        ({"levels": []}, "levels"),
        ({"levels": [{"code": "a" * 21, "label": "Dài", "min_score": 0}]}, "levels"),
        ({"levels": [{"code": "good", "label": "", "min_score": 0}]}, "levels"),
        (
            {
                "levels": [
                    {"code": "good", "label": "Tốt", "min_score": 0},
                    {"code": "good", "label": "Tốt", "min_score": 0},
                ]
            },
            "levels",
        ),
        # worst first, a band without its lowest score, a last band above 0, a band above the top
        (
            {
                "levels": [
                    {"code": "bad", "label": "Kém", "min_score": 0},
                    {"code": "good", "label": "Tốt", "min_score": 70},
                ]
            },
            "levels",
        ),
        ({"levels": [{"code": "good", "label": "Tốt"}, {"code": "bad", "label": "Kém", "min_score": 0}]}, "levels"),
        (
            {
                "levels": [
                    {"code": "good", "label": "Tốt", "min_score": 70},
                    {"code": "bad", "label": "Kém", "min_score": 10},
                ]
            },
            "levels",
        ),
        (
            {
                "levels": [
                    {"code": "good", "label": "Tốt", "min_score": 170},
                    {"code": "bad", "label": "Kém", "min_score": 0},
                ]
            },
            "levels",
        ),
        ({"groups": [{"code": "general", "label": "Chung", "max": 40}]}, "groups"),
        ({"groups": [{"code": "general", "label": "Chung"}]}, "groups"),
        ({"score_max": None}, "groups"),
    ],
)
def test_a_scheme_is_checked_before_it_is_kept(admin_user, change, field):
    with pytest.raises(ValidationError) as refused:
        services.rating_scheme_save(actor=admin_user, scheme=_scheme(**change))
    assert field in refused.value.message_dict
    assert not RatingScheme.objects.filter(code="qd999").exists()


def test_a_new_scheme_is_audited_and_one_in_use_stays(admin_user, rated):
    scheme = services.rating_scheme_save(actor=admin_user, scheme=_scheme(), changed=["code"])
    assert AuditEvent.objects.filter(action="rating_scheme.create", object_id=str(scheme.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.rating_scheme_save(actor=rated["clerk_a"], scheme=_scheme(code="qd998", first_year=2091))
    services.rating_scheme_delete(actor=admin_user, scheme=scheme)
    assert AuditEvent.objects.filter(action="rating_scheme.delete").exists()
    _record(rated, level="good", score=80)
    in_use = RatingScheme.objects.get(code="qd366")
    in_use.short_name = "QĐ 366 (sửa)"
    with pytest.raises(ValidationError):
        services.rating_scheme_save(actor=admin_user, scheme=in_use)
    with pytest.raises(ValidationError):
        services.rating_scheme_delete(actor=admin_user, scheme=in_use)
    assert RatingScheme.objects.get(code="qd366").short_name == "QĐ 366"
