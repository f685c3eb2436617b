"""Draft saves of the evaluation form (Mẫu 3-213) under load: 50 branch secretaries autosaving
at once against gunicorn on loopback with PostgreSQL, printed as one JSON object per line.

    python -m bench.forms [--quick] [--users 50] [--duration 30] [--think-ms 250] [--workers 5]

Figures: form_save_p95_ms (95th percentile of a save, from sending the POST to the last byte of
the JSON answer, as the browser's fetch sees it) and form_save_rps (saves answered per second,
all users together), with their targets; then the error count, the run's duration, the gunicorn
set-up, the CPU a request cost (server_cpu_ms_per_request: the workers', saves and page opens
together; beside it database_ms, the PostgreSQL backends serving the workers, and client_ms, this
script's own threads, which share the cores with the server), the form-page opens between members
and the machine's load average (the machine is shared: read the figures beside it). Nothing fails
on a slow figure.

Data (database tdv213_bench_forms on the DATABASE_URL server, created and migrated if missing,
reused and extended if present): one province with a commune committee (residence side) and its
50 residence branches, 30 members each, whose workplace branches sit under five workplace
committees. Organisations, users and roles come from the services; members and their residence
links (state active, residence branch and commune committee set) are bulk-created, as letters and
acknowledgements through the services would cost a PDF each and are not what is measured. The
commune's office opens the year's period with nhanxet.services.period_open. Each secretary gets a
session made directly in the session store (login is not what is measured). The tables a run
writes are vacuumed before it (see vacuum()), so a run does not pay for the ones before it.

Load: one client process (threads, http.client; no extra package) separate from the server, one
thread per secretary working through their own branch's members as the form's script does
(static/js/evaluation.js): open the form page (GET; CSRF token, lock_version and current answers
read from it), then change the five criteria one by one, the conclusion, type the remarks (and the
facts behind a proposal when the conclusion asks for one); every change is saved at once with the
whole form, at most one save in flight per secretary, and changes made while a save is in flight
go out together right after it (so a slow server gets fewer, later saves, as in the browser).
Every save differs from the one before. Between changes a secretary pauses --think-ms on average
(uniform over 0.5–1.5×): 250 ms is a fast keyboard user (the number keys pick a level and move
on), i.e. the evening before the deadline with 50 secretaries typing at once. With that pause the
offered load is at most 50 / 0.25 s = 200 saves/s, so 150 saves/s is reached only while the mean
save stays under ~80 ms; --think-ms 0 measures the server's capacity instead (then p95 is
mostly queueing: 50 users / saves per second). The next save sends the lock_version of the last
answer; a 409 means the client lost track and counts as an error, as does any non-200 answer.
After a warm-up (--warmup s, not counted) the saves answered during --duration s are measured.

Server: `gunicorn config.wsgi` with config.settings.bench (DEBUG off, DATABASE_URL, Redis
cache) and CONN_MAX_AGE=60 as in production (persistent connections), on a free loopback port.
Worker choice on this 2-core machine: 5 sync workers (2 × cores + 1, gunicorn's own advice),
the default of --workers (the Dockerfile starts 3). A save costs ~1.5-2 ms of worker CPU (session read from
Redis, the user, the link with the right, the prepared update with its audit row) and a form-page
open ~4.5-6 ms; with the machine no longer saturated, 2, 3 and 5 workers gave p95 23.0, 19.2 and
16.6 ms at 196 saves/s, and gthread workers (2 × 4, 3 × 2 threads) did worse than sync when the
machine was saturated (GIL contention inside a worker), so the conventional setting stays.
"""

import argparse
import html
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"form_save_p95_ms": 100, "form_save_rps": 150}
FULL = {"branches": 50, "members": 30, "users": 50, "warmup": 5.0, "duration": 30.0}
QUICK = {"branches": 3, "members": 4, "users": 3, "warmup": 1.0, "duration": 3.0}
PREFIX = "Thử tải nhận xét"

