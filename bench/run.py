"""Benchmarks of real requests through Django, printed as one JSON object per line.

    python -m bench.run [--requests N]      (DJANGO_SETTINGS_MODULE and DATABASE_URL set)

Each figure is the server-side time of a whole request (middleware, view, selectors,
template) made with Django's test client against the configured database, which must
hold data from `manage.py generate_scale_data`. Targets are printed next to the values;
nothing here fails on a slow figure: the numbers are for people to read.
"""

import argparse
import json
import random
import statistics
import sys
import time

TARGETS = {"search_p95_ms": 100, "list_deep_p95_ms": 150, "detail_p95_ms": 50}

# Three or more letters, typed without diacritics, as a clerk would search.
QUERIES = [
    "nguyen",
    "tran",
    "pham",
    "hoang",
    "huynh",
    "dang",
    "nguyen van",
    "tran thi",
    "le thi h",
    "nguyen thi lan",
    "pham van minh",
    "anh",
    "dung",
    "huong",
    "tuan",
    "thanh",
    "quang",
    "ngoc",
    "nguyen duc",
    "vu thi thu",
    "bich",
    "kieu",
    "khanh",
    "duc",
    "phuong",
    "tran van hung",
    "le van nam",
    "hoa",
    "thuy",
    "do van",
]


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def emit(out, name, values_ms, **extra):
    record = {
        "name": name,
        "value": round(percentile(values_ms, 95), 1),
        "unit": "ms",
        "p50": round(statistics.median(values_ms), 1),
        "max": round(max(values_ms), 1),
        "n": len(values_ms),
    }
    if name.split(":")[0] in TARGETS:
        record["target"] = TARGETS[name.split(":")[0]]
    record.update(extra)
    print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
    return record


def _client(username):
    from django.test import Client

    from taikhoan.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    return client


def _timed_get(client, url, params=None):
    started = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url} {params} answered {response.status_code}")
    return elapsed, response


def _deep_cursor(offset):
    """The cursor a user reaches after paging `offset` rows (computed once, not timed)."""
    from dangvien.models import Member
    from dangvien.selectors import encode_cursor

    count_hint = Member.objects.order_by("sort_key", "id").only("sort_key")[offset : offset + 1]
    rows = list(count_hint)
    return encode_cursor(rows[0]) if rows else ""


def _member_count_estimate():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'dangvien_member'")
        row = cursor.fetchone()
    return max(0, row[0] if row else 0)


def cpu_loop_seconds() -> float:
    """Ten million additions in pure Python: how fast this machine is right now (shared VMs vary)."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return round(time.perf_counter() - started, 2)


def run(requests: int = 200, out=sys.stdout, seed: int = 7) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dangvien.models import Member

    rng = random.Random(seed)
    records = [{"name": "cpu_loop_s", "value": cpu_loop_seconds(), "unit": "s"}]
    print(json.dumps(records[0]), file=out, flush=True)
    national = _client("bench.national")
    province = _client("bench.province01")
    list_url = reverse("dangvien:list")

    # Warm the connection, caches and the templates before measuring.
    for client in (national, province):
        for _ in range(3):
            _timed_get(client, list_url, {"q": "nguyen"})

    for label, client in (("province_clerk", province), ("national_admin", national)):
        times = [_timed_get(client, list_url, {"q": rng.choice(QUERIES)})[0] for _ in range(requests)]
        records.append(emit(out, f"search_p95_ms:{label}", times))

    total = max(_member_count_estimate(), Member.objects.order_by()[:1000].count())
    offsets = [0] + [int(total * f) for f in (0.1, 0.25, 0.5, 0.75, 0.9, 0.999)]
    cursors = {offset: _deep_cursor(offset) for offset in offsets if offset}
    times, query_counts = [], set()
    for i in range(requests):
        offset = offsets[i % len(offsets)]
        params = {"after": cursors[offset]} if offset else {}
        with CaptureQueriesContext(connection) as queries:
            elapsed, response = _timed_get(national, list_url, params)
        times.append(elapsed)
        query_counts.add(len(queries.captured_queries))
        if b"member-row" not in response.content:
            raise RuntimeError(f"an empty page measures nothing: {params}")
    records.append(emit(out, "list_deep_p95_ms:national_admin", times, deepest_offset=max(offsets)))
    record = {
        "name": "list_queries",
        "value": max(query_counts),
        "unit": "queries",
        "distinct_counts": sorted(query_counts),
    }
    print(json.dumps(record), file=out, flush=True)
    records.append(record)

    from chibo.permissions import scope_paths
    from taikhoan.models import User

    prefix = scope_paths(User.objects.get(username="bench.province01"))[0]
    province_ids = list(Member.objects.filter(org_path__startswith=prefix).values_list("id", flat=True))
    ids_province = [rng.choice(province_ids) for _ in range(requests)]
    # Generated members have consecutive ids: any id in the range is a real member.
    min_id = Member.objects.order_by("id").values_list("id", flat=True).first()
    max_id = Member.objects.order_by("-id").values_list("id", flat=True).first()
    ids_national = [rng.randint(min_id, max_id) for _ in range(requests)]
    for label, client, ids in (("national_admin", national, ids_national), ("province_clerk", province, ids_province)):
        times = []
        for pk in ids:
            times.append(_timed_get(client, reverse("dangvien:detail", args=[pk]))[0])
        records.append(emit(out, f"detail_p95_ms:{label}", times))
    return records


def main():
    import django

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    django.setup()
    run(requests=args.requests)


if __name__ == "__main__":
    main()
