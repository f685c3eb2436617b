"""PostgreSQL restarted under load: the app, run as production runs it (gunicorn, production's
database settings), recovers by itself, and once a request has succeeded again none fails.

A throwaway cluster of its own (initdb and pg_ctl from the PostgreSQL server package, on a free port
in a temporary folder), never the shared server the rest of the suite uses."""

import http.client
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from tests.helpers import wait_for

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/dang-vien/"
CLIENTS = 4


def _pg_bin() -> Path | None:
    dirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    return next((d for d in dirs if (d / "initdb").exists() and (d / "pg_ctl").exists()), None)


PG_BIN = _pg_bin()
pytestmark = pytest.mark.skipif(
    PG_BIN is None,
    reason="needs the PostgreSQL server binaries (initdb, pg_ctl under /usr/lib/postgresql/*/bin): "
    "apt-get install postgresql",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    data: Path
    port: int
    as_owner: list

    def pg_ctl(self, *args):
        log = self.data.parent / "server.log"
        subprocess.run(
            [*self.as_owner, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-w", "-t", "60", *args],
            check=True,
            capture_output=True,
        )

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/tdv213"


@pytest.fixture(scope="module")
def cluster():
    """initdb and the server refuse to run as root: root runs them as postgres (or nobody), in a
    folder under /tmp owned by that user."""
    root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="tdv213-pg-", dir="/tmp" if root else None))  # noqa: S108 (reachable by postgres)
    as_owner = []
    if root:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            owner = pwd.getpwnam("nobody")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", owner.pw_name, "--"]
    port = _free_port()
    data = base / "data"
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--locale=C.UTF-8"]
    subprocess.run([*as_owner, *initdb, "-E", "UTF8"], check=True, capture_output=True)
    server = Cluster(data=data, port=port, as_owner=as_owner)
    try:
        # Durability is not what this test is about: fsync off makes the migrations faster.
        server.pg_ctl("-o", f"-p {port} -c listen_addresses=127.0.0.1 -k {base} -c fsync=off", "start")
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE tdv213")
        conn.close()
        yield server
    finally:
        subprocess.run(
            [*as_owner, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def _app_env(cluster):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.ops.restart_settings",
        "DATABASE_URL": cluster.url,
        "SECRET_KEY": "restart-test-secret-key-restart-test-secret-key",
        "SECURE_SSL_REDIRECT": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
    }


# A workplace office with members, its clerk, and a session for that clerk (the session cookie's value
# is printed last).
SEED = """
from django.conf import settings
from django.test import Client
from chibo.models import Role
from tests import factories
province = factories.org(name="Đảng bộ tỉnh Khởi Động")
office = factories.org(province, name="Đảng bộ Sở Thử Tải")
branch = factories.org(office, name="Chi bộ Văn phòng", kind_code="chi-bo-truc-thuoc", doc_abbreviation="CB")
clerk = factories.user("clerk_restart", roles=[(office, Role.CLERK)])
for i in range(20):
    factories.member(branch, full_name=f"Nguyễn Văn Thử{i}")
client = Client()
client.force_login(clerk)
print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


@pytest.fixture(scope="module")
def app(cluster, tmp_path_factory):
    """The migrated database, a logged-in clerk, and gunicorn (three sync workers, as the Dockerfile
    runs it) serving the app against the cluster; yields (port, session cookie)."""
    env = _app_env(cluster)

    def manage(*args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    cookie = f"sessionid={manage('shell', '-c', SEED).split()[-1]}"
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "3", "--timeout", "60"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: _get(port, cookie)[0] == 200, what=f"gunicorn to serve {PAGE} (log: {log})")
        yield port, cookie
    finally:
        server.send_signal(signal.SIGINT)  # quick shutdown
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _get(port, cookie):
    """(status, body) of the member list; a refused connection or reset is a status too."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", PAGE, headers={"Cookie": cookie})
        response = conn.getresponse()
        return response.status, response.read()
    except OSError as error:
        return type(error).__name__, b""
    finally:
        conn.close()


@dataclass
class Hit:
    start: float
    end: float
    status: int | str


def test_under_load_requests_succeed_again_once_postgresql_is_back(cluster, app, capsys):
    port, cookie = app
    status, body = _get(port, cookie)
    assert status == 200 and "Nguyễn Văn Thử0".encode() in body  # the page reads the members

    hits, lock, stop = [], threading.Lock(), threading.Event()

    def client():
        while not stop.is_set():
            start = time.monotonic()
            status, _ = _get(port, cookie)
            with lock:
                hits.append(Hit(start, time.monotonic(), status))

    def count(condition):
        with lock:
            return sum(1 for h in hits if condition(h))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        # Every worker holds a persistent connection (CONN_MAX_AGE) before the restart.
        wait_for(lambda: count(lambda h: h.status == 200) >= 40, what="40 requests before the restart")
        restart_at = time.monotonic()
        cluster.pg_ctl("-m", "fast", "restart")
        up_at = time.monotonic()
        wait_for(lambda: count(lambda h: h.start > up_at) >= 60, what="60 requests after the restart")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    hits.sort(key=lambda h: h.start)
    before = [h for h in hits if h.end < restart_at]
    assert before and all(h.status == 200 for h in before)
    failed = [h for h in hits if h.end >= restart_at and h.status != 200]
    outage_at = failed[0].start if failed else restart_at
    # Recovery: the first success among the requests that began once the server was back (pg_ctl
    # returned). A success between the first failure and the end of the shutdown is not recovery:
    # under load a request can still slip through on a connection the shutdown hasn't cut yet.
    recovered = min((h for h in hits if h.status == 200 and h.start >= up_at), key=lambda h: h.end)
    after_recovery = [h for h in hits if h.start > recovered.end]
    after_up = [h for h in hits if h.start > up_at]
    assert after_recovery and after_up
    assert [h.status for h in after_recovery if h.status != 200] == []
    late = [h.status for h in after_up if h.status != 200]
    kinds = ", ".join(f"{n} × {k}" for k, n in sorted(Counter(str(h.status) for h in failed).items())) or "none"
    with capsys.disabled():
        print(
            f"\nPostgreSQL restart (pg_ctl restart -m fast): accepting connections again {up_at - restart_at:.2f} s "
            f"after it began. {len(hits)} requests from {CLIENTS} clients; {len(failed)} failed while it was down "
            f"({kinds}); the first success again came {recovered.end - outage_at:.2f} s after the first failure and "
            f"{recovered.end - up_at:+.2f} s from pg_ctl's return; {len(late)} of the {len(after_up)} requests begun "
            f"after pg_ctl returned failed; the {len(after_recovery)} requests after the first success all succeeded."
        )


def test_a_restart_while_idle_costs_no_request(cluster, app, capsys):
    """Each worker keeps its connection between requests (CONN_MAX_AGE): after a restart during a
    quiet moment, that connection is dead, and the worker's next request must not be the one to find out."""
    port, cookie = app

    def burst():
        with ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(lambda _: _get(port, cookie)[0], range(10 * CLIENTS)))

    assert set(burst()) == {200}  # every worker has served, and holds a connection
    cluster.pg_ctl("-m", "fast", "restart")
    statuses = burst()
    with capsys.disabled():
        print(
            f"\nPostgreSQL restarted while idle: {statuses.count(200)} of {len(statuses)} requests after it succeeded."
        )
    assert statuses == [200] * len(statuses)