REMARKS = [
    "Gương mẫu chấp hành chủ trương của Đảng, pháp luật của Nhà nước và quy định nơi cư trú.",
    "Tham gia đầy đủ các buổi sinh hoạt chi bộ và hoạt động của khu dân cư.",
    "Gia đình đạt danh hiệu gia đình văn hóa năm nay.",
    "Tích cực vận động bà con tham gia làm đường giao thông nông thôn.",
    "Giữ mối liên hệ thường xuyên với chi ủy và ban công tác Mặt trận.",
    "Có ý kiến đóng góp xây dựng tổ dân phố.",
    "Ủng hộ quỹ vì người nghèo và quỹ khuyến học của khu phố.",
    "Cần tham gia sinh hoạt đều đặn hơn trong thời gian tới.",
]
DETAILS = [
    "Đồng chí vận động được 12 hộ hiến đất mở rộng ngõ xóm.",
    "Đồng chí nhiều lần vắng sinh hoạt không có lý do, đã được nhắc nhở.",
    "Đồng chí chủ trì hòa giải thành công hai vụ tranh chấp đất đai trong khu phố.",
]


# ---- the data set -----------------------------------------------------------------------------


def build(*, branches: int, members: int, log=print) -> dict:
    """Make (or reuse and extend) the data set; returns {year, secretaries: [(username, branch pk,
    [link pks])]} for the first `branches` branches with `members` members each."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from chibo.models import Commune, Organization, OrganizationKind, Role, RoleAssignment, Side
    from chibo.services import organization_create, role_assign
    from dangvien.models import LinkState, Member, ResidenceLink
    from nhanxet.models import EvaluationPeriod
    from nhanxet.services import period_open
    from quydinh.selectors import pack_in_force
    from taikhoan.models import User
    from vanban.models import Document, DocumentType
    from vanban.services import numbers_take

    kind = {k.code: k for k in OrganizationKind.objects.all()}
    year = timezone.localdate().year
    commune_unit = Commune.objects.get(code=70)

    def org(parent, name, kind_code, side, abbr="ĐU"):
        found = Organization.objects.filter(name=name, depth=(parent.depth + 1) if parent else 1)
        found = (found.filter(path__startswith=parent.path) if parent else found).first()
        if found is not None:
            return found
        return organization_create(
            actor=None, parent=parent, kind=kind[kind_code], side=side, name=name, doc_abbreviation=abbr
        )

    def user(username, organization, role):
        found = User.objects.filter(username=username).first()
        if found is None:
            found = User.objects.create_user(username, password="bench-forms-213")
        if not RoleAssignment.objects.filter(user=found, organization=organization, role=role).exists():
            role_assign(actor=None, user=found, organization=organization, role=role)
        return found

    started = time.perf_counter()
    province = org(None, f"Đảng bộ tỉnh {PREFIX}", "tinh-uy", Side.WORKPLACE)
    commune = org(province, f"Đảng bộ phường {PREFIX}", "dang-uy-xa", Side.BOTH)
    workplaces = []
    for w in range(5):
        committee = org(province, f"Đảng bộ Sở {PREFIX} {w + 1}", "dang-bo-co-so", Side.WORKPLACE)
        unit = org(committee, f"Chi bộ Văn phòng Sở {PREFIX} {w + 1}", "chi-bo-truc-thuoc", Side.WORKPLACE, "CB")
        workplaces.append((committee, unit))
    committee_of = {unit.pk: committee for committee, unit in workplaces}
    office = user("bench.forms.office", commune, Role.CLERK)
    if not EvaluationPeriod.objects.filter(organization=commune, year=year).exists():
        period_open(
            actor=office,
            organization=commune,
            year=year,
            scope="all",
            branch_deadline=datetime.date(year, 12, 10),
            confirm_deadline=datetime.date(year, 12, 20),
            forward_deadline=datetime.date(year, 12, 31),
        )

    secretaries = []
    created = 0
    for b in range(branches):
        branch = org(commune, f"Chi bộ khu phố {b + 1}", "chi-bo-noi-cu-tru", Side.RESIDENCE, "CB")
        secretary = user(f"bench.forms.secretary{b + 1:03d}", branch, Role.BRANCH_SECRETARY)
        links = ResidenceLink.objects.filter(residence_branch=branch, state=LinkState.ACTIVE)
        missing = members - links.count()
        if missing > 0:
            serial = Member.objects.count() + 1
            new = []
            for i in range(missing):
                committee, unit = workplaces[(serial + i) % len(workplaces)]
                member = Member(
                    full_name=f"{NAMES[(serial + i) % len(NAMES)]} {serial + i}",
                    gender="male",
                    birth_date=datetime.date(1970 + (serial + i) % 30, 1 + (serial + i) % 12, 1 + (serial + i) % 28),
                    citizen_id=f"0330{70 + (serial + i) % 30:02d}{serial + i:06d}",
                    admission_date=datetime.date(2005, 5, 19),
                    full_membership_date=datetime.date(2006, 5, 19),
                    status="full",
                    organization=unit,
                    position="Chuyên viên",
                    workplace_unit=committee.name,
                    residence_commune=commune_unit,
                    residence_hamlet=branch.name,
                    residence_street=f"Số {1 + i}",
                    covered_213=True,
                )
                member.refresh_derived()
                new.append(member)
            with transaction.atomic():
                Member.objects.bulk_create(new)
                # An active link was introduced by a letter (a database constraint): each gets a
                # numbered letter of its committee, the numbers taken from the register.
                letters = []
                pack = pack_in_force()
                for committee in {committee_of[m.organization_id] for m in new}:
                    mine = [m for m in new if committee_of[m.organization_id] == committee]
                    numbers = numbers_take(
                        issuer=committee, doc_type=DocumentType.INTRODUCTION, year=year, count=len(mine)
                    )
                    letters += [
                        Document(
                            doc_type=DocumentType.INTRODUCTION,
                            issuer=committee,
                            year=year,
                            number=number,
                            symbol=symbol,
                            subject=f"Giới thiệu đồng chí {member.full_name} về sinh hoạt nơi cư trú",
                            template="introduction/qd213-v1",
                            pack=pack,
                            snapshot={},
                            issued_at=timezone.now(),
                            signer_name="Bench",
                            member=member,
                        )
                        for member, (number, symbol) in zip(mine, numbers, strict=True)
                    ]
                letter_of = {d.member_id: d for d in Document.objects.bulk_create(letters)}
                ResidenceLink.objects.bulk_create(
                    ResidenceLink(
                        member=member,
                        workplace_committee=committee_of[member.organization_id],
                        workplace_path=committee_of[member.organization_id].path,
                        residence_commune=commune_unit,
                        residence_hamlet=member.residence_hamlet,
                        residence_street=member.residence_street,
                        residence_committee=commune,
                        residence_path=commune.path,
                        residence_branch=branch,
                        letter=letter_of[member.pk],
                        state=LinkState.ACTIVE,
                        received_date=timezone.localdate(),
                    )
                    for member in new
                )
            created += missing
        pks = list(links.order_by("member__sort_key", "pk").values_list("pk", flat=True)[:members])
        secretaries.append((secretary.username, branch.pk, pks))
    log(
        json.dumps(
            {
                "name": "form_data_s",
                "value": round(time.perf_counter() - started, 1),
                "unit": "s",
                "branches": branches,
                "members_per_branch": members,
                "members_created": created,
                "reused": created == 0,
            }
        )
    )
    return {"year": year, "secretaries": secretaries}


NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Hoa"]


def sessions(usernames) -> dict:
    """A logged-in session per user, made in the session store (what the login page would do)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from taikhoan.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    out = {}
    for user in User.objects.filter(username__in=list(usernames)):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        # The backend that logs users in (django-axes' comes first only to refuse locked ones).
        session[BACKEND_SESSION_KEY] = "taikhoan.backends.UserBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        out[user.username] = session.session_key
    return out


