"""bench.idor runs end to end on a tiny generated data set: it finds no leak, its controls open
every object they try, and it leaves nothing behind (the run is rolled back)."""

import io
import json

from bench.idor import run
from bench.scaledata import generate
from nhatky.models import AuditEvent
from taikhoan.models import User


def test_idor_matrix_on_generated_data(db):
    generate(members=1500, seed=11, password="bench-pass-123", log=lambda _text: None)
    users, audits = User.objects.count(), AuditEvent.objects.count()
    out = io.StringIO()
    run(pairs=250, seed=3, out=out)
    records = {r["name"]: r for r in map(json.loads, out.getvalue().splitlines())}
    assert set(records) == {"idor_pairs_tried", "idor_leaks", "idor_controls_failed"}
    assert records["idor_pairs_tried"]["value"] >= 250
    assert records["idor_leaks"]["value"] == 0, records["idor_leaks"]["examples"]
    assert records["idor_controls_failed"]["value"] == 0, records["idor_leaks"]["examples"]
    assert records["idor_controls_failed"]["controls"] > 40
    assert User.objects.count() == users and AuditEvent.objects.count() == audits
