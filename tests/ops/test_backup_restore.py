"""scripts/backup.sh and scripts/restore.sh on real data: letters and acknowledgements with their
rendered PDFs, stamps, signatures and a scan; restored into a new database and new folders, the
restored copy has every table's rows and every file, and each document's PDF its stored SHA-256.
A database that is not empty is refused, and the check after a restore finds a damaged file. A
password in the database's URL is on no process's command line."""

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils.functional import empty

from dangvien.services import letter_issue, link_receive, link_receive_manual
from tests import factories
from tests.images import scanned_pdf
from vanban.models import Document
from vanban.storage import private_storage

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _url(database: str, password: str | None = None) -> str:
    s = connection.settings_dict
    password = s["PASSWORD"] if password is None else password
    auth = quote(s["USER"] or "") + (f":{quote(password, safe='')}" if password else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{database}"


def _psycopg(database: str):
    s = connection.settings_dict
    return psycopg2.connect(
        dbname=database, user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"] or None
    )


def _run(*args, env):
    done = subprocess.run(["bash", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    print(done.stdout, done.stderr)
    return done


def _env(database: str, folders: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHON": sys.executable,
        "DATABASE_URL": _url(database),
        "MEDIA_ROOT": str(folders / "media"),
        "PRIVATE_MEDIA_ROOT": str(folders / "private"),
    }


def _counts(cursor) -> dict:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the catalogue)
        counts[table] = cursor.fetchone()[0]
    return counts


def _files(root: Path) -> dict:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


@pytest.fixture
def folders(settings, tmp_path):
    """This test's files in folders of its own. The private storage is a lazy object that keeps the
    folder it first saw, so it starts again here and after the test."""
    settings.MEDIA_ROOT = str(tmp_path / "live" / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "live" / "private")
    private_storage._wrapped = empty
    yield tmp_path
    private_storage._wrapped = empty


@pytest.fixture
def fresh_database():
    """A new, empty database on the test server, dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    admin = _psycopg("postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def live_data(folders, setup):
    """Three members introduced: one received by the commune office (letter and acknowledgement), one
    waiting, one received on paper (a scan); stamps and signatures of both offices; a public file."""
    today = datetime.date.today()
    for i in range(3):
        member = factories.member(setup["a1"], full_name=f"Phạm Thị Sao Lưu{i}", commune_code=4 if i == 2 else 70)
        link = letter_issue(actor=setup["clerk"], member=member)
        if i == 0:
            link_receive(actor=setup["office"], link=link, received_date=today, branch=setup["res"])
        elif i == 2:
            scan = SimpleUploadedFile("phieu-bao.pdf", scanned_pdf(), content_type="application/pdf")
            link_receive_manual(actor=setup["clerk"], link=link, received_date=today, scan=scan)
    # Nothing the app has today stores files in MEDIA_ROOT; the backup takes that folder all the same.
    public = folders / "live" / "media" / "huong-dan" / "mau.txt"
    public.parent.mkdir(parents=True)
    public.write_text("Mẫu 1-213\n")
    documents = list(Document.objects.order_by("pk").values_list("pk", "sha256", "pdf"))
    assert len(documents) == 4 and all(sha and pdf for _, sha, pdf in documents)  # rendered on commit
    return documents


def test_backup_then_restore_into_a_new_database_gives_every_row_and_file_back(folders, live_data, fresh_database):
    live = connection.settings_dict["NAME"]
    backups = folders / "backups"
    # An older complete backup and a failed one: BACKUP_KEEP=1 prunes the first, ignores the second.
    for old, complete in (("tdv213-20200101T000000Z", True), ("tdv213-20200102T000000Z.partial", False)):
        (backups / old).mkdir(parents=True)
        if complete:
            (backups / old / "manifest.json").write_text("{}")
    done = _run("scripts/backup.sh", str(backups), env={**_env(live, folders / "live"), "BACKUP_KEEP": "1"})
    assert done.returncode == 0
    [backup] = backups.glob("tdv213-*Z")
    assert not (backups / "tdv213-20200101T000000Z").exists()
    assert (backups / "tdv213-20200102T000000Z.partial").exists()
    manifest = json.loads((backup / "manifest.json").read_text())
    with connection.cursor() as cursor:
        live_counts = _counts(cursor)
    assert manifest["tables"] == live_counts
    assert set(manifest["files"]) == {
        f"{root}/{name}" for root in ("media", "private") for name in _files(folders / "live" / root)
    }

    restored = folders / "restored"
    done = _run("scripts/restore.sh", str(backup), env=_env(fresh_database, restored))
    assert done.returncode == 0
    assert "Verified" in done.stdout

    target = _psycopg(fresh_database)
    try:
        with target.cursor() as cursor:
            assert _counts(cursor) == live_counts
            cursor.execute("SELECT id, sha256, pdf FROM vanban_document ORDER BY id")
            assert [tuple(row) for row in cursor.fetchall()] == live_data
    finally:
        target.close()
    assert sum(live_counts.values()) > 3000  # the administrative units, members, documents, audit
    for _, sha256, pdf in live_data:
        assert hashlib.sha256((restored / "private" / pdf).read_bytes()).hexdigest() == sha256
    for root in ("media", "private"):
        assert _files(restored / root) == _files(folders / "live" / root)

    # A second restore into the same database stops before writing anything, even into empty folders.
    again = _run("scripts/restore.sh", str(backup), env=_env(fresh_database, folders / "other"))
    assert again.returncode != 0
    assert "is not empty" in again.stderr and "nothing restored" in again.stderr
    assert not (folders / "other").exists()

    # The check after a restore reads the files: one changed byte in an archived PDF is found.
    pdf = restored / "private" / live_data[0][2]
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    check = subprocess.run(
        [sys.executable, "manage.py", "backup", "verify", str(backup)],
        cwd=ROOT,
        env=_env(fresh_database, restored),
        capture_output=True,
        text=True,
    )
    assert check.returncode != 0
    assert f"file private/{live_data[0][2]} differs" in check.stderr
    assert f"vanban.Document.pdf #{live_data[0][0]}: private/{live_data[0][2]} has SHA-256" in check.stderr


# A wrapper first on PATH (and as PYTHON): it records its arguments, its parent's command line (the
# script's, as `ps` shows it) and the password it was given in the environment, then runs the real one.
WRAPPER = """#!{python}
import json, os, sys
with open({log!r}, "a") as log:
    parent = open(f"/proc/{{os.getppid()}}/cmdline", "rb").read().decode("utf-8", "replace").split("\\0")
    log.write(json.dumps({{"tool": {name!r}, "argv": sys.argv, "parent": parent,
                          "pgpassword": os.environ.get("PGPASSWORD")}}) + "\\n")
os.execv({real!r}, [{real!r}, *sys.argv[1:]])
"""


def _wrappers(folder: Path, log: Path) -> dict:
    """psql, pg_restore and pg_dump on PATH, and the Python the scripts run, each recording its call."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    tools = {name: shutil.which(name) for name in ("psql", "pg_restore", "pg_dump")}
    tools["python"] = sys.executable
    for name, real in tools.items():
        assert real, f"{name} is not installed"
        wrapper = bin_dir / name
        wrapper.write_text(WRAPPER.format(python=sys.executable, log=str(log), name=name, real=real))
        wrapper.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHON": str(bin_dir / "python")}


def test_a_password_in_the_database_url_is_on_no_command_line(folders, fresh_database):
    """The scripts hand the password to pg_dump, psql and pg_restore in the environment (PGPASSWORD),
    never as an argument; and restore.sh, given it in --database-url, takes it off its own command line
    (ps shows the script's command line for as long as the restore runs). The test server trusts its
    clients, so any password connects: what is checked is where the password travels."""
    password = f"Pw-{uuid.uuid4().hex[:8]}@:/ %"
    secrets = {password, quote(password), quote(password, safe="")}
    live = connection.settings_dict["NAME"]
    log = folders / "calls.jsonl"
    tools = _wrappers(folders, log)

    backups = folders / "backups"
    done = _run(
        "scripts/backup.sh",
        str(backups),
        env={**_env(live, folders / "live"), **tools, "DATABASE_URL": _url(live, password)},
    )
    assert done.returncode == 0
    [backup] = backups.glob("tdv213-*Z")

    # --database-url wins over DATABASE_URL from the environment (here a server that is not there).
    env = {**_env(fresh_database, folders / "restored"), **tools, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    done = _run("scripts/restore.sh", "--database-url", _url(fresh_database, password), str(backup), env=env)
    assert done.returncode == 0
    assert "Verified" in done.stdout
    assert "--database-url holds a password" in done.stderr and "PGPASSWORD or ~/.pgpass" in done.stderr
    target = _psycopg(fresh_database)
    try:
        with target.cursor() as cursor, connection.cursor() as live_cursor:
            assert _counts(cursor) == _counts(live_cursor)
    finally:
        target.close()

    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert {call["tool"] for call in calls} == {"python", "pg_dump", "psql", "pg_restore"}
    for call in calls:
        shown = " ".join(call["argv"] + call["parent"])
        assert not any(secret in shown for secret in secrets), call
        if call["tool"] != "python":
            assert call["pgpassword"] == password, call
