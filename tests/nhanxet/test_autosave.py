"""The draft autosave's two-statement path: the same answers, refusals, conflicts and audit rows as
the locked path, the right over the branch read in SQL as chibo.permissions has it, fixed queries."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.models import Role
from chibo.permissions import can_manage_branch, can_manage_branch_sql
from nhanxet import selectors, services
from nhanxet.models import Evaluation
from nhanxet.services import forms as form_services
from nhatky.models import AuditEvent
from nhatky.services import audit_record
from tests import factories

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
AUDITED = ["actor_id", "action", "object_type", "object_id", "object_repr", "changes", "reason"]


def _save(data, link, lock_version, actor=None, **content):
    return services.evaluation_save(
        actor=actor or data["secretary"],
        link=link,
        year=data["year"],
        lock_version=lock_version,
        answers=content.pop("answers", {"example": "good"}),
        **content,
    )


def _neighbour_secretary(data):
    branch = factories.org(data["commune"], name="Chi bộ khu phố 2", kind_code="chi-bo-noi-cu-tru", side="residence")
    return factories.user("sec2", roles=[(branch, Role.BRANCH_SECRETARY)])


def test_the_right_in_sql_is_can_manage_branch(period):
    inactive = factories.user("gone", roles=[(period["res"], Role.BRANCH_SECRETARY)], is_active=False)
    closed = factories.org(period["commune"], name="Chi bộ giải thể", kind_code="chi-bo-noi-cu-tru", side="residence")
    in_closed = factories.user("closed", roles=[(closed, Role.CLERK)])
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    superuser = type(period["secretary"]).objects.get(is_superuser=True)
    users = [
        period["secretary"],
        period["office"],
        superuser,
        period["clerk_a"],
        period["leader"],
        _neighbour_secretary(period),
        inactive,
        in_closed,
        factories.user("nobody"),
    ]
    for branch in (period["res"], period["commune"], period["a1"], closed):
        for user in users:
            sql, params = can_manage_branch_sql(user, path=branch.path)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {sql}", params)  # noqa: S608 - the fragment under test
                in_sql = bool(cursor.fetchone()[0])
            assert in_sql == can_manage_branch(user, branch), (user, branch)
    assert can_manage_branch(period["secretary"], period["res"]) and not can_manage_branch(inactive, period["res"])


def test_link_for_editing_reads_link_member_and_branch_in_one_query(period):
    link = period["links"][0]
    with CaptureQueriesContext(connection) as queries:
        found = selectors.link_for_editing(period["secretary"], period["res"].pk, link.pk)
        assert found.member.full_name == link.member.full_name
        assert found.residence_branch.path == period["res"].path
        assert found.residence_committee_id == period["commune"].pk
    assert len([q for q in queries.captured_queries if not q["sql"].startswith("PREPARE")]) == 1
    for user in (period["clerk_a"], period["leader"], _neighbour_secretary(period)):
        with pytest.raises(Http404):
            selectors.link_for_editing(user, period["res"].pk, link.pk)
    with pytest.raises(Http404):
        selectors.link_for_editing(period["secretary"], period["a1"].pk, link.pk)


def test_a_saved_draft_is_written_as_the_locked_path_writes_it(period):
    link = selectors.link_for_editing(period["secretary"], period["res"].pk, period["links"][0].pk)
    first = _save(period, link, 0)
    second = _save(
        period,
        link,
        1,
        answers={"example": "fair", "citizen": "good", "meetings": ""},
        remarks=" Gương mẫu\u0301 ",
        conclusion="commend",
        conclusion_details="Vận động hiến đất",
        criterion_remarks={"meetings": " Đi công ta\u0301c dài ngày ", "conclusion": ""},
    )
    stored = Evaluation.objects.get()
    assert stored.criterion_remarks == second.criterion_remarks == {"meetings": "Đi công tác dài ngày"}
    assert second.pk == first.pk == stored.pk and second.lock_version == stored.lock_version == 2
    assert stored.answers == second.answers == {"example": "fair", "citizen": "good"}
    assert stored.remarks == second.remarks == "Gương mẫú"
    assert (stored.conclusion, stored.conclusion_details) == ("commend", "Vận động hiến đất")
    assert stored.updated_by == period["secretary"] and stored.updated_at == second.updated_at
    assert second.criteria_set == stored.criteria_set and second.member == stored.member
    assert services.missing_answers(second) == services.missing_answers(stored)
    written = AuditEvent.objects.filter(object_id=str(stored.pk), action="evaluation.save").get()
    assert written.at == stored.updated_at
    expected = audit_record(
        actor=period["secretary"],
        action="evaluation.save",
        obj=stored,
        changes={
            "answers": stored.answers,
            "criterion_remarks": stored.criterion_remarks,
            "conclusion": "commend",
            "lock_version": 2,
        },
    )
    expected.refresh_from_db()
    assert {f: getattr(written, f) for f in AUDITED} == {f: getattr(expected, f) for f in AUDITED}


def test_conflicts_refusals_and_outsiders_take_the_locked_path(period):
    link = period["links"][0]
    _save(period, link, 0)
    _save(period, link, 1, answers={"example": "fair"})
    with pytest.raises(services.EvaluationConflict) as conflict:
        _save(period, link, 1, actor=period["office"], answers={"example": "poor"})
    assert conflict.value.evaluation.answers == {"example": "fair"} and conflict.value.evaluation.lock_version == 2
    with pytest.raises(ValidationError) as refused:
        _save(period, link, 2, answers={"example": "excellent", "invented": "good"}, conclusion="promote")
    assert set(refused.value.message_dict) == {"c_example", "c_invented", "conclusion"}
    with pytest.raises(ValidationError) as refused:
        _save(period, link, 2, remarks="a\x00b")
    assert "remarks" in refused.value.message_dict
    for outsider in (period["clerk_a"], period["leader"], _neighbour_secretary(period)):
        with pytest.raises(PermissionDenied):
            _save(period, link, 2, actor=outsider, answers={"example": "poor"})
    stored = Evaluation.objects.get()
    assert stored.lock_version == 2 and stored.answers == {"example": "fair"}
    assert AuditEvent.objects.filter(object_id=str(stored.pk), action="evaluation.save").count() == 1


def test_a_save_landing_between_the_read_and_the_write_is_a_conflict(period, monkeypatch):
    link = period["links"][0]
    form = _save(period, link, 0)
    read = form_services.criteria_set_of

    def someone_saves_meanwhile(pk):
        Evaluation.objects.filter(pk=form.pk).update(lock_version=2, answers={"example": "poor"})
        return read(pk)

    monkeypatch.setattr(form_services, "criteria_set_of", someone_saves_meanwhile)
    with pytest.raises(services.EvaluationConflict) as conflict:
        _save(period, link, 1, answers={"example": "fair"})
    assert conflict.value.evaluation.answers == {"example": "poor"}
    assert not AuditEvent.objects.filter(action="evaluation.save").exists()


def test_autosave_queries(client, period):
    """The autosave of a draft: the user, the link with the right, the form, the update with its audit row."""
    link = period["links"][0]
    url = reverse("nhanxet:form", args=[period["res"].pk, period["year"], link.pk])
    client.force_login(period["secretary"])
    # Creating the form goes the locked way; the second save prepares the statements of this connection.
    for version in (0, 1):
        assert client.post(url, {"lock_version": version, "c_example": "good"}, **JSON).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        saved = client.post(url, {"lock_version": 2, "c_example": "fair", "remarks": "Tốt"}, **JSON)
    assert saved.status_code == 200 and saved.json()["lock_version"] == 3
    assert len(queries.captured_queries) == 4, [q["sql"][:80] for q in queries.captured_queries]


def test_outsiders_autosave_gets_404_and_writes_nothing(client, period):
    link = period["links"][0]
    _save(period, link, 0)
    url = reverse("nhanxet:form", args=[period["res"].pk, period["year"], link.pk])
    for outsider in (period["clerk_a"], period["leader"], _neighbour_secretary(period)):
        client.force_login(outsider)
        assert client.post(url, {"lock_version": 1, "c_example": "poor"}, **JSON).status_code == 404
    assert Evaluation.objects.get().lock_version == 1


def test_request_forms_save_again_the_same_way(period):
    import datetime

    from django.utils import timezone

    link = period["links"][0]
    request = services.request_create(
        actor=period["clerk_a"],
        member=link.member,
        purpose="award",
        details="Khen thưởng",
        due_date=timezone.localdate() + datetime.timedelta(days=5),
    )
    first = services.evaluation_save(
        actor=period["secretary"], link=link, year=period["year"], lock_version=0, answers={}, request=request
    )
    again = services.evaluation_save(
        actor=period["secretary"],
        link=link,
        year=period["year"],
        lock_version=1,
        answers={"example": "good"},
        request=request,
    )
    assert again.pk == first.pk and again.request_id == request.pk and again.lock_version == 2
    assert Evaluation.objects.get(pk=first.pk).answers == {"example": "good"}
    other = period["links"][1]
    with pytest.raises(ValidationError, match="về đảng viên khác"):
        services.evaluation_save(
            actor=period["secretary"], link=other, year=period["year"], lock_version=1, answers={}, request=request
        )


def test_form_current_reads_the_form_as_the_orm_does(period):
    link = period["links"][0]
    assert selectors.form_current(link, period["year"]) is None
    _save(period, link, 0)
    saved = _save(period, link, 1, answers={"example": "fair", "citizen": "good"}, remarks="Gương mẫu")
    found = selectors.form_current(link, period["year"])
    stored = Evaluation.objects.get(pk=saved.pk)
    fields = [f.attname for f in Evaluation._meta.concrete_fields]
    assert {f: getattr(found, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    assert found.answers == {"example": "fair", "citizen": "good"}  # a dict, not the column's text
    assert found.criteria_set == stored.criteria_set
    assert selectors.form_current(link, period["year"] + 1) is None


def test_form_page_queries(client, period):
    """Opening a member's draft: the user, the link with the right and the workplace, the form, the next member,
    the member's record of the year (meetings, proposals, notices in one prepared statement)."""
    link = period["links"][0]
    _save(period, link, 0, answers={"example": "fair"})
    url = reverse("nhanxet:form", args=[period["res"].pk, period["year"], link.pk])
    client.force_login(period["secretary"])
    assert client.get(url).status_code == 200  # prepares this connection's statements
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    assert len(queries.captured_queries) == 5, [q["sql"][:80] for q in queries.captured_queries]
    body = page.content.decode()
    assert link.workplace_committee.name in body and link.member.full_name in body
    assert 'value="fair" autocomplete="off" checked' in body
    # The branch in the address must be the link's.
    other = reverse("nhanxet:form", args=[period["a1"].pk, period["year"], link.pk])
    assert client.get(other).status_code == 404
