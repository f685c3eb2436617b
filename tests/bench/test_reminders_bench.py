"""bench.reminders runs end to end on a tiny generated data set (no timing asserted)."""

import io
import json

from bench.reminders import main
from bench.scaledata import generate


def test_every_sweep_twice_on_generated_data(db):
    generate(members=1500, seed=7, password="bench-pass-123", log=lambda _text: None)
    out = io.StringIO()
    main(["--workers", "1"], out=out)
    first, sending, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["name"] == "reminder_sweep_s" and first["batches"] >= 1
    assert sending["name"] == "delivery_send_s" and sending["deliveries"] == first["deliveries"]
    assert second == {**second, "name": "reminder_duplicates", "value": 0}
