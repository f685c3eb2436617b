"""`make bench SIZE=small|national`: make (or reuse) the data set in its own database, then measure.

Uses the PostgreSQL server that scripts/ensure_services.sh chose (DATABASE_URL), in a
database named after the size, so benchmark data never mixes with development data.
"""

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg2

SIZES = {
    "small": {
        "members": 20_000,
        "requests": 100,
        "letters": 100,
        "pdfs": 50,
        "import_rows": 5_000,
        "idor_pairs": 2_000,
    },
    "national": {
        "members": 2_500_000,
        "requests": 300,
        "letters": 1000,
        "pdfs": 200,
        "import_rows": 50_000,
        "idor_pairs": 5_000,
    },
}
SEED = 213


def database_url(size: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tdv213")
    parts = urlsplit(base)
    name = f"tdv213_bench_{size}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def main():
    size = sys.argv[1] if len(sys.argv) > 1 else "small"
    if size not in SIZES:
        sys.exit(f"SIZE must be one of {', '.join(SIZES)}")
    spec = SIZES[size]
    env = {**os.environ, "DATABASE_URL": database_url(size), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], env=env, check=True)
    probe = subprocess.run(
        [
            python,
            "-c",
            (
                "import django, json; django.setup(); from bench.scaledata import existing; "
                f"print(json.dumps(existing({spec['members']}, {SEED})))"
            ),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    previous = json.loads(probe.stdout.strip().splitlines()[-1])
    if previous:
        print(
            json.dumps(
                {
                    "name": "generate_s",
                    "value": previous.get("seconds"),
                    "unit": "s",
                    "members": spec["members"],
                    "seed": SEED,
                    "reused": True,
                }
            ),
            flush=True,
        )
    else:
        subprocess.run(
            [python, "manage.py", "generate_scale_data", "--members", str(spec["members"]), "--seed", str(SEED)],
            env=env,
            check=True,
        )
    subprocess.run([python, "-m", "bench.run", "--requests", str(spec["requests"])], env=env, check=True)
    subprocess.run([python, "-m", "bench.pdf", "--n", str(spec["pdfs"])], env=env, check=True)
    # The boards' dashboards: the figures' refresh, then the pages of a province and of the country.
    subprocess.run(
        [python, "-m", "bench.dashboard", "--requests", str(min(spec["requests"], 100))], env=env, check=True
    )
    # The authorization matrix over the generated country: every role of neighbouring organisations
    # asks for random objects by id; rolled back, so the data set is left as it was.
    subprocess.run([python, "-m", "bench.idor", "--pairs", str(spec["idor_pairs"])], env=env, check=True)
    # Every reminder sweep over the generated data, then again (duplicates), two worker processes.
    subprocess.run([python, "-m", "bench.reminders"], env=env, check=True)
    # 50 secretaries autosaving forms against gunicorn: its own database (tdv213_bench_forms), any size.
    subprocess.run([python, "-m", "bench.forms"], env=env, check=True)
    # Fuzzing: every page that writes, the lists' filters and every service, 10,000 cases in a
    # throwaway test database of its own.
    subprocess.run([python, "-m", "bench.fuzz", "--cases", "10000"], env=env, check=True)
    # A 50,000-row member list imported (dry run and write): its own database, emptied each run.
    imports_env = {**env, "DATABASE_URL": database_url("imports")}
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], env=imports_env, check=True)
    subprocess.run([python, "-m", "bench.imports", "--rows", str(spec["import_rows"])], env=imports_env, check=True)
    # Letters in bulk with two real Celery workers: their own database and Redis db.
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)[0] + "/14"
    letters_env = {
        **env,
        "DATABASE_URL": database_url("letters"),
        "REDIS_URL": redis,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
    }
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], env=letters_env, check=True)
    subprocess.run([python, "-m", "bench.letters", "--letters", str(spec["letters"])], env=letters_env, check=True)


if __name__ == "__main__":
    main()
