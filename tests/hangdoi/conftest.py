"""Real processes for the outbox tests: a throwaway redis-server on a free port (never the shared
one), the Celery app pointed at it, and Celery workers that can be killed; all are killed at the end."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from config.celery import app
from tests.helpers import database_url, wait_for  # noqa: F401 (the outbox tests import wait_for from here)

ROOT = Path(__file__).resolve().parents[2]
WORKER_NAME = "hangdoi-test@%h"


class RedisServer:
    def __init__(self, folder):
        self.folder = folder
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command)
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)

        def up():
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        wait_for(up, timeout=20, what="redis-server")
        client.close()

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)

    def client(self):
        return redis.Redis(port=self.port)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


def _reset_producers():
    """The app's broker connections and producers live in kombu's process-wide pools, one per URL:
    close them all and forget them, so the next publish (to whichever URL is configured then)
    makes fresh ones. Closing only the app's pool would leave a closed pool registered for that
    URL, and every later test publishing there would get 'Acquire on closed pool'."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(redis_server):
    """This process publishes to the throwaway Redis, for real (not eagerly), while the test runs."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = redis_server.url, False
    _reset_producers()
    yield redis_server
    app.conf.broker_url, app.conf.task_always_eager = saved
    _reset_producers()


@pytest.fixture
def private_root(tmp_path, settings):
    """Stamps, signatures and rendered PDFs in a folder of the test's, shared with its workers."""
    from django.utils.functional import empty

    from vanban.storage import private_storage

    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = str(root)
    private_storage._wrapped = empty
    yield root
    private_storage._wrapped = empty


class Workers:
    """Celery worker processes (prefork, one child) under one fixed name, as a restarted service has."""

    def __init__(self, broker, private_root, folder):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.hangdoi.worker_settings",
            "DATABASE_URL": database_url(),
            "TEST_BROKER_URL": broker.url,
            "TEST_PRIVATE_MEDIA_ROOT": str(private_root),
            "TEST_EMAIL_DIR": str(folder / "mail"),
        }
        self.folder = folder
        self.redis = broker
        self.processes = []

    def start(self):
        log = open(self.folder / "worker.log", "a")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(  # noqa: S603 (our own worker command)
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "-c", "1"]
            + ["-n", WORKER_NAME, "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "warning"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def kill(self, process):
        """SIGKILL to the worker and its pool child at once: no warm shutdown, nothing handed back."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def kill_all(self):
        for process in self.processes:
            try:
                self.kill(process)
            except ProcessLookupError:
                pass

    def log(self):
        return (self.folder / "worker.log").read_text(errors="replace")


@pytest.fixture
def workers(broker, private_root, tmp_path):
    (tmp_path / "mail").mkdir()
    pool = Workers(broker, private_root, tmp_path)
    yield pool
    pool.kill_all()
