"""The boards' dashboards at national scale, printed as JSON lines.

    python -m bench.dashboard [--requests N]   (DJANGO_SETTINGS_MODULE and DATABASE_URL set)

Figures: figures_refresh_s (the periodic task recomputing every organisation's figures for this
year from the generated data), dashboard_province_ms (p95 server time of a province board's whole
dashboard page: figures, children table, charts, through Django's test client as bench.run does),
dashboard_national_ms (the national administrator's page: all 34 provinces together) and
drill_province_ms (a province's list of covered members, page 1, read live) and report_pdf_s
(the whole country's formal report: figures, wording and PDF). Targets are printed
beside the values; nothing fails on a slow figure.
"""

import argparse
import json
import sys
import time

TARGETS = {"dashboard_province_ms": 300, "dashboard_national_ms": 1000}


def run(requests: int = 50, out=sys.stdout) -> list[dict]:
    from django.urls import reverse
    from django.utils import timezone

    from baocao.services import figures_refresh
    from bench.run import _client, _timed_get, cpu_loop_seconds, emit
    from chibo.models import Role, RoleAssignment

    year = timezone.localdate().year
    records = [{"name": "cpu_loop_s", "value": cpu_loop_seconds(), "unit": "s"}]
    print(json.dumps(records[0]), file=out, flush=True)
    started = time.perf_counter()
    refresh = figures_refresh(year=year)
    records.append(
        {
            "name": "figures_refresh_s",
            "value": round(time.perf_counter() - started, 1),
            "unit": "s",
            "organizations": refresh.organizations,
        }
    )
    print(json.dumps(records[-1]), file=out, flush=True)

    viewer = (
        RoleAssignment.objects.filter(organization__depth=1, role=Role.BOARD_VIEWER)
        .select_related("user", "organization")
        .order_by("organization__path")
        .first()
    )
    province = viewer.organization
    pages = [
        ("dashboard_province_ms", _client(viewer.user.username), reverse("baocao:org", args=[province.pk])),
        ("dashboard_national_ms", _client("bench.national"), reverse("baocao:org", args=[0])),
        (
            "drill_province_ms",
            _client(viewer.user.username),
            reverse("baocao:members", args=[province.pk, "covered"]),
        ),
    ]
    for name, client, url in pages:
        _timed_get(client, url, {"year": year})  # warm: templates, the first read of the rows
        times = [_timed_get(client, url, {"year": year})[0] for _ in range(requests)]
        records.append(emit(out, name, times, **({"target": TARGETS[name]} if name in TARGETS else {})))
    records.append(_report_pdf(out, year))
    return records


def _report_pdf(out, year) -> dict:
    """The whole country's formal report (34 provinces in its table) as the office would issue it:
    the figures read, the wording built, the PDF rendered (with the HD 36 header of the first
    province: the generated data has no national committee to number it)."""
    from django.conf import settings
    from django.utils import timezone

    from baocao.selectors import dashboard
    from baocao.services import report_content
    from chibo.models import Organization
    from quydinh.selectors import pack_of_year
    from taikhoan.models import User
    from vanban.rendering import render_pdf
    from vanban.services import document_snapshot

    national = User.objects.get(username="bench.national")
    issuer = Organization.objects.filter(depth=1).order_by("path").first()
    started = time.perf_counter()
    board = dashboard(national, 0, year, None)
    snapshot = document_snapshot(
        doc_type="report",
        issuer=issuer,
        symbol="1-BC/TW",
        issued_at=timezone.now(),
        content=report_content(board),
        pack=pack_of_year(year),
        signer={"on_behalf": "T/M BAN BÍ THƯ", "title": "BÍ THƯ", "name": "Người ký"},
        verify_url=settings.SITE_URL,
    )
    pdf = render_pdf(snapshot, image_root=settings.PRIVATE_MEDIA_ROOT)
    record = {
        "name": "report_pdf_s",
        "value": round(time.perf_counter() - started, 2),
        "unit": "s",
        "target": 10,
        "rows": len(board.children),
        "bytes": len(pdf),
    }
    print(json.dumps(record), file=out, flush=True)
    return record


def main():
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    django.setup()
    run(args.requests)


if __name__ == "__main__":
    main()
