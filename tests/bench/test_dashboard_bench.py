"""bench.dashboard runs end to end on a tiny generated data set (no timing asserted), and the
stored figures agree with a live count of the generated data."""

import io
import json

from django.utils import timezone

from baocao.models import OrgFigures
from bench.dashboard import run
from bench.scaledata import generate
from chibo.models import Organization
from dangvien.models import Member


def test_dashboards_on_generated_data(db):
    generate(members=1500, seed=7, password="bench-pass-123", log=lambda _text: None)
    out = io.StringIO()
    run(requests=2, out=out)
    names = [json.loads(line)["name"] for line in out.getvalue().splitlines()]
    assert names == [
        "cpu_loop_s",
        "figures_refresh_s",
        "dashboard_province_ms",
        "dashboard_national_ms",
        "drill_province_ms",
        "report_pdf_s",
    ]
    province = Organization.objects.filter(depth=1).order_by("path").first()
    stored = OrgFigures.objects.get(organization=province, year=timezone.localdate().year).data
    covered = Member.objects.filter(org_path__startswith=province.path, covered_213=True).count()
    assert covered and stored["covered"] == covered
