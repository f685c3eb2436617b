"""Evaluation pages: the branch's list and fast form (autosave JSON, conflicts, field errors), the
commune's queue, the workplace's incoming forms; allow and deny for all three sides; fixed queries."""

import pytest
from django.urls import reverse

from chibo.models import Role
from nhanxet import services
from nhanxet.models import Evaluation, EvaluationPeriod, QualityRating
from tests import factories
from tests.helpers import query_count

from .conftest import drafts_for, fill, full_answers

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def _form_url(data, link):
    return reverse("nhanxet:form", args=[data["res"].pk, data["year"], link.pk])


def test_form_autosave_json_conflict_and_field_errors(client, period):
    link = period["links"][0]
    url = _form_url(period, link)
    client.force_login(period["secretary"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Tham gia đầy đủ" in page.content.decode()
    saved = client.post(url, {"lock_version": 0, "c_example": "good", "remarks": "Gương mẫu"}, **JSON)
    assert saved.status_code == 200 and saved.json()["lock_version"] == 1
    assert "tiêu chí 2" in " ".join(saved.json()["missing"])
    stale = client.post(url, {"lock_version": 0, "c_example": "poor"}, **JSON)
    assert stale.status_code == 409 and stale.json()["answers"] == {"example": "good"}
    bad = client.post(url, {"lock_version": 1, "c_example": "splendid"}, **JSON)
    assert bad.status_code == 400 and "c_example" in bad.json()["fields"]
    assert Evaluation.objects.get().answers == {"example": "good"}
    # Without JavaScript the form posts normally and goes to the next member.
    plain = client.post(
        url,
        {
            "lock_version": 1,
            **{f"c_{k}": v for k, v in full_answers(period["period"].criteria_set).items()},
            "conclusion": "none",
            "next": "/nhan-xet/",
        },
    )
    assert plain.status_code == 302 and plain["Location"] == "/nhan-xet/"
    # Another host is never where it goes, written in any of the ways browsers read as one.
    for elsewhere in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        answers = {f"c_{k}": v for k, v in full_answers(period["period"].criteria_set).items()}
        version = Evaluation.objects.get().lock_version
        response = client.post(url, {"lock_version": version, **answers, "conclusion": "none", "next": elsewhere})
        assert response["Location"] == reverse("nhanxet:branch", args=[period["res"].pk, period["year"]])


def test_branch_page_lists_progress_and_signs(client, period):
    fill(period, period["links"][0])
    client.force_login(period["secretary"])
    url = reverse("nhanxet:branch", args=[period["res"].pk, period["year"]])
    page = client.get(url).content.decode()
    assert page.count('class="list-group-item evaluation-row"') == 5
    assert 'data-state="ready"' in page
    form = Evaluation.objects.get()
    response = client.post(reverse("nhanxet:sign", args=[period["res"].pk, period["year"]]), {"forms": [form.pk]})
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.status == "signed"


def test_branch_list_queries_fixed_for_300_forms(client, period):
    client.force_login(period["secretary"])
    url = reverse("nhanxet:branch", args=[period["res"].pk, period["year"]])
    fill(period, period["links"][0])
    small = query_count(client, url)
    drafts_for(period, 295)
    assert Evaluation.objects.count() == 296
    assert query_count(client, url) == small


def test_who_may_open_which_page(client, period):
    fill(period, period["links"][0])
    form = Evaluation.objects.get()
    neighbour_secretary = factories.user(
        "sec2",
        roles=[
            (
                factories.org(
                    period["commune"], name="Chi bộ khu phố 2", kind_code="chi-bo-noi-cu-tru", side="residence"
                ),
                Role.BRANCH_SECRETARY,
            )
        ],
    )
    url = _form_url(period, period["links"][0])
    for user, expected in [
        (period["secretary"], 200),
        (period["office"], 200),
        (neighbour_secretary, 404),
        (period["clerk_a"], 404),
        (period["leader"], 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == expected, user
        assert client.get(reverse("nhanxet:evaluation", args=[form.pk])).status_code == expected, user
    # A draft is not the workplace's to read; a forwarded form is, for its own committee only.
    services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[form.pk])
    services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[form.pk])
    services.evaluations_forward(actor=period["office"], commune=period["commune"], ids=[form.pk])
    for user, expected in [(period["clerk_a"], 200), (period["clerk_b"], 404), (neighbour_secretary, 404)]:
        client.force_login(user)
        assert client.get(reverse("nhanxet:evaluation", args=[form.pk])).status_code == expected, user
    commune_url = reverse("nhanxet:commune", args=[period["commune"].pk])
    for user, expected in [(period["office"], 200), (period["clerk_a"], 404), (period["secretary"], 404)]:
        client.force_login(user)
        assert client.get(commune_url).status_code == expected, user


def test_commune_confirms_and_forwards_then_workplace_rates(client, period):
    forms = [
        services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[fill(period, link).pk])[0]
        for link in period["links"][:2]
    ]
    client.force_login(period["office"])
    url = reverse("nhanxet:commune", args=[period["commune"].pk])
    assert client.get(url).content.decode().count('class="confirm-row"') == 2
    client.post(url, {"action": "confirm", "forms": [f.pk for f in forms]})
    assert client.get(url).content.decode().count('class="forward-row"') == 2
    client.post(url, {"action": "forward", "forms": [f.pk for f in forms]})
    assert set(Evaluation.objects.values_list("status", flat=True)) == {"forwarded"}
    client.force_login(period["clerk_a"])
    page = client.get(reverse("nhanxet:incoming") + f"?year={period['year']}").content.decode()
    assert page.count('class="incoming-row"') == 2
    member = forms[0].member
    client.post(reverse("nhanxet:rating", args=[member.pk, period["year"]]), {"level": "good", "score": "80"})
    assert QualityRating.objects.get(member=member).evaluation == forms[0]
    client.force_login(period["clerk_b"])
    rating_url = reverse("nhanxet:rating", args=[member.pk, period["year"]])
    assert client.post(rating_url, {"level": "good", "score": "80"}).status_code == 404
    assert client.get(rating_url).status_code == 404
    assert "incoming-row" not in client.get(reverse("nhanxet:incoming")).content.decode()


def test_period_form_errors_land_on_fields(client, branch):
    client.force_login(branch["office"])
    url = reverse("nhanxet:period_new")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "organization": branch["commune"].pk,
            "year": 2026,
            "scope": "all",
            "branch_deadline": "2026-12-20",
            "confirm_deadline": "2026-12-10",
            "forward_deadline": "2026-12-31",
        },
    )
    assert response.status_code == 200
    assert "confirm_deadline" in response.context["form"].errors
    assert not EvaluationPeriod.objects.exists()
    client.force_login(branch["secretary"])
    assert client.get(url).status_code == 404


