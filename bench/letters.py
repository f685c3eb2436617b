"""bulk_1000_letters_s: 1,000 introduction letters issued, rendered, stored and hashed by two
real Celery workers on Redis, measured from the clerk's click to the combined PDF.

    python -m bench.letters [--letters 1000]   (DATABASE_URL, REDIS_URL set; run by `make bench`)

Uses its own database (the name in DATABASE_URL) and Redis db; creates its organisation,
signing set-up and members through the services, then starts two workers as subprocesses.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(letters: int):
    import datetime

    from chibo.models import Commune, OrganizationKind, Role, Side
    from chibo.services import organization_create, role_assign
    from dangvien.models import Member
    from dangvien.services import member_create
    from taikhoan.models import User
    from tests.images import configure_signing

    kind = {k.code: k for k in OrganizationKind.objects.all()}
    admin = User.objects.filter(username="bench.letters").first()
    if admin is None:
        admin = User.objects.create_user("bench.letters", password="bench-letters-1")
    committee = organization_create(
        actor=None,
        parent=None,
        kind=kind["dang-bo-co-so"],
        side=Side.WORKPLACE,
        name=f"Đảng bộ Sở Thử tải {time.time_ns()}",
        doc_abbreviation="ĐU",
        place_name="Hưng Yên",
        superior_name="ĐẢNG BỘ TỈNH HƯNG YÊN",
    )
    branch = organization_create(
        actor=None,
        parent=committee,
        kind=kind["chi-bo-truc-thuoc"],
        side=Side.WORKPLACE,
        name="Chi bộ Văn phòng",
        doc_abbreviation="CB",
    )
    role_assign(actor=None, user=admin, organization=committee, role=Role.CLERK)
    configure_signing(committee)
    commune = Commune.objects.get(code=70)
    start = Member.objects.count()
    ids = []
    for i in range(letters):
        serial = start + i
        ids.append(
            member_create(
                actor=admin,
                data={
                    "full_name": f"Nguyễn Văn Thử {serial}",
                    "gender": "male",
                    "birth_date": datetime.date(1980, 1, 1),
                    "citizen_id": f"096080{serial:06d}",
                    "card_number": None,
                    "admission_date": datetime.date(2005, 1, 1),
                    "full_membership_date": datetime.date(2006, 1, 1),
                    "status": "full",
                    "organization": branch,
                    "position": "Chuyên viên",
                    "workplace_unit": "Sở Thử tải",
                    "residence_commune": commune,
                    "residence_hamlet": "Tổ dân phố 1",
                    "residence_street": "Số 1",
                    "phone": "",
                    "email": "",
                    "covered_213": True,
                    "notes": "",
                },
            ).pk
        )
    return admin, ids


def _workers(env, count=2):
    procs = []
    for n in range(count):
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--loglevel=WARNING",
                    "-n",
                    f"bench{n}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
    return procs


def run(letters: int = 1000, out=sys.stdout, timeout: float = 600) -> dict:
    from config.celery import app
    from dangvien.models import LetterBatch
    from dangvien.services import letter_batch_start

    admin, ids = _setup(letters)
    app.control.purge()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench"}
    workers = _workers(env)
    try:
        # Workers are ready when they answer a ping.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(app.control.ping(timeout=0.5) or []) < len(workers):
            time.sleep(0.2)
        started = time.perf_counter()
        batch = letter_batch_start(actor=admin, member_ids=ids)
        while True:
            batch = LetterBatch.objects.get(pk=batch.pk)
            if batch.finished_at or time.perf_counter() - started > timeout:
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            proc.wait(timeout=30)
    record = {
        "name": "bulk_1000_letters_s" if letters == 1000 else f"bulk_{letters}_letters_s",
        "value": round(elapsed, 1),
        "unit": "s",
        "letters": letters,
        "issued": batch.issued,
        "failed": batch.failed,
        "workers": len(workers),
        "target": 30,
        "finished": bool(batch.finished_at),
    }
    print(json.dumps(record), file=out, flush=True)
    return record


def main():
    import django

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=1000)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    django.setup()
    run(letters=args.letters)


if __name__ == "__main__":
    main()
