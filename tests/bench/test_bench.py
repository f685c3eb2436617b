"""The scale generator and the benchmark scripts run end to end on a tiny data set.

No timing is asserted (figures are for `make bench`); this only keeps the scripts from rotting.
"""

import datetime
import io
import json

import pytest
from django.utils import timezone

from bench.run import run
from bench.scaledata import existing, generate
from chibo.models import Organization
from dangvien.models import Member
from taikhoan.models import User


def test_generate_then_measure(db):
    result = generate(members=1500, seed=5, password="bench-pass-123", log=lambda _text: None)
    assert Member.objects.count() == 1500
    assert result.counts["members"] == 1500 and result.counts["organizations"] == Organization.objects.count()
    assert not any(Organization.objects.find_problems()), "the materialized paths must form a valid tree"
    # Every member's copied path is its branch's path.
    assert not Member.objects.exclude(org_path=models_path()).exists()
    assert User.objects.get(username="bench.national").is_superuser
    assert existing(1500, 5)["members"] == 1500 and existing(1500, 6) is None
    # The states around members are dated from today: another day's data is not reused.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert existing(1500, 5, today=tomorrow) is None
    for table in ("residence_links", "documents", "evaluations", "meetings", "evaluation_periods", "awaiting_letter"):
        assert result.counts[table], table

    out = io.StringIO()
    run(requests=4, out=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    names = {r["name"] for r in records}
    assert names == {
        "cpu_loop_s",
        "search_p95_ms:province_clerk",
        "search_p95_ms:national_admin",
        "list_deep_p95_ms:national_admin",
        "list_queries",
        "detail_p95_ms:national_admin",
        "detail_p95_ms:province_clerk",
    }
    assert all(r["value"] > 0 for r in records)
    queries = next(r for r in records if r["name"] == "list_queries")
    assert len(queries["distinct_counts"]) == 1, "page 1 and deep pages must run the same queries"


def test_generation_is_deterministic(db):
    generate(members=300, seed=9, password="bench-pass-123", log=lambda _text: None)
    first = list(Member.objects.order_by("citizen_id").values_list("full_name", "citizen_id", "org_path")[:50])
    generate(members=300, seed=9, password="bench-pass-123", log=lambda _text: None)
    second = list(Member.objects.order_by("citizen_id").values_list("full_name", "citizen_id", "org_path")[:50])
    assert first == second


def models_path():
    from django.db.models import OuterRef, Subquery

    return Subquery(Organization.objects.filter(pk=OuterRef("organization_id")).values("path")[:1])


def test_generated_exemptions_cover_every_category(db):
    from dangvien.models import Exemption
    from quydinh.selectors import pack_in_force

    result = generate(members=6000, seed=3, password="bench-pass-123", log=lambda _text: None)
    counts = result.counts["exemptions"]
    assert set(counts) == {c["code"] for c in pack_in_force().exemption_categories}
    assert Exemption.objects.count() == sum(counts.values())
    assert not Exemption.objects.filter(member__covered_213=False).exists()


@pytest.mark.django_db(transaction=True)
def test_form_saves_against_gunicorn():
    """bench.forms end to end on a tiny data set: gunicorn on loopback, three secretaries saving."""
    from django.db import connection

    from bench import forms
    from nhanxet.models import CriteriaSet, Evaluation
    from nhatky.models import AuditEvent

    if not CriteriaSet.objects.exists():
        # An earlier transactional test's flush took the migration-seeded criteria with it.
        from nhanxet.defaults import seed
        from nhanxet.models import Criterion

        seed(CriteriaSet, Criterion)
    plan = forms.build(branches=3, members=3, log=lambda _text: None)
    assert [len(links) for _user, _branch, links in plan["secretaries"]] == [3, 3, 3]

    out = io.StringIO()
    forms.run(
        plan=plan,
        database_url=forms.database_url_of(connection.settings_dict),
        users=3,
        warmup=0.5,
        duration=2.0,
        think_ms=100,
        workers=2,
        out=out,
    )
    records = {r["name"]: r for r in (json.loads(line) for line in out.getvalue().splitlines())}
    assert set(records) == {
        "form_save_p95_ms",
        "form_save_rps",
        "form_save_errors",
        "form_save_duration_s",
        "gunicorn_workers",
        "form_open_p95_ms",
        "server_cpu_ms_per_request",
        "load_avg_1m",
    }
    assert records["form_save_errors"]["value"] == 0, records["form_save_errors"]
    assert records["form_save_p95_ms"]["target"] == 100 and records["form_save_rps"]["target"] == 150
    assert records["form_save_p95_ms"]["n"] > 0 and records["form_save_rps"]["value"] > 0
    # The saves went through the service: drafts with an audit row each.
    saves = AuditEvent.objects.filter(action__in=["evaluation.create", "evaluation.save"]).count()
    assert Evaluation.objects.filter(status="draft").exists()
    assert saves == sum(Evaluation.objects.values_list("lock_version", flat=True))


@pytest.mark.django_db(transaction=True)
def test_import_benchmark_runs(settings, tmp_path):
    """bench.imports on a small file: it prints its figures and writes what the dry run found
    (committed transactions, as the tasks run after them)."""
    from bench.imports import measure
    from nhapdulieu.models import ImportJob

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    out = io.StringIO()
    records = {r["name"]: r for r in measure(rows=300, seed=3, out=out)}
    assert set(records) == {"import_50k_rows_s", "import_counts", "import_file"}
    counts = records["import_counts"]["counts"]
    assert counts["create"] + counts["error"] == 300 and counts["error"] >= 1  # row 200 has 31 February
    assert Member.objects.count() == counts["create"] and ImportJob.objects.get().status == "done"
    # A second run starts from no member of the last one.
    measure(rows=300, seed=3, out=io.StringIO())
    assert Member.objects.count() == counts["create"]