# ---- the server -------------------------------------------------------------------------------


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving config.wsgi on a free loopback port, for the time of a `with` block."""

    def __init__(self, database_url: str, *, workers: int, worker_class: str = "sync", threads: int = 1):
        self.database_url = database_url
        self.workers, self.worker_class, self.threads = workers, worker_class, threads
        self.port = free_port()
        self.proc = None
        self.log = None
        self.backends = None  # PostgreSQL backend pids, read once the workers have connected

    def __enter__(self):
        url = self.database_url + ("&" if "?" in self.database_url else "?") + "conn_max_age=60"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "DATABASE_URL": url,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
            "LOG_LEVEL": "ERROR",
        }
        self.log = tempfile.TemporaryFile()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.output()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/dang-nhap/")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        return self

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the workers so far (Linux /proc), or None where there is no /proc."""
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            return sum(process_cpu_seconds(int(pid)) for pid in children)
        except (OSError, ValueError):
            return None

    def database_cpu_seconds(self) -> float | None:
        """User + system CPU so far of the PostgreSQL backends serving the workers (Linux /proc, a
        server on this machine), or None when they cannot be read."""
        import psycopg2

        try:
            if self.backends is None:
                conn = psycopg2.connect(self.database_url)
                with conn.cursor() as cur:
                    cur.execute(
                        "SELECT pid FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    self.backends = [pid for (pid,) in cur.fetchall()]
                conn.close()
            return sum(process_cpu_seconds(pid) for pid in self.backends)
        except (OSError, ValueError, psycopg2.Error):
            return None

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return False


# ---- the load ---------------------------------------------------------------------------------

FIELD = re.compile(r'name="(c_[\w-]+|conclusion)" id="[^"]*" value="([\w-]+)" autocomplete="off"( checked)?')


@dataclass
class Page:
    csrf: str
    lock_version: int
    choices: dict  # field name → [codes]
    chosen: dict  # field name → code
    remarks: str
    details: str


def parse_form(body: str) -> Page:
    choices, chosen = {}, {}
    for name, value, checked in FIELD.findall(body):
        choices.setdefault(name, []).append(value)
        if checked:
            chosen[name] = value
    textareas = dict(re.findall(r'name="(remarks|conclusion_details)" rows="\d+">(.*?)</textarea>', body, re.S))
    return Page(
        csrf=re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1),
        lock_version=int(re.search(r'name="lock_version" value="(\d+)"', body).group(1)),
        choices=choices,
        chosen=chosen,
        remarks=html.unescape(textareas.get("remarks", "")),
        details=html.unescape(textareas.get("conclusion_details", "")),
    )


