"""The long fuzz run: the property-based tests of tests/fuzz (every page that writes, every service
that takes what a user typed, the list pages' filters) with many more cases and a fresh seed,
counting problems instead of stopping at the first. Printed as JSON lines, then one summary line.

    python -m bench.fuzz [--cases 10000] [--seed S]   (DATABASE_URL: the PostgreSQL server to use)

Figures: fuzz_cases (cases run; target ≥ 10,000), fuzz_server_errors (a 500 or an exception the
page or service did not turn into a refusal; target 0), fuzz_partial_writes (a refused case that
changed some table; target 0), and beside them fuzz_message_problems (a refusal shown in English or
without a message) and fuzz_stored_text_problems (control characters or non-NFC text stored). The
first problems found are printed to stderr with their input and traceback, and so are the targets
that accepted no case (`never_accepted`: their write was never reached); the seed reproduces the
run (`--seed`).

The cases run in pytest's throwaway test database on the DATABASE_URL server
(test_tdv213_bench_fuzz, created and dropped by pytest-django), each one in a savepoint that is
rolled back. Hypothesis stops early on a target whose inputs are few (a choice of six years), so
the run repeats with the next seed until --cases cases have run.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CI_CASES = 2700  # about what tests/fuzz runs at FUZZ_SCALE=1
FIGURES = ("cases", "server_errors", "partial_writes", "message_problems", "stored_text_problems")
TARGETS = {"cases": 10_000, "server_errors": 0, "partial_writes": 0, "message_problems": 0, "stored_text_problems": 0}


def database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tdv213")
    return urlunsplit(urlsplit(base)._replace(path="/tdv213_bench_fuzz"))


def run_once(*, scale: float, seed: int, report: Path, paths=("tests/fuzz",)) -> dict:
    """One pytest run of the fuzz tests; the counters it wrote (empty if it wrote none)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "FUZZ_COLLECT": "1",
        "FUZZ_SEED": str(seed),
        "FUZZ_SCALE": str(scale),
        "FUZZ_REPORT": str(report),
    }
    command = [
        sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", f"--hypothesis-seed={seed}", *paths
    ]  # fmt: skip
    # Problems found are counted in the report, not failed; a test that fails all the same (a
    # fixture, an import, a target that accepted nothing) ran fewer cases than it should: named.
    done = subprocess.run(command, cwd=ROOT, env=env, check=False, capture_output=True, text=True)  # noqa: S603
    lines = (done.stdout + "\n" + done.stderr).splitlines()
    failed = [line for line in lines if line.startswith(("FAILED ", "ERROR"))]
    if done.returncode and not failed:
        last = (done.stdout.strip().splitlines() or [done.stderr.strip()[-500:]])[-1]
        failed = [f"pytest exited {done.returncode}: {last}"]
    part = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return {**part, "failed_tests": failed}


def merge(total: dict, part: dict) -> dict:
    for key in FIGURES:
        total[key] = total.get(key, 0) + part.get(key, 0)
    for key in ("targets", "accepted"):
        for name, n in part.get(key, {}).items():
            total.setdefault(key, {})[name] = total.get(key, {}).get(name, 0) + n
    total.setdefault("problems", []).extend(part.get("problems", []))
    total.setdefault("failed_tests", []).extend(part.get("failed_tests", []))
    return total


def records(total: dict, *, seeds, seconds: float) -> list[dict]:
    """The figures as the other benchmarks print them (one JSON object per line)."""
    out = [
        {
            "name": f"fuzz_{key}",
            "value": total.get(key, 0),
            "unit": "cases",
            "target": f"≥ {TARGETS[key]}" if key == "cases" else TARGETS[key],
        }
        for key in FIGURES
    ]
    out[0].update(
        targets=len(total.get("targets", {})),
        never_accepted=never_accepted(total),
        failed_tests=total.get("failed_tests", []),
        seeds=list(seeds),
        seconds=round(seconds, 1),
    )
    return out


def never_accepted(total: dict) -> list[str]:
    """Targets all of whose cases were refused: their accepted path (the write itself) went
    unfuzzed, usually because the strategy never builds a valid combination."""
    accepted = total.get("accepted", {})
    return sorted(name for name, n in total.get("targets", {}).items() if n and not accepted.get(name))


def summary(total: dict) -> str:
    return " ".join(f"fuzz_{key}={total.get(key, 0)}" for key in FIGURES[:3])


def main(argv=None, out=sys.stdout, err=sys.stderr):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000, help="run at least this many cases")
    parser.add_argument("--seed", type=int, default=None, help="first seed (random when not given)")
    parser.add_argument("--max-rounds", type=int, default=5)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    total, seeds, start = {}, [], time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.max_rounds):
            missing = args.cases - total.get("cases", 0)
            if missing <= 0:
                break
            scale = max(0.1, missing / CI_CASES * 1.1)
            report = Path(tmp) / f"report-{round_}.json"
            part = run_once(scale=scale, seed=seed + round_, report=report)
            seeds.append(seed + round_)
            merge(total, part)
            if "cases" not in part:
                err.write("bench.fuzz: the fuzz tests wrote no report (did pytest fail to start?)\n")
                break
    for record in records(total, seeds=seeds, seconds=time.perf_counter() - start):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.write(summary(total) + "\n")
    out.flush()
    if failed := total.get("failed_tests"):
        listed = "\n  ".join(failed)
        err.write(f"bench.fuzz: fuzz tests failed, their cases are missing from the figures:\n  {listed}\n")
    if missed := never_accepted(total):
        err.write(f"bench.fuzz: no case accepted by {', '.join(missed)}: only their refusals were fuzzed\n")
    for problem in total.get("problems", [])[:20]:
        err.write(problem[:3000] + "\n\n")
    return total


if __name__ == "__main__":
    main()