def test_request_and_proposal_pages(client, period):
    from nhanxet.models import EvaluationRequest, Proposal

    link = period["links"][0]
    client.force_login(period["clerk_a"])
    detail = client.get(reverse("dangvien:detail", args=[link.member_id])).content.decode()
    assert reverse("nhanxet:request_new", args=[link.member_id]) in detail
    url = reverse("nhanxet:request_new", args=[link.member_id])
    bad = client.post(url, {"purpose": "award", "due_date": "2000-01-01"})
    assert bad.status_code == 200 and "due_date" in bad.context["form"].errors
    client.post(url, {"purpose": "award", "details": "Khen thưởng cuối năm", "due_date": "2099-01-01"})
    request = EvaluationRequest.objects.get()
    client.force_login(period["clerk_b"])
    assert client.get(url).status_code == 404
    # The branch answers the request with its own form.
    client.force_login(period["secretary"])
    assert "Khen thưởng cuối năm" in client.get(reverse("nhanxet:requests")).content.decode()
    form_url = reverse("nhanxet:request_form", args=[request.pk])
    assert client.post(form_url, {"lock_version": 0, "c_example": "good"}, **JSON).status_code == 200
    assert Evaluation.objects.get().request == request
    proposal_url = reverse("nhanxet:proposal_new", args=[period["res"].pk, link.pk])
    assert client.post(proposal_url, {"kind": "remind", "facts": " "}).context["form"].errors["facts"]
    client.post(proposal_url, {"kind": "remind", "facts": "Vắng sinh hoạt hai lần liền"})
    proposal = Proposal.objects.get()
    client.force_login(period["clerk_a"])
    act = reverse("nhanxet:proposal_act", args=[proposal.pk])
    assert client.post(act, {"action": "none"}).context["form"].errors["action_note"]
    client.post(act, {"action": "reminded", "action_note": "Đã nhắc nhở"})
    proposal.refresh_from_db()
    assert proposal.action == "reminded"
    client.force_login(period["clerk_b"])
    assert client.get(act).status_code == 404
    client.force_login(period["secretary"])
    assert client.get(act).status_code == 404


def test_commune_and_workplace_pages_queries_do_not_grow(client, period):
    signed = [
        services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[fill(period, link).pk])[0]
        for link in period["links"]
    ]
    commune_url = reverse("nhanxet:commune", args=[period["commune"].pk])
    incoming_url = reverse("nhanxet:incoming") + f"?year={period['year']}"
    services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[signed[0].pk])
    services.evaluations_forward(actor=period["office"], commune=period["commune"], ids=[signed[0].pk])
    client.force_login(period["office"])
    few_commune = query_count(client, commune_url)
    client.force_login(period["clerk_a"])
    few_incoming = query_count(client, incoming_url)
    ids = [f.pk for f in signed[1:]]
    services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=ids[:2])
    services.evaluations_forward(actor=period["office"], commune=period["commune"], ids=ids[:1])
    client.force_login(period["office"])
    assert query_count(client, commune_url) == few_commune
    client.force_login(period["clerk_a"])
    assert query_count(client, incoming_url) == few_incoming


def test_select_all_ready_includes_forms_asked_for_by_the_workplace(client, period):
    """Every form that can be signed carries the mark "select all ready" ticks, the requested ones
    too; a request's incomplete draft has no box to tick (signing it would be refused)."""
    import datetime
    import re

    from django.utils import timezone

    yearly = fill(period, period["links"][0])
    due = timezone.localdate() + datetime.timedelta(days=5)
    asked = [
        services.request_create(actor=period["clerk_a"], member=link.member, purpose="award", details="", due_date=due)
        for link in period["links"][1:3]
    ]
    ready = services.evaluation_save(
        actor=period["secretary"],
        link=period["links"][1],
        year=period["year"],
        lock_version=0,
        answers=full_answers(period["period"].criteria_set),
        conclusion="none",
        request=asked[0],
    )
    partial = services.evaluation_save(
        actor=period["secretary"],
        link=period["links"][2],
        year=period["year"],
        lock_version=0,
        answers={"example": "good"},
        request=asked[1],
    )
    client.force_login(period["secretary"])
    page = client.get(reverse("nhanxet:branch", args=[period["res"].pk, period["year"]])).content.decode()
    ticked = {int(pk) for pk in re.findall(r'name="forms" value="(\d+)" data-ready', page)}
    assert ticked == {yearly.pk, ready.pk}
    assert f'value="{partial.pk}"' not in page
    client.post(reverse("nhanxet:sign", args=[period["res"].pk, period["year"]]), {"forms": sorted(ticked)})
    assert set(Evaluation.objects.filter(status="signed").values_list("pk", flat=True)) == {yearly.pk, ready.pk}