@dataclass
class Tally:
    saves: list = field(default_factory=list)  # (answered at, ms, status)
    opens: list = field(default_factory=list)
    changes: int = 0
    failures: list = field(default_factory=list)


class Secretary(threading.Thread):
    """One browser: the form pages of one branch, one after another, autosaving every change."""

    def __init__(self, *, port, session, branch, year, links, think_ms, seed, stop_at):
        super().__init__(daemon=True)
        self.port, self.branch, self.year, self.links = port, branch, year, links
        self.cookies = {"sessionid": session}
        self.think = think_ms / 1000
        self.rng = random.Random(seed)
        self.stop_at = stop_at
        self.tally = Tally()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def _request(self, method, path, body=None, headers=None):
        headers = {
            **(headers or {}),
            "Host": "127.0.0.1",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A sync worker closed the kept-alive socket: the browser opens another one.
                self.conn.close()
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data

    def _pause(self):
        return self.think * self.rng.uniform(0.5, 1.5)

    def _edits(self, page: Page):
        """The changes a secretary makes on one form, in order, each a function of the form state."""
        criteria = [name for name in page.choices if name.startswith("c_")]
        # Most members do well; most forms propose nothing.
        weights = {"good": 0.75, "fair": 0.2, "poor": 0.05, "none": 0.8, "commend": 0.15, "handle": 0.05}

        def choose(name, options, state):
            current = state.get(name)
            others = [o for o in options if o != current] or options
            state[name] = self.rng.choices(others, [weights.get(o, 0.1) for o in others])[0]

        edits = [lambda s, n=name: choose(n, page.choices[n], s) for name in criteria]
        if "conclusion" in page.choices:
            edits.append(lambda s: choose("conclusion", page.choices["conclusion"], s))

        def remark(s):
            s["remarks"] = (s["remarks"] + " " + self.rng.choice(REMARKS)).strip()[-1500:]

        def details(s):
            if s.get("conclusion") in ("commend", "handle"):
                s["conclusion_details"] = (s["conclusion_details"] + " " + self.rng.choice(DETAILS)).strip()[-1500:]
            else:
                remark(s)

        edits += [remark, details]
        return edits

    def _save(self, path, page, state):
        fields = [("csrfmiddlewaretoken", page.csrf), ("lock_version", str(page.lock_version))]
        fields += [(name, state[name]) for name in page.choices if name.startswith("c_") and state.get(name)]
        fields += [
            ("remarks", state["remarks"]),
            ("conclusion", state.get("conclusion", "")),
            ("conclusion_details", state["conclusion_details"]),
        ]
        from urllib.parse import urlencode

        headers = {
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": page.csrf,
        }
        body = urlencode(fields)
        started = time.perf_counter()
        status, data = self._request("POST", path, body=body, headers=headers)
        answered = time.perf_counter()
        self.tally.saves.append((answered, (answered - started) * 1000, status))
        if status == 200:
            page.lock_version = json.loads(data)["lock_version"]
        else:
            self.tally.failures.append((status, data[:300].decode(errors="replace")))
            if status == 409:
                page.lock_version = json.loads(data)["lock_version"]

    def run(self):
        try:
            self._run()
        except Exception as exc:  # noqa: BLE001 - reported as an error line, the run goes on
            self.tally.failures.append(("exception", repr(exc)))
            self.tally.saves.append((time.perf_counter(), 0.0, "exception"))

    def _run(self):
        index = self.rng.randrange(len(self.links))
        while time.perf_counter() < self.stop_at:
            path = f"/nhan-xet/chi-bo/{self.branch}/{self.year}/phieu/{self.links[index]}/"
            index = (index + 1) % len(self.links)
            started = time.perf_counter()
            status, data = self._request("GET", path)
            answered = time.perf_counter()
            self.tally.opens.append((answered, (answered - started) * 1000, status))
            if status != 200:
                self.tally.failures.append((f"GET {status}", data[:300].decode(errors="replace")))
                time.sleep(0.5)
                continue
            page = parse_form(data.decode())
            state = {**page.chosen, "remarks": page.remarks, "conclusion_details": page.details}
            edits = self._edits(page)
            next_change = time.perf_counter() + self._pause()
            while edits and time.perf_counter() < self.stop_at:
                wait = next_change - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                # Every change made by now (while the last save was in flight) goes in this save;
                # with no pause (capacity mode) one change a save.
                while edits and next_change <= time.perf_counter():
                    edits.pop(0)(state)
                    self.tally.changes += 1
                    next_change += self._pause()
                    if not self.think:
                        break
                self._save(path, page, state)
        self.conn.close()


def load(
    *, port, plan, tokens, users, warmup, duration, think_ms, seed=213, cpu=lambda: None, database_cpu=lambda: None
) -> dict:
    """Run `users` secretaries for warmup + duration seconds; figures over the last `duration`."""
    secretaries = plan["secretaries"]
    if users > len(secretaries):
        raise ValueError(f"{users} users need {users} branches; the data set has {len(secretaries)}")
    begin = time.perf_counter()
    measure_from = begin + warmup
    stop_at = measure_from + duration
    threads = [
        Secretary(
            port=port,
            session=tokens[username],
            branch=branch,
            year=plan["year"],
            links=links,
            think_ms=think_ms,
            seed=seed * 1000 + n,
            stop_at=stop_at,
        )
        for n, (username, branch, links) in enumerate(secretaries[:users])
    ]
    cpu_samples = []

    def sample_cpu():
        # The server's workers, the database backends serving them, and this client process (its
        # threads share the two cores with the server: its cost is part of the machine's load).
        for moment in (measure_from, stop_at):
            time.sleep(max(0.0, moment - time.perf_counter()))
            cpu_samples.append((cpu(), database_cpu(), time.process_time()))

    sampler = threading.Thread(target=sample_cpu, daemon=True)
    sampler.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + duration + 120)
    sampler.join(timeout=5)

    def spent(n):
        if len(cpu_samples) != 2 or None in (cpu_samples[0][n], cpu_samples[1][n]):
            return None
        return cpu_samples[1][n] - cpu_samples[0][n]

    def window(rows):
        return [row for row in rows if measure_from <= row[0] <= stop_at]

    saves = [row for t in threads for row in window(t.tally.saves)]
    opens = [row for t in threads for row in window(t.tally.opens)]
    failures = [f for t in threads for f in t.tally.failures]
    statuses = {}
    for _at, _ms, status in saves + opens:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "saves_ms": [ms for _at, ms, status in saves if status == 200],
        "opens_ms": [ms for _at, ms, status in opens if status == 200],
        "errors": sum(1 for _at, _ms, status in saves + opens if status != 200)
        + sum(1 for t in threads if t.is_alive()),
        "conflicts": sum(1 for _at, _ms, status in saves if status == 409),
        "statuses": statuses,
        "failures": failures[:5],
        "changes": sum(t.tally.changes for t in threads),
        "duration": duration,
        "server_cpu_s": spent(0),
        "database_cpu_s": spent(1),
        "client_cpu_s": spent(2),
    }


