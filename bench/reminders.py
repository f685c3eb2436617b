"""Every reminder sweep over the data set, then every sweep again: printed as JSON lines.

    python -m bench.reminders [--workers 2] [--day YYYY-MM-DD]

Figures: reminder_sweep_s (wall time of all rules — the daily ones and the board's weekly summary
— planned, then their batches run by --workers processes at once as Celery workers would run
them, each batch one transaction that records its reminders, writes the notices and their
deliveries and queues their sending on the broker, as in production), delivery_send_s (then
those deliveries sent, by --workers processes, through the configured e-mail backend: memory
under the test settings; the queued send tasks are purged, the bench does their work itself) and
reminder_duplicates (rows
the second run of every sweep, the same day, added: reminders, notices and deliveries; the target
is 0). It starts from no reminder sent (emptying those three tables: it refuses any database
but a benchmark or test one). Beside them: how many batches, reminders, notices and deliveries the first run made, and
the machine's load. The data set is whatever DATABASE_URL holds (`make bench` runs it on the
scale generator's data). Nothing fails on a slow figure.
"""

import argparse
import datetime
import json
import multiprocessing
import os
import sys
import time


def cpu_loop_seconds() -> float:
    from bench.run import cpu_loop_seconds as loop

    return loop()


def _counts():
    from nhacviec.models import Delivery, Reminder
    from taikhoan.models import Notification

    return {
        "reminders": Reminder.objects.count(),
        "notices": Notification.objects.count(),
        "deliveries": Delivery.objects.count(),
    }


def _start_clean():
    """From no reminder sent: empty the reminder, notice and delivery tables, only ever in a
    benchmark or test database (the data set is reused between runs)."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if not (name.startswith("tdv213_bench") or name.startswith("test_")):
        sys.exit(f"bench.reminders empties the notices of its database; refusing to run on {name!r}")
    from nhacviec.models import Delivery, Reminder
    from taikhoan.models import Notification

    for model in (Delivery, Reminder, Notification):
        model.objects.all().delete()


def _init():
    import django

    django.setup()
    _not_eager()


def _not_eager():
    """Send tasks go to the broker as in production (the bench purges them and sends itself)."""
    from config.celery import app

    before, app.conf.task_always_eager = app.conf.task_always_eager, False
    return before


def _send(ids):
    from nhacviec.services.deliveries import deliveries_send

    return len(deliveries_send(ids))


def send_everything(workers: int) -> tuple[float, int]:
    from django.db import connection

    from config.celery import app
    from nhacviec.models import Delivery, DeliveryStatus

    app.control.purge()
    start = time.perf_counter()
    ids = list(Delivery.objects.filter(status=DeliveryStatus.PENDING).order_by("pk").values_list("pk", flat=True))
    chunks = [ids[i : i + 100] for i in range(0, len(ids), 100)]
    if workers > 1 and chunks:
        connection.close()
        with multiprocessing.get_context("fork").Pool(workers, initializer=_init) as pool:
            pool.map(_send, chunks, chunksize=1)
    else:
        for chunk in chunks:
            _send(chunk)
    return time.perf_counter() - start, len(ids)


def _run_batch(args):
    from nhacviec.services.sweeps import sweep_batch

    code, batch, day = args
    return sweep_batch(code, batch, datetime.date.fromisoformat(day))


def sweep_everything(day: datetime.date, workers: int) -> tuple[float, int]:
    from django.db import connection

    from nhacviec.services.sweeps import RULES, sweep_plan

    start = time.perf_counter()
    plan = sweep_plan(day, list(RULES))
    jobs = [(code, batch, day.isoformat()) for code, batch in plan]
    if workers > 1:
        connection.close()  # the forked workers must not share this connection
        with multiprocessing.get_context("fork").Pool(workers, initializer=_init) as pool:
            pool.map(_run_batch, jobs, chunksize=1)
    else:
        for job in jobs:
            _run_batch(job)
    return time.perf_counter() - start, len(plan)


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--day", default="")
    args = parser.parse_args(argv)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.utils import timezone

    day = datetime.date.fromisoformat(args.day) if args.day else timezone.localdate()
    eager = _not_eager()
    try:
        _measure(day, args.workers, out)
    finally:
        from config.celery import app

        app.conf.task_always_eager = eager


def _measure(day, workers, out):
    def emit(record):
        out.write(json.dumps(record) + "\n")
        out.flush()

    _start_clean()
    before = _counts()
    seconds, batches = sweep_everything(day, workers)
    after_first = _counts()
    made = {k: after_first[k] - before[k] for k in before}
    emit(
        {
            "name": "reminder_sweep_s",
            "value": round(seconds, 2),
            "unit": "s",
            "target": 60,
            "batches": batches,
            "workers": workers,
            "day": day.isoformat(),
            **made,
            "load": os.getloadavg()[0],
            # The VM's speed changes: read the figure beside it (see bench.run).
            "cpu_loop_s": cpu_loop_seconds(),
        }
    )
    send_seconds, sent = send_everything(workers)
    emit({"name": "delivery_send_s", "value": round(send_seconds, 2), "unit": "s", "deliveries": sent})
    seconds_again, _ = sweep_everything(day, workers)
    send_everything(workers)
    after_second = _counts()
    emit(
        {
            "name": "reminder_duplicates",
            "value": sum(after_second[k] - after_first[k] for k in before),
            "unit": "rows",
            "target": 0,
            "second_run_s": round(seconds_again, 2),
        }
    )


if __name__ == "__main__":
    main()