# ---- figures ----------------------------------------------------------------------------------


def percentile(values, pct):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def _emit(out, record):
    if record["name"] in TARGETS:
        record["target"] = TARGETS[record["name"]]
    print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
    return record


def run(
    *,
    plan,
    database_url,
    users,
    warmup,
    duration,
    think_ms=250,
    workers=5,
    worker_class="sync",
    threads=1,
    out=sys.stdout,
) -> list[dict]:
    """Serve, load, print and return the records."""
    from django.db import connections

    tokens = sessions(username for username, _b, _l in plan["secretaries"][:users])
    vacuum()
    connections.close_all()
    load_before = os.getloadavg()
    with Server(database_url, workers=workers, worker_class=worker_class, threads=threads) as server:
        result = load(
            port=server.port,
            plan=plan,
            tokens=tokens,
            users=users,
            warmup=warmup,
            duration=duration,
            think_ms=think_ms,
            cpu=server.cpu_seconds,
            database_cpu=server.database_cpu_seconds,
        )
        server_log = server.output()
    saves, opens = result["saves_ms"], result["opens_ms"]

    def per_request(seconds):
        return round(seconds * 1000 / max(1, len(saves) + len(opens)), 1) if seconds is not None else None

    records = [
        _emit(
            out,
            {
                "name": "form_save_p95_ms",
                "value": round(percentile(saves, 95), 1),
                "unit": "ms",
                "p50": round(statistics.median(saves), 1) if saves else 0.0,
                "p99": round(percentile(saves, 99), 1),
                "max": round(max(saves), 1) if saves else 0.0,
                "n": len(saves),
            },
        ),
        _emit(
            out,
            {
                "name": "form_save_rps",
                "value": round(len(saves) / duration, 1),
                "unit": "saves/s",
                "users": users,
                "think_ms": think_ms,
                "changes": result["changes"],
            },
        ),
        _emit(
            out,
            {
                "name": "form_save_errors",
                "value": result["errors"],
                "unit": "errors",
                "conflicts": result["conflicts"],
                "statuses": result["statuses"],
                **({"first": result["failures"]} if result["failures"] else {}),
            },
        ),
        _emit(out, {"name": "form_save_duration_s", "value": duration, "unit": "s", "warmup_s": warmup}),
        _emit(
            out,
            {
                "name": "gunicorn_workers",
                "value": workers,
                "unit": "workers",
                "worker_class": worker_class,
                "threads": threads,
                "cpus": os.cpu_count(),
            },
        ),
        _emit(
            out,
            {
                # Worker CPU (user + system) per answered request, saves and page opens together:
                # what a request costs, less sensitive than latency to what else runs on the machine.
                "name": "server_cpu_ms_per_request",
                "value": per_request(result["server_cpu_s"]),
                "unit": "ms",
                # The rest of the machine's work per request: PostgreSQL's backends and this client.
                "database_ms": per_request(result["database_cpu_s"]),
                "client_ms": per_request(result["client_cpu_s"]),
            },
        ),
        _emit(
            out,
            {
                "name": "form_open_p95_ms",
                "value": round(percentile(opens, 95), 1),
                "unit": "ms",
                "n": len(opens),
            },
        ),
        _emit(
            out,
            {
                # The machine may be shared: how busy it was (and, where Linux reports it, the
                # share of the last 60 s in which some runnable task waited for a CPU).
                "name": "load_avg_1m",
                "value": round(os.getloadavg()[0], 2),
                "unit": "processes",
                "before": round(load_before[0], 2),
                **cpu_pressure(),
            },
        ),
    ]
    if result["errors"] and "Traceback" in server_log:
        print(server_log, file=sys.stderr)
    return records


def vacuum():
    """Clear what earlier runs left behind in the tables a run writes. A PostgreSQL server run
    with autovacuum off (as on this machine) keeps every earlier run's updated form versions as
    dead rows, which the next run's reads and updates step over: the figures would depend on how
    many runs came before. A server as configured by default vacuums them itself."""
    from django.contrib.sessions.models import Session
    from django.db import connection

    from nhanxet.models import Evaluation
    from nhatky.models import AuditEvent

    with connection.cursor() as cursor:
        for model in (Evaluation, AuditEvent, Session):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


def cpu_pressure() -> dict:
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return {}
    values = dict(item.split("=") for item in line.split()[1:])
    return {"cpu_pressure_some_avg60_pct": float(values["avg60"])}


def database_url_of(settings_dict) -> str:
    """postgres://user@host:port/name of a Django database settings dict (no password: trust auth)."""
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny data set and a few seconds of load")
    parser.add_argument("--users", type=int)
    parser.add_argument("--branches", type=int)
    parser.add_argument("--members", type=int, help="members per branch")
    parser.add_argument("--warmup", type=float)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--think-ms", type=float, default=250)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    spec = dict(QUICK if args.quick else FULL)
    for key in spec:
        if getattr(args, key) is not None:
            spec[key] = getattr(args, key)
    spec["branches"] = max(spec["branches"], spec["users"])

    from bench.make import database_url

    url = database_url("forms")
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=os.environ, check=True)
    import django

    django.setup()
    plan = build(branches=spec["branches"], members=spec["members"])
    run(
        plan=plan,
        database_url=url,
        users=spec["users"],
        warmup=spec["warmup"],
        duration=spec["duration"],
        think_ms=args.think_ms,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
    )


if __name__ == "__main__":
    main()
