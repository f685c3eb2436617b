"""National-scale synthetic data, written with PostgreSQL COPY (deterministic for a seed and a day).

The shape follows DOMAIN.md: 34 provincial committees; one committee per official commune
(3,321) with residence branches (~30 each) and two party groups per branch; workplace
organisations three levels deep under each province (bloc committees → grassroots
committees → branches, ~50,000 nationally); N members in the workplace branches, a
realistic share covered by QĐ 213 and living in a commune of the same province; role users
for sampled organisations.

Around the members, everything the reminders sweep, in every state and dated from the day
of generation (`today`): residence links (pending after a revoked letter, letter issued,
received, active, ended), introduction letters and acknowledgements, the members still owed
a letter (`awaiting_letter_since`), each residence branch's closed meeting of the last
half-year and upcoming meetings with their attendance sheets, an evaluation period per
commune committee at every stage of its deadlines, and evaluation forms in every status with
the documents, proposals and ratings each status implies. Members themselves do not depend
on the day, so a seed gives the same members on any day.

Synthetic rows skip the services on purpose (millions of rows through the ORM would take
hours); one audit record says who generated what. Secondary indexes and foreign keys of the
bulk-loaded tables are dropped during the load and put back after it, which is the fast bulk
path: every key is still checked, once for all rows instead of a lookup per row.
"""

import datetime
import io
import json
import queue
import random
import threading
import time
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from chibo.models import (
    Attendance,
    Commune,
    Meeting,
    Organization,
    OrganizationKind,
    PartyGroup,
    Province,
    Role,
    RoleAssignment,
)
from common.names import FAMILY_NAMES, FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE, POSITIONS
from common.text import fold, sort_key
from dangvien.models import (
    ChangeNotice,
    Exemption,
    ExemptionKind,
    Member,
    MemberNameWord,
    NameWord,
    ResidenceLink,
)
from dangvien.namewords import refresh_frequencies, words_of
from dangvien.validators import CCCD_PLACE_CODES
from nhanxet.models import (
    CriteriaSet,
    CriteriaUse,
    Evaluation,
    EvaluationPeriod,
    EvaluationRequest,
    FrontMeeting,
    Proposal,
    QualityRating,
    RatingScheme,
)
from nhatky.services import audit_record
from quydinh.selectors import pack_in_force
from taikhoan.models import User
from vanban.models import TYPE_CODES, Document, NumberRegister

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = Organization.steplen
BLOCS = ["Đảng bộ các cơ quan Đảng", "Đảng bộ Ủy ban nhân dân", "Đảng bộ Doanh nghiệp"]
GRASSROOTS_KINDS = ["Sở", "Ban", "Trường", "Bệnh viện", "Công ty", "Trung tâm", "Chi cục", "Ngân hàng"]
GRASSROOTS_NAMES = [
    "Tài chính",
    "Xây dựng",
    "Giáo dục và Đào tạo",
    "Y tế",
    "Nông nghiệp và Môi trường",
    "Công Thương",
    "Nội vụ",
    "Tư pháp",
    "Văn hóa, Thể thao và Du lịch",
    "Khoa học và Công nghệ",
    "Dân tộc và Tôn giáo",
    "Ngoại vụ",
    "Thuế",
    "Kho bạc",
    "Bảo hiểm xã hội",
    "Điện lực",
    "Cấp nước",
    "Môi trường đô thị",
    "Vận tải",
    "Xổ số kiến thiết",
]
BRANCH_NAMES = [
    "Văn phòng",
    "Phòng Tổ chức",
    "Phòng Kế hoạch",
    "Phòng Nghiệp vụ",
    "Phòng Tài vụ",
    "Thanh tra",
    "Phòng Hành chính",
    "Tổ Kỹ thuật",
    "Xưởng",
    "Khoa Nội",
    "Khoa Ngoại",
    "Tổ Chuyên môn",
]
HAMLET_PREFIX = {"phường": "Tổ dân phố", "xã": "Thôn", "đặc khu": "Khu phố"}
COVERED_SHARE = 0.45  # one province in 2020: 80,000 of 194,000 members were covered
# Shares of covered members with an HD 33 exemption, by category (an estimate: armed forces
# and police in barracks are the largest group, secret duty and standby the smallest).
EXEMPTION_SHARES = [
    ("barracks", 0.02),
    ("mobile_work", 0.015),
    ("full_time_study", 0.01),
    ("secret_duty", 0.005),
    ("combat_standby", 0.005),
    ("other", 0.005),
]
EXEMPTION_REASONS = {
    "barracks": "Ở doanh trại",
    "mobile_work": "Công tác lưu động",
    "full_time_study": "Học tập trung dài hạn",
    "secret_duty": "Nhiệm vụ đặc biệt",
    "combat_standby": "Đơn vị trực sẵn sàng chiến đấu",
    "other": "Lý do khác do đảng ủy xác định",
}

# ---- links, letters, meetings and evaluations (estimates; days count back from `today`) ----
# What became of the covered members who may be introduced, as shares: still owed a first
# letter, owed one again after a revoked letter (pending link), letter out, received; the
# rest are active.
AWAITING_SHARE = 0.035
REVOKED_SHARE = 0.01
LETTER_ISSUED_SHARE = 0.05
RECEIVED_SHARE = 0.05
AWAITING_RECENT_DAYS = 120  # most of those owed a letter started waiting within this many days
AWAITING_BACKLOG_SHARE = 0.25  # the rest are an old backlog, up to AWAITING_BACKLOG_DAYS
AWAITING_BACKLOG_DAYS = 900
AWAITING_AFTER_MOVE_SHARE = 0.3  # owed a letter because their last link ended with a move
LETTER_ISSUED_DAYS = 60  # letters out and not yet received were issued up to this many days ago
ENDED_HISTORY_SHARE = 0.04  # members with a link who also have an ended, earlier one
GROUPED_SHARE = 0.7  # active links the branch placed in a party group
# Accounts: who has one (the rest of each kind is a case where nobody can be told).
SECRETARY_SHARE = 0.6  # residence branches whose secretary has an account; only they fill forms
WORKPLACE_CLERK_SHARE = 0.9
COMMUNE_CLERK_SHARE = 0.95
GROUP_LEADER_SHARE = 0.15  # party groups whose leader has an account
COMMUNE_BOARD_SHARE = 0.2  # commune committees with a board viewer
EMAIL_SHARE = 0.7  # generated accounts with an e-mail address
# Meetings: every residence branch closed one last half-year; a sample has the next one
# scheduled within SCHEDULED_DAYS (some already past and not closed), half of them announced.
SCHEDULED_SHARE = 0.25
SCHEDULED_DAYS = 10
SCHEDULED_OVERDUE_SHARE = 0.08
INVITED_SHARE = 0.5
MARKED_SHARE = 0.5  # of the sheet of a meeting that has begun: marked present so far
# Evaluation periods by how far along they are: (stage, share of communes, days from today to
# the branch, confirm and forward deadlines, the status mix of the forms of active links in
# branches with a secretary account; "none" is no form yet).
STAGES = [
    ("due_in_7", 0.30, (7, 14, 21), {"none": 0.40, "draft": 0.45, "signed": 0.15}),
    ("due_in_1", 0.15, (1, 8, 15), {"none": 0.20, "draft": 0.35, "signed": 0.45}),
    ("branch_passed", 0.20, (-5, 3, 10), {"none": 0.08, "draft": 0.07, "signed": 0.50, "confirmed": 0.35}),
    (
        "confirm_passed",
        0.20,
        (-12, -4, 3),
        {"none": 0.03, "draft": 0.02, "signed": 0.10, "confirmed": 0.45, "forwarded": 0.40},
    ),
    (
        "all_passed",
        0.15,
        (-20, -12, -5),
        {"none": 0.02, "draft": 0.01, "signed": 0.04, "confirmed": 0.13, "forwarded": 0.80},
    ),
]
PERIOD_OPENED_DAYS = 40  # periods opened this many days ago; forms are dated after it
REQUESTED_SCOPE_SHARE = 0.1  # periods that cover only the members the workplace asks about
FRONT_MET_SHARE = 0.7  # branches of the least advanced periods that met the Front committee (others: drafts only)
CONCLUSIONS = [("none", 0.85), ("commend", 0.12), ("handle", 0.03)]
PROPOSAL_ANSWERED_SHARE = 0.3
RATED_SHARE = 0.5  # forwarded forms the workplace already used in a quality rating
RATING_LEVELS = [("excellent", 0.15), ("good", 0.6), ("done", 0.22), ("not_done", 0.03)]
REQUEST_SHARE = 0.003  # active links the workplace asked about
REQUEST_PURPOSES = ["appointment", "award", "discipline", "other"]
LETTER_TEMPLATE = "introduction/qd213-v1"
ACK_TEMPLATE = "acknowledgement/qd213-v1"
EVALUATION_TEMPLATE = "evaluation/qd213-v1"
MOVE_REASONS = ["moved_house", "moved_house", "moved_house", "changed_workplace", "transferred"]
AGENDA = "Thông tin tình hình địa phương; đảng viên báo cáo việc thực hiện nhiệm vụ nơi cư trú; góp ý của chi bộ."
MINUTES = "Chi ủy thông tin tình hình địa phương. Đảng viên góp ý về an ninh trật tự, vệ sinh môi trường khu dân cư."


def path_step(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out.rjust(STEPLEN, "0")


def _cumulative(pairs):
    """[(value, share), ...] → ([value, ...], [cumulative share, ...]) for random.choices."""
    values, shares = zip(*pairs, strict=True)
    return list(values), list(_accumulate(shares))


def _quota(rng, n: int, shares) -> list[int]:
    """n indices into `shares`, each in proportion (largest remainders), shuffled: small data sets
    still get every value."""
    exact = [n * s / sum(shares) for s in shares]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(shares)), key=lambda i: exact[i] - counts[i], reverse=True)[: n - sum(counts)]:
        counts[i] += 1
    out = [i for i, c in enumerate(counts) for _ in range(c)]
    rng.shuffle(out)
    return out


@dataclass
class Plan:
    members: int
    seed: int
    residence_branches: int = 30  # per commune
    grassroots_per_bloc: int = 70  # per province and bloc
    branches_per_grassroots: int = 6
    communes_limit: int | None = None  # fewer communes per province for small data sets

    @classmethod
    def for_members(cls, members: int, seed: int) -> "Plan":
        """National shape at 2.5 M members; proportionally smaller trees below that."""
        scale = min(1.0, members / 2_500_000)
        return cls(
            members=members,
            seed=seed,
            residence_branches=max(2, round(30 * scale)),
            grassroots_per_bloc=max(2, round(70 * scale)),
            branches_per_grassroots=max(2, round(6 * min(1.0, scale * 4))),
            communes_limit=None if scale >= 0.2 else max(2, round(100 * scale * 5)),
        )


@dataclass
class Result:
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


class Copier:
    """Buffers rows as COPY text and sends them in chunks (from a Sender's thread if given one)."""

    def __init__(self, cursor, table, columns, chunk=200_000):
        self.cursor, self.table, self.columns, self.chunk = cursor, table, columns, chunk
        self.buffer, self.count, self.pending = io.StringIO(), 0, 0
        self.seconds = 0.0  # spent in COPY

    @staticmethod
    def _cell(value):
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        text = str(value)
        if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
            text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return text

    def add(self, row):
        # Tens of millions of cells: format them in one pass, and escape cell by cell only when the
        # line shows something to escape (a separator or backslash more than the cells account for).
        line = "\t".join(["\\N" if v is None else "t" if v is True else "f" if v is False else str(v) for v in row])
        if line.count("\t") != len(row) - 1 or line.count("\\") != row.count(None) or "\n" in line or "\r" in line:
            line = "\t".join([self._cell(v) for v in row])
        self.buffer.write(line)
        self.buffer.write("\n")
        self.count += 1
        self.pending += 1
        if self.chunk and self.pending >= self.chunk:
            self.flush()

    def flush(self):
        if self.pending:
            self.send(self.take())

    def take(self) -> io.StringIO:
        """The rows buffered so far (for a Sender); the copier starts a new buffer."""
        buffer, self.buffer, self.pending = self.buffer, io.StringIO(), 0
        return buffer

    def send(self, buffer):
        started = time.perf_counter()
        buffer.seek(0)
        self.cursor.copy_expert(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN WITH (FORMAT text)", buffer)
        self.seconds += time.perf_counter() - started


class Sender:
    """Runs COPYs in order on a second thread, so the server loads one chunk of rows while Python
    builds the next (psycopg2 lets other threads run while it waits on the server). The main
    thread must not use the connection until close()."""

    def __init__(self):
        self.jobs = queue.Queue(maxsize=1)  # one chunk waiting at most: bounded memory
        self.error = None
        self.thread = threading.Thread(target=self._run, name="scaledata-copy", daemon=True)
        self.thread.start()

    def _run(self):
        while (job := self.jobs.get()) is not None:
            if self.error is None:
                try:
                    for copier, buffer in job:
                        copier.send(buffer)
                except BaseException as exc:
                    self.error = exc  # raised in the main thread by the next submit or close

    def submit(self, copiers):
        """Send what the copiers buffered, in their order (tables before those pointing to them)."""
        if self.error is not None:
            self.close()
        self.jobs.put([(copier, copier.take()) for copier in copiers if copier.pending])

    def close(self):
        if self.thread.is_alive():
            self.jobs.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()  # also when the main thread failed: no COPY may outlive the transaction


def _next_id(cursor, table):
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
    return cursor.fetchone()[0]


def _reset_sequence(cursor, table):
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608


def reset(cursor):
    """Remove everything the generator (and demo data) made; keep reference data.

    Links, documents, meetings, periods and forms go with the organisations and members
    (CASCADE); the criteria sets stay (reference data seeded by the migrations)."""
    tables = [
        Member.history.model._meta.db_table,
        Organization.history.model._meta.db_table,
        PartyGroup._meta.db_table,
        RoleAssignment._meta.db_table,
        "chibo_signatory",
        Member._meta.db_table,
        Organization._meta.db_table,
        "nhatky_auditevent",
        "django_admin_log",
        "django_session",
        User._meta.db_table,
    ]
    cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


class WorkplaceCommittee:
    """A grassroots workplace committee: issues the letters of the members below it."""

    __slots__ = ("id", "path", "province", "clerk", "office", "signer")

    def __init__(self, oid, path, province):
        self.id, self.path, self.province = oid, path, province
        self.clerk = self.office = None
        self.signer = ""


class CommuneCommittee:
    """A commune committee: receives letters, opens the evaluation period, confirms and forwards."""

    __slots__ = ("id", "path", "code", "province", "short", "clerk", "office", "signer", "period", "stage")

    def __init__(self, oid, path, code, province, short):
        self.id, self.path, self.code, self.province, self.short = oid, path, code, province, short
        self.clerk = self.office = self.period = self.stage = None
        self.signer = ""


class ResidenceBranch:
    """A residence branch and what the generator decided for it."""

    __slots__ = (
        "id",
        "path",
        "hamlet",
        "commune",
        "groups",
        "secretary",
        "secretary_name",
        "front_met",
        "scheduled",
        "roster",
    )

    def __init__(self, oid, path, hamlet, commune):
        self.id, self.path, self.hamlet, self.commune = oid, path, hamlet, commune
        self.groups = ()
        self.secretary = None
        self.secretary_name = ""
        self.front_met = self.scheduled = False
        self.roster = None  # [(link, member, exemption start, exemption end)] of scheduled branches


class Generator:
    def __init__(self, plan: Plan, log=print, today: datetime.date | None = None):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        # Separate generators per concern, so adding one left the rows of the others unchanged.
        self.lrng = random.Random(plan.seed + 2)  # links, letters, forms
        self.urng = random.Random(plan.seed + 3)  # accounts
        self.prng = random.Random(plan.seed + 4)  # periods, branch samples
        self.mrng = random.Random(plan.seed + 5)  # meetings
        self.log = log
        self.today = datetime.date(2026, 1, 1)  # members' dates (independent of the day of generation)
        # The states around members are dated from the day of generation: the reminders count from it.
        self.day = today or timezone.localdate()
        self.T = self.day.toordinal()
        self.year = self.day.year
        # The regulation pack of the day: its criteria, and the pack of every document, period and form.
        self.pack = pack_in_force(self.day)
        self.exemption_kinds = {c["code"]: c["kind"] for c in self.pack.exemption_categories}
        offset = datetime.datetime.combine(self.day, datetime.time(12), zoneinfo.ZoneInfo(settings.TIME_ZONE))
        self.offset = offset.isoformat()[-6:]
        self.day_text: dict[int, str] = {}
        self.now = timezone.now()
        # Stamps of today stay before now: a generation run just after midnight (00:27 in Hà Nội)
        # must not date a form 00:30.
        local_now = timezone.localtime(self.now)
        self.today_minutes = local_now.hour * 60 + local_now.minute if local_now.date() == self.day else 30
        self.kinds = {k.code: k.pk for k in OrganizationKind.objects.all()}
        self.name_keys: dict[str, tuple[str, str]] = {}
        self.word_cache: dict[str, list[str]] = {}
        families, weights = zip(*FAMILY_NAMES, strict=True)
        self.families, self.cum_weights = families, list(_accumulate(weights))
        self.numbers: dict[tuple[int, str, int], int] = {}  # (issuer, doc type, year) → last number
        self.tally: dict[str, dict[str, int]] = {}

    def count(self, table: str, key: str, n: int = 1):
        bucket = self.tally.setdefault(table, {})
        bucket[key] = bucket.get(key, 0) + n

    # ---- dates -----------------------------------------------------------------------
    def date(self, day: int) -> str:
        text = self.day_text.get(day)
        if text is None:
            text = self.day_text[day] = datetime.date.fromordinal(day).isoformat()
        return text

    def stamp(self, day: int, minute: int | None = None) -> str:
        """A local timestamp on `day`: office hours, or just after midnight today (never later than now)."""
        if minute is None:
            if day >= self.T:
                minute = min(self.lrng.randint(0, 30), self.today_minutes)
            else:
                minute = self.lrng.randint(450, 1020)
        return f"{self.date(day)}T{minute // 60:02d}:{minute % 60:02d}:00{self.offset}"

    # ---- organisations -------------------------------------------------------------
    def organisations(self, cursor):
        columns = [
            "id",
            "path",
            "depth",
            "numchild",
            "kind_id",
            "side",
            "name",
            "short_name",
            "doc_abbreviation",
            "superior_name",
            "commune_id",
            "search_name",
            "is_active",
            "doc_symbol_format",
            "place_name",
            "stamp_image",
        ]
        copier = Copier(cursor, Organization._meta.db_table, columns)
        next_id = _next_id(cursor, Organization._meta.db_table)
        cursor.execute("SELECT path FROM chibo_organization WHERE depth = 1 ORDER BY path DESC LIMIT 1")
        row = cursor.fetchone()
        root_index = int(row[0], 36) if row else 0
        rng = self.rng
        communes_by_province = {}
        for commune in Commune.objects.order_by("province_id", "code").values(
            "code", "name", "province_id", "division_type"
        ):
            communes_by_province.setdefault(commune["province_id"], []).append(commune)
        self.workplace_branches = []  # (id, path, province_code, workplace unit, WorkplaceCommittee)
        self.residence_by_province = {}  # province → [(commune_code, hamlet, branch_id)]
        self.committees_by_province: dict[int, list[WorkplaceCommittee]] = {}
        self.communes: list[CommuneCommittee] = []
        self.branches: dict[int, ResidenceBranch] = {}
        self.sample = {"province": [], "grassroots": [], "residence": [], "commune": []}

        def add(path, depth, numchild, kind, side, name, short, abbr, superior, commune=None):
            nonlocal next_id
            oid = next_id
            next_id += 1
            copier.add(
                [
                    oid,
                    path,
                    depth,
                    numchild,
                    self.kinds[kind],
                    side,
                    name,
                    short,
                    abbr,
                    superior,
                    commune,
                    fold(name),
                    True,
                    "{number}-{code}/{abbr}",
                    self.place,
                    "",
                ]
            )
            return oid

        for province in Province.objects.order_by("code"):
            self.place = province.name.replace("Thành phố ", "")
            root_index += 1
            ppath = path_step(root_index)
            communes = communes_by_province[province.code][: self.plan.communes_limit]
            pname = province.name.replace("Thành phố ", "thành phố ")
            plain = pname if pname.startswith("thành phố") else f"tỉnh {pname}"
            pid = add(
                ppath,
                1,
                len(communes) + len(BLOCS),
                "tinh-uy",
                "both",
                f"Đảng bộ {plain}",
                f"Tỉnh ủy {province.name}",
                "TU",
                "ĐẢNG CỘNG SẢN VIỆT NAM",
            )
            self.sample["province"].append((pid, ppath, province.code))
            superior = f"ĐẢNG BỘ {plain.upper()}"
            residence = self.residence_by_province.setdefault(province.code, [])
            committees = self.committees_by_province.setdefault(province.code, [])
            for ci, commune in enumerate(communes, start=1):
                cpath = ppath + path_step(ci)
                cname = commune["name"]
                short = cname[0].lower() + cname[1:]
                cid = add(
                    cpath,
                    2,
                    self.plan.residence_branches,
                    "dang-uy-xa",
                    "both",
                    f"Đảng bộ {short}",
                    f"Đảng ủy {short}",
                    "ĐU",
                    superior,
                    commune["code"],
                )
                committee = CommuneCommittee(cid, cpath, commune["code"], province.code, short)
                self.communes.append(committee)
                if ci == 1:
                    self.sample["commune"].append((cid, cpath))
                prefix = HAMLET_PREFIX.get(commune["division_type"], "Thôn")
                for bi in range(1, self.plan.residence_branches + 1):
                    hamlet = f"{prefix} {bi}"
                    bpath = cpath + path_step(bi)
                    bid = add(
                        bpath,
                        3,
                        0,
                        "chi-bo-noi-cu-tru",
                        "residence",
                        f"Chi bộ {hamlet}",
                        f"CB {hamlet}",
                        "CB",
                        f"ĐẢNG BỘ {short.upper()}",
                        commune["code"],
                    )
                    residence.append((commune["code"], hamlet, bid))
                    self.branches[bid] = ResidenceBranch(bid, bpath, hamlet, committee)
                    if bi == 1 and ci <= 2:
                        self.sample["residence"].append((bid, bpath))
            for bi, bloc in enumerate(BLOCS, start=1):
                bpath = ppath + path_step(len(communes) + bi)
                bname = f"{bloc} {plain}"
                add(
                    bpath,
                    2,
                    self.plan.grassroots_per_bloc,
                    "dang-bo-truc-thuoc-tinh",
                    "workplace",
                    bname,
                    bname,
                    "ĐU",
                    superior,
                )
                for gi in range(1, self.plan.grassroots_per_bloc + 1):
                    unit = f"{rng.choice(GRASSROOTS_KINDS)} {rng.choice(GRASSROOTS_NAMES)} số {gi}"
                    gpath = bpath + path_step(gi)
                    gid = add(
                        gpath,
                        3,
                        self.plan.branches_per_grassroots,
                        "dang-bo-co-so",
                        "workplace",
                        f"Đảng bộ {unit}",
                        f"Đảng ủy {unit}",
                        "ĐU",
                        bname.upper(),
                    )
                    committee = WorkplaceCommittee(gid, gpath, province.code)
                    committees.append(committee)
                    if gi == 1:
                        self.sample["grassroots"].append((gid, gpath))
                    for ri in range(1, self.plan.branches_per_grassroots + 1):
                        rpath = gpath + path_step(ri)
                        rname = f"Chi bộ {BRANCH_NAMES[(ri - 1) % len(BRANCH_NAMES)]} {ri}"
                        rid = add(
                            rpath,
                            4,
                            0,
                            "chi-bo-truc-thuoc",
                            "workplace",
                            f"{rname} ({unit})",
                            rname,
                            "CB",
                            f"ĐẢNG BỘ {unit.upper()}",
                        )
                        self.workplace_branches.append((rid, rpath, province.code, unit, committee))
        copier.flush()
        _reset_sequence(cursor, Organization._meta.db_table)
        return {"organizations": copier.count}

    # ---- users and roles ----------------------------------------------------------
    def users(self, cursor, password: str):
        """The named bench accounts, then role holders across the country: clerks of workplace and
        commune committees, branch secretaries, group leaders and board viewers, some without e-mail."""
        hashed = make_password(password)
        now = self.now.isoformat()
        rng = self.urng
        user_copier = Copier(
            cursor,
            User._meta.db_table,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "full_name",
                "phone",
            ],
        )
        role_copier = Copier(
            cursor, RoleAssignment._meta.db_table, ["user_id", "organization_id", "role", "created_at"]
        )
        next_id = _next_id(cursor, User._meta.db_table)
        roles: dict[str, int] = {}
        without_email = 0

        def add(username, grants=(), superuser=False, named=True):
            nonlocal next_id, without_email
            uid = next_id
            next_id += 1
            if named:
                full_name = self._name(rng)[0]
                email = f"{username}@example.com" if rng.random() < EMAIL_SHARE else ""
                phone = f"09{rng.randint(10_000_000, 99_999_999)}"
            else:
                full_name, email, phone = username, "", ""
            without_email += not email
            user_copier.add([uid, hashed, superuser, username, "", "", email, superuser, True, now, full_name, phone])
            for oid, role in grants:
                role_copier.add([uid, oid, role, now])
                roles[role] = roles.get(role, 0) + 1
            return uid, full_name

        # The accounts the benchmarks log in with, as before (no e-mail).
        add("bench.national", superuser=True, named=False)
        province_office = {}
        for i, (oid, _path, code) in enumerate(self.sample["province"]):
            province_office[code] = add(f"bench.province{i + 1:02d}", [(oid, Role.CLERK)], named=False)[0]
            add(f"bench.board{i + 1:02d}", [(oid, Role.BOARD_VIEWER)], named=False)
        for i, (oid, _path) in enumerate(self.sample["grassroots"]):
            add(f"bench.clerk{i + 1:03d}", [(oid, Role.CLERK)], named=False)
        for i, (oid, _path) in enumerate(self.sample["residence"]):
            add(f"bench.secretary{i + 1:03d}", [(oid, Role.BRANCH_SECRETARY)], named=False)
        for i, (oid, _path) in enumerate(self.sample["commune"]):
            add(f"bench.commune{i + 1:02d}", [(oid, Role.BOARD_VIEWER)], named=False)

        # Role holders nationally; a committee without a clerk falls back on its province's office.
        for committees in self.committees_by_province.values():
            for committee in committees:
                if rng.random() < WORKPLACE_CLERK_SHARE:
                    committee.clerk = add(f"bench.vp.{committee.path.lower()}", [(committee.id, Role.CLERK)])[0]
                committee.office = committee.clerk or province_office[committee.province]
                committee.signer = self._name(rng)[0]
        for commune in self.communes:
            if rng.random() < COMMUNE_CLERK_SHARE:
                commune.clerk = add(f"bench.xa.{commune.path.lower()}", [(commune.id, Role.CLERK)])[0]
            commune.office = commune.clerk or province_office[commune.province]
            commune.signer = self._name(rng)[0]
            if rng.random() < COMMUNE_BOARD_SHARE:
                add(f"bench.ban.{commune.path.lower()}", [(commune.id, Role.BOARD_VIEWER)])
        group_copier = Copier(cursor, PartyGroup._meta.db_table, ["id", "branch_id", "name", "leader_id"])
        group_id = _next_id(cursor, PartyGroup._meta.db_table)
        leaders = 0
        for branch in self.branches.values():
            if rng.random() < SECRETARY_SHARE:
                branch.secretary, branch.secretary_name = add(
                    f"bench.bithu.{branch.path.lower()}", [(branch.id, Role.BRANCH_SECRETARY)]
                )
            groups = []
            for n in (1, 2):
                leader = None
                if rng.random() < GROUP_LEADER_SHARE:
                    leader = add(f"bench.totruong.{branch.path.lower()}.{n}", [(branch.id, Role.GROUP_LEADER)])[0]
                    leaders += 1
                group_copier.add([group_id, branch.id, f"Tổ đảng số {n}", leader])
                groups.append(group_id)
                group_id += 1
            branch.groups = tuple(groups)
        user_copier.flush()
        role_copier.flush()
        group_copier.flush()
        _reset_sequence(cursor, User._meta.db_table)
        _reset_sequence(cursor, PartyGroup._meta.db_table)
        return {
            "users": user_copier.count,
            "users_without_email": without_email,
            "role_assignments": role_copier.count,
            "roles": dict(sorted(roles.items())),
            "party_groups": group_copier.count,
            "party_groups_with_leader": leaders,
        }

    # ---- evaluation periods -----------------------------------------------------------
    def periods(self, cursor):
        """This year's period for every commune committee, at every stage of its deadlines; the
        Front-committee meetings of the branches that fill forms; which branches meet soon."""
        criteria = (
            CriteriaSet.objects.filter(pack=self.pack, use=CriteriaUse.YEARLY).prefetch_related("criteria").first()
        )
        if criteria is None:
            raise RuntimeError("The pack in force has no yearly criteria set: run `manage.py migrate` first.")
        self.criteria_set = criteria.pk
        # Forms use it from now on: frozen, as period_open does.
        CriteriaSet.objects.filter(pk=criteria.pk, frozen_at__isnull=True).update(frozen_at=self.now)
        levels = [(c.code, [level["code"] for level in c.levels]) for c in criteria.criteria.all()]
        # A few answer sets, dumped once: mostly the best level, sometimes the second or third.
        arng = random.Random(self.plan.seed + 6)
        self.full_answers = [
            json.dumps({code: codes[min(len(codes) - 1, int(arng.random() ** 3 * 3))] for code, codes in levels})
            for _ in range(16)
        ]
        self.partial_answers = [
            json.dumps({code: codes[0] for code, codes in levels[:n]}) for n in range(0, len(levels) + 1)
        ]
        rng = self.prng
        stages = _quota(rng, len(self.communes), [share for _stage, share, _days, _mix in STAGES])
        self.stage_mix = [_cumulative(mix.items()) for _stage, _share, _days, mix in STAGES]
        self.stage_deadline = [self.T + days[0] for _stage, _share, days, _mix in STAGES]
        opened = self.T - PERIOD_OPENED_DAYS
        first_day = datetime.date(self.year, 1, 1).toordinal()
        period_copier = Copier(
            cursor,
            EvaluationPeriod._meta.db_table,
            [
                "id",
                "organization_id",
                "org_path",
                "year",
                "scope",
                "criteria_set_id",
                "pack_id",
                "branch_deadline",
                "confirm_deadline",
                "forward_deadline",
                "opened_by_id",
                "opened_at",
            ],
        )
        front_copier = Copier(
            cursor,
            FrontMeeting._meta.db_table,
            ["branch_id", "branch_path", "year", "held_on", "attendees", "notes", "recorded_by_id", "recorded_at"],
        )
        period_id = _next_id(cursor, EvaluationPeriod._meta.db_table)
        for commune, stage in zip(self.communes, stages, strict=True):
            name, _share, days, _mix = STAGES[stage]
            commune.period, commune.stage = period_id, stage
            deadlines = [self.date(max(first_day, self.T + d)) for d in days]
            period_copier.add(
                [
                    period_id,
                    commune.id,
                    commune.path,
                    self.year,
                    "requested" if rng.random() < REQUESTED_SCOPE_SHARE else "all",
                    criteria.pk,
                    self.pack.pk,
                    *deadlines,
                    commune.office,
                    self.stamp(opened, 480),
                ]
            )
            self.count("evaluation_periods", name)
            period_id += 1
        for branch in self.branches.values():
            branch.scheduled = rng.random() < SCHEDULED_SHARE
            if branch.scheduled:
                branch.roster = []
            if branch.secretary is None:
                continue
            branch.front_met = branch.commune.stage != 0 or rng.random() < FRONT_MET_SHARE
            if branch.front_met:
                held = opened + rng.randint(1, 4)
                front_copier.add(
                    [
                        branch.id,
                        branch.path,
                        self.year,
                        self.date(held),
                        f"Chi ủy chi bộ; Ban công tác Mặt trận {branch.hamlet}",
                        "",
                        branch.secretary,
                        self.stamp(held, 1140),
                    ]
                )
        period_copier.flush()
        front_copier.flush()
        _reset_sequence(cursor, EvaluationPeriod._meta.db_table)
        return {"front_meetings": front_copier.count}

    # ---- members ------------------------------------------------------------------
    def _name(self, rng):
        gender = "female" if rng.random() < 0.42 else "male"
        family = rng.choices(self.families, cum_weights=self.cum_weights)[0]
        if gender == "female":
            name = f"{family} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"
        else:
            name = f"{family} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
        keys = self.name_keys.get(name)
        if keys is None:
            keys = self.name_keys[name] = (fold(name), sort_key(name))
        return name, gender, keys

    def words_of(self, search: str) -> list[str]:
        cached = self.word_cache.get(search)
        if cached is None:
            cached = self.word_cache[search] = words_of(search)
        return cached

    def _state_copiers(self, cursor):
        """The tables written beside the members, sent with them in chunks, each after those it points to."""

        def copier(model, columns):
            return Copier(cursor, model._meta.db_table, columns, chunk=None)

        self.ids = {
            "document": _next_id(cursor, Document._meta.db_table),
            "link": _next_id(cursor, ResidenceLink._meta.db_table),
            "evaluation": _next_id(cursor, Evaluation._meta.db_table),
        }
        self.documents = copier(
            Document,
            [
                "id",
                "doc_type",
                "issuer_id",
                "year",
                "number",
                "symbol",
                "subject",
                "template",
                "pack_id",
                "snapshot",
                "status",
                "issued_at",
                "issued_by_id",
                "signer_name",
                "member_id",
                "pdf",
                "sha256",
                "token",
                "revoked_at",
                "revoke_reason",
            ],
        )
        self.links = copier(
            ResidenceLink,
            [
                "id",
                "member_id",
                "workplace_committee_id",
                "workplace_path",
                "residence_commune_id",
                "residence_hamlet",
                "residence_street",
                "residence_committee_id",
                "residence_path",
                "residence_branch_id",
                "party_group_id",
                "state",
                "exempt_from_meetings",
                "letter_id",
                "acknowledgement_id",
                "acknowledgement_scan",
                "received_date",
                "started_at",
                "ended_at",
                "end_reason",
                "unexcused_streak",
            ],
        )
        self.notices = copier(ChangeNotice, ["member_id", "link_id", "kind", "effective_date", "details", "created_at"])
        self.requests = copier(
            EvaluationRequest,
            [
                "member_id",
                "link_id",
                "workplace_committee_id",
                "workplace_path",
                "residence_path",
                "year",
                "purpose",
                "details",
                "due_date",
                "requested_by_id",
                "requested_at",
            ],
        )
        self.evaluations = copier(
            Evaluation,
            [
                "id",
                "member_id",
                "link_id",
                "branch_id",
                "branch_path",
                "commune_id",
                "workplace_committee_id",
                "workplace_path",
                "year",
                "period_id",
                "criteria_set_id",
                "pack_id",
                "answers",
                "criterion_remarks",
                "record_checks",
                "remarks",
                "conclusion",
                "conclusion_details",
                "status",
                "lock_version",
                "version",
                "correction_reason",
                "is_current",
                "created_at",
                "updated_by_id",
                "updated_at",
                "signed_by_id",
                "signed_at",
                "signer_name",
                "confirmed_by_id",
                "confirmed_at",
                "forwarded_by_id",
                "forwarded_at",
                "document_id",
            ],
        )
        self.proposals = copier(
            Proposal,
            [
                "member_id",
                "link_id",
                "branch_path",
                "workplace_committee_id",
                "workplace_path",
                "kind",
                "facts",
                "evaluation_id",
                "created_by_id",
                "created_at",
                "action",
                "action_note",
                "action_by_id",
                "action_at",
            ],
        )
        self.ratings = copier(
            QualityRating,
            [
                "member_id",
                "workplace_committee_id",
                "workplace_path",
                "year",
                "scheme_id",
                "score",
                "group_scores",
                "level",
                "lower_reason",
                "evaluation_id",
                "notes",
                "rated_by_id",
                "rated_at",
            ],
        )
        # The year's rating scheme (QĐ 366 from 2025: a score in the level's band).
        self.scheme = RatingScheme.objects.of_year(self.year)
        return [
            self.documents,
            self.links,
            self.notices,
            self.requests,
            self.evaluations,
            self.proposals,
            self.ratings,
        ]

    def _document(self, doc_type, issuer, day, member_id, subject, template, extra, revoked=None) -> tuple[int, str]:
        """A numbered document of `issuer` (a committee) issued on `day`; no PDF yet."""
        did = self.ids["document"]
        self.ids["document"] += 1
        year = datetime.date.fromordinal(day).year
        key = (issuer.id, doc_type, year)
        number = self.numbers[key] = self.numbers.get(key, 0) + 1
        symbol = f"{number}-{TYPE_CODES[doc_type]}/ĐU"
        issued_at = self.stamp(day)
        snapshot = {"template": template, "symbol": f"Số {symbol}", "issued_at": issued_at, **extra}
        snapshot["signer"] = {"name": issuer.signer}
        self.documents.add(
            [
                did,
                doc_type,
                issuer.id,
                year,
                number,
                symbol,
                subject,
                template,
                self.pack.pk,
                json.dumps(snapshot, ensure_ascii=False),
                "revoked" if revoked else "issued",
                issued_at,
                issuer.clerk,
                issuer.signer,
                member_id,
                "",
                "",
                f"{did:x}.{self.lrng.getrandbits(128):032x}"[:40],
                self.stamp(revoked) if revoked else None,
                "Sai địa chỉ nơi cư trú" if revoked else "",
            ]
        )
        self.count("documents", f"{doc_type}_revoked" if revoked else doc_type)
        return did, symbol

    def _letter(self, workplace, commune, member_id, name, day, revoked=None):
        return self._document(
            "introduction",
            workplace,
            day,
            member_id,
            f"Giới thiệu đồng chí {name} về sinh hoạt nơi cư trú",
            LETTER_TEMPLATE,
            {"addressee": [f"Đảng ủy {commune.short}"], "member": {"full_name": name, "duties": ""}},
            revoked=revoked,
        )

    def _link(self, member_id, workplace, branch, commune_code, hamlet, street, state, **fields) -> int:
        lid = self.ids["link"]
        self.ids["link"] += 1
        placed = state in ("received", "active", "ended")
        self.links.add(
            [
                lid,
                member_id,
                workplace.id,
                workplace.path,
                commune_code,
                hamlet,
                street,
                branch.commune.id,
                branch.commune.path,
                branch.id if placed else None,
                fields.get("group"),
                state,
                fields.get("exempt", False),
                fields.get("letter"),
                fields.get("ack"),
                "",
                self.date(fields["received"]) if placed else None,
                fields["started"],
                fields.get("ended"),
                fields.get("reason", ""),
                0,
            ]
        )
        self.count("residence_links", state)
        return lid

    def _ended(self, member_id, name, admitted, workplace, province, end_day, reason):
        """An earlier link that ended on `end_day` (a move), with its letter and change notice;
        `end_day` is at least 200 days after admission."""
        rng = self.lrng
        code, hamlet, old = rng.choice(self.residence_by_province[province])
        branch = self.branches[old]
        if reason != "moved_house":
            workplace = rng.choice(self.committees_by_province[province])
        issued = max(admitted + 1, end_day - rng.randint(200, 1500))
        letter, _symbol = self._letter(workplace, branch.commune, member_id, name, issued)
        lid = self._link(
            member_id,
            workplace,
            branch,
            code,
            hamlet,
            f"Số {rng.randint(1, 300)}, ngõ {rng.randint(1, 60)}",
            "ended",
            letter=letter,
            received=issued + rng.randint(2, 30),
            started=self.stamp(issued),
            ended=self.stamp(end_day),
            reason=reason,
        )
        self.notices.add([member_id, lid, reason, self.date(end_day), "", self.stamp(end_day)])

    def _awaiting_day(self, admitted: int, why: str | None) -> int:
        """The day since which a member is owed a letter: mostly recent, some an old backlog."""
        rng = self.lrng
        if rng.random() < AWAITING_BACKLOG_SHARE:
            day = self.T - rng.randint(AWAITING_RECENT_DAYS + 1, AWAITING_BACKLOG_DAYS)
        else:
            day = self.T - rng.randint(0, AWAITING_RECENT_DAYS)
        day = min(self.T, max(day, admitted))
        self.count("awaiting_letter", "recent" if day >= self.T - AWAITING_RECENT_DAYS else "backlog")
        if why:
            self.count("awaiting_letter", why)
        return day

    def _residence(self, member_id, name, admitted, workplace, branch, commune_code, hamlet, street, exemption):
        """A covered member's links, letters and this year's form; the day since which they are
        owed a letter, or None."""
        rng, T = self.lrng, self.T
        kind = self.exemption_kinds[exemption[0]] if exemption else None
        if kind == ExemptionKind.NOT_INTRODUCED:
            # Owed no letter in fact: the reminders must skip them through the exemption.
            return self._awaiting_day(admitted, "not_introduced")
        exempt = kind == ExemptionKind.EXEMPT_MEETINGS and (exemption[2] is None or exemption[2] >= T)
        commune = branch.commune
        place = (member_id, workplace, branch, commune_code, hamlet, street)
        r = rng.random()
        if r < AWAITING_SHARE:
            if rng.random() < AWAITING_AFTER_MOVE_SHARE:
                day = self._awaiting_day(admitted, None)
                if day - 200 > admitted:
                    self.count("awaiting_letter", "after_move")
                    self._ended(member_id, name, admitted, workplace, commune.province, day, rng.choice(MOVE_REASONS))
                    return day
                self.count("awaiting_letter", "first_letter")
                return day
            return self._awaiting_day(admitted, "first_letter")
        r -= AWAITING_SHARE
        if r < REVOKED_SHARE:
            issued = T - rng.randint(5, 90)
            revoked = min(T, issued + rng.randint(1, 10))
            letter, _symbol = self._letter(workplace, commune, member_id, name, issued, revoked=revoked)
            self._link(*place, "pending", exempt=exempt, letter=letter, started=self.stamp(issued))
            self.count("awaiting_letter", "recent")
            self.count("awaiting_letter", "after_revoked_letter")
            return revoked
        r -= REVOKED_SHARE
        if r < LETTER_ISSUED_SHARE:
            issued = T - rng.randint(0, LETTER_ISSUED_DAYS)
            letter, _symbol = self._letter(workplace, commune, member_id, name, issued)
            self._link(*place, "letter_issued", exempt=exempt, letter=letter, started=self.stamp(issued))
            return None
        r -= LETTER_ISSUED_SHARE
        if r < RECEIVED_SHARE:
            state, issued, group = "received", T - rng.randint(15, 150), None
        else:
            state, issued = "active", T - rng.randint(150, 2200)
            group = rng.choice(branch.groups) if rng.random() < GROUPED_SHARE else None
        if issued <= admitted:
            issued = min(admitted + rng.randint(5, 60), T - 45)
        received = min(T, issued + rng.randint(2, 30))
        if rng.random() < ENDED_HISTORY_SHARE and issued - 260 > admitted:
            self._ended(
                member_id, name, admitted, workplace, commune.province, issued - rng.randint(1, 60), "moved_house"
            )
        letter, symbol = self._letter(workplace, commune, member_id, name, issued)
        ack = None
        if state == "received":
            # Receipts recorded in the system; active links came from before it (paper receipts).
            ack, _ack_symbol = self._document(
                "acknowledgement",
                commune,
                received,
                member_id,
                f"Tiếp nhận đồng chí {name} sinh hoạt nơi cư trú",
                ACK_TEMPLATE,
                {"extra": {"received_date": self.date(received), "letter_symbol": symbol, "branch": branch.hamlet}},
            )
        lid = self._link(
            *place,
            state,
            exempt=exempt,
            letter=letter,
            ack=ack,
            received=received,
            group=group,
            started=self.stamp(issued),
        )
        if branch.roster is not None:
            start, end = (exemption[1], exemption[2]) if kind == ExemptionKind.EXEMPT_MEETINGS else (None, None)
            branch.roster.append((lid, member_id, start, end))
        if state == "active" and not exempt:
            if rng.random() < REQUEST_SHARE:
                asked = T - rng.randint(3, 30)
                self.requests.add(
                    [
                        member_id,
                        lid,
                        workplace.id,
                        workplace.path,
                        branch.path,
                        self.year,
                        rng.choice(REQUEST_PURPOSES),
                        "Xin ý kiến nhận xét của chi bộ nơi cư trú",
                        self.date(asked + rng.randint(7, 40)),
                        workplace.office,
                        self.stamp(asked),
                    ]
                )
            if branch.secretary is not None:
                self._evaluation(member_id, name, lid, workplace, branch)
        return None

    def _evaluation(self, member_id, name, lid, workplace, branch):
        """This year's form of an active link, in a status that fits how far the period has got."""
        rng, T = self.lrng, self.T
        commune = branch.commune
        values, cumulative = self.stage_mix[commune.stage]
        status = rng.choices(values, cum_weights=cumulative)[0]
        if status == "none":
            return
        if not branch.front_met:
            status = "draft"  # no signing before the branch has met the Front committee
        opened = T - PERIOD_OPENED_DAYS
        eid = self.ids["evaluation"]
        self.ids["evaluation"] += 1
        signed_at = confirmed_at = forwarded_at = document = None
        conclusion = details = signer = ""
        # The first save, a few days before the last (from the member's id: no draw, so adding it
        # left the rest of a seed's data unchanged).
        first_save = 480 + member_id % 500
        if status == "draft":
            day = max(opened + 5, T - rng.randint(0, 20))
            answers = rng.choice(self.partial_answers)
            lock_version = rng.randint(1, 3)
            updated_at = self.stamp(day)
            created_at = self.stamp(max(opened, day - 1 - member_id % 3), first_save)
        else:
            answers = rng.choice(self.full_answers)
            conclusion = rng.choices(_CONCLUSIONS[0], cum_weights=_CONCLUSIONS[1])[0]
            if conclusion != "none":
                details = "Tích cực tham gia phong trào khu dân cư" if conclusion == "commend" else "Chưa gương mẫu"
            signed = min(T - 1, self.stage_deadline[commune.stage]) - rng.randint(1, 15)
            signer = branch.secretary_name
            lock_version = rng.randint(2, 4)
            signed_at = updated_at = self.stamp(signed)
            created_at = self.stamp(max(opened, signed - 1 - member_id % 3), first_save)
            if status != "signed":
                confirmed = min(T - 1, signed + rng.randint(1, 6))
                document, _symbol = self._document(
                    "evaluation",
                    commune,
                    confirmed,
                    member_id,
                    f"Phiếu nhận xét đảng viên năm {self.year}: {name}",
                    EVALUATION_TEMPLATE,
                    {"extra": {"year": self.year, "member": {"full_name": name}, "branch": branch.hamlet}},
                )
                confirmed_at = updated_at = self.stamp(confirmed)
            if status == "forwarded":
                forwarded = min(T, confirmed + rng.randint(1, 4))
                forwarded_at = updated_at = self.stamp(forwarded)
        self.evaluations.add(
            [
                eid,
                member_id,
                lid,
                branch.id,
                branch.path,
                commune.id,
                workplace.id,
                workplace.path,
                self.year,
                commune.period,
                self.criteria_set,
                self.pack.pk,
                answers,
                "{}",
                "[]",
                "",
                conclusion,
                details,
                status,
                lock_version,
                1,
                "",
                True,
                created_at,
                branch.secretary,
                updated_at,
                branch.secretary if signed_at else None,
                signed_at,
                signer,
                commune.office if confirmed_at else None,
                confirmed_at,
                commune.office if forwarded_at else None,
                forwarded_at,
                document,
            ]
        )
        self.count("evaluations", status)
        if status != "forwarded":
            return
        answered = forwarded < T and rng.random() < PROPOSAL_ANSWERED_SHARE
        if conclusion in _PROPOSALS:
            kind, action = _PROPOSALS[conclusion]
            self.proposals.add(
                [
                    member_id,
                    lid,
                    branch.path,
                    workplace.id,
                    workplace.path,
                    kind,
                    details,
                    eid,
                    commune.office,
                    forwarded_at,
                    action if answered else "",
                    "",
                    workplace.office if answered else None,
                    self.stamp(rng.randint(forwarded + 1, T)) if answered else None,
                ]
            )
            self.count("proposals", f"{kind}_answered" if answered else kind)
        if forwarded < T and rng.random() < RATED_SHARE:
            level = rng.choices(_RATING_LEVELS[0], cum_weights=_RATING_LEVELS[1])[0]
            self.ratings.add(
                [
                    member_id,
                    workplace.id,
                    workplace.path,
                    self.year,
                    self.scheme.pk,
                    _score_in_band(self.scheme, level, member_id),
                    "{}",
                    level,
                    "",
                    eid,
                    "",
                    workplace.office,
                    self.stamp(rng.randint(forwarded + 1, T)),
                ]
            )
            self.count("quality_ratings", level)

    def members(self, cursor):
        columns = [
            "id",
            "full_name",
            "gender",
            "birth_date",
            "citizen_id",
            "card_number",
            "admission_date",
            "full_membership_date",
            "status",
            "organization_id",
            "org_path",
            "position",
            "workplace_unit",
            "residence_commune_id",
            "residence_hamlet",
            "residence_street",
            "phone",
            "email",
            "covered_213",
            "awaiting_letter_since",
            "notes",
            "search_name",
            "sort_key",
            "created_at",
            "updated_at",
        ]
        copier = Copier(cursor, Member._meta.db_table, columns, chunk=None)
        # Sent in chunks with the members they point to, by the Sender below.
        words = Copier(
            cursor,
            MemberNameWord._meta.db_table,
            ["member_id", "word", "sort_key", "org_path", "search_name"],
            chunk=None,
        )
        vocabulary: dict[str, int] = {}
        exemptions = Copier(
            cursor,
            Exemption._meta.db_table,
            ["member_id", "category", "kind", "reason", "start_date", "end_date", "decided_by", "recorded_at"],
            chunk=None,
        )
        dependants = self._state_copiers(cursor)
        # A separate generator, so adding exemptions left the members of a seed unchanged.
        ex_rng = random.Random(self.plan.seed + 1)
        exempt_counts: dict[str, int] = {}
        next_id = _next_id(cursor, Member._meta.db_table)
        rng = self.rng
        places = sorted(CCCD_PLACE_CODES)
        branches = self.workplace_branches
        residence_branches = self.branches
        today_ord = self.today.toordinal()
        now = self.now.isoformat()
        covered = awaiting = 0
        with Sender() as sender:
            for i in range(self.plan.members):
                branch_id, branch_path, province_code, unit, committee = branches[i % len(branches)]
                name, gender, (search, skey) = self._name(rng)
                born = today_ord - rng.randint(23 * 365, 60 * 365)
                admitted = min(born + rng.randint(19 * 365, 40 * 365), today_ord - rng.randint(10, 400))
                full = admitted + 365 if admitted + 400 < today_ord else None
                born_date = datetime.date.fromordinal(born)
                digit = (born_date.year // 100 - 19) * 2 + (1 if gender == "female" else 0)
                citizen = f"{places[i // 1_000_000]}{digit}{born_date.year % 100:02d}{i % 1_000_000:06d}"
                is_covered = rng.random() < COVERED_SHARE
                if is_covered:
                    covered += 1
                    commune, hamlet, residence = rng.choice(self.residence_by_province[province_code])
                    street = f"Số {rng.randint(1, 300)}, ngõ {rng.randint(1, 60)}"
                else:
                    commune, hamlet, street = None, "", ""
                position = rng.choice(POSITIONS)
                phone = f"09{rng.randint(10_000_000, 99_999_999)}"
                member_id = next_id + i
                exemption = None
                if is_covered:
                    draw, threshold = ex_rng.random(), 0.0
                    for category, share in EXEMPTION_SHARES:
                        threshold += share
                        if draw < threshold:
                            start = today_ord - ex_rng.randint(30, 1500)
                            end = start + ex_rng.randint(365, 1500) if category == "full_time_study" else None
                            exemption = (category, start, end)
                            exemptions.add(
                                [
                                    member_id,
                                    category,
                                    self.exemption_kinds[category],
                                    EXEMPTION_REASONS[category],
                                    datetime.date.fromordinal(start).isoformat(),
                                    datetime.date.fromordinal(end).isoformat() if end else None,
                                    "Ban Thường vụ Đảng ủy",
                                    now,
                                ]
                            )
                            exempt_counts[category] = exempt_counts.get(category, 0) + 1
                            break
                    since = self._residence(
                        member_id,
                        name,
                        admitted,
                        committee,
                        residence_branches[residence],
                        commune,
                        hamlet,
                        street,
                        exemption,
                    )
                    if since is not None:
                        awaiting += 1
                        since = self.date(since)
                else:
                    since = None
                copier.add(
                    [
                        member_id,
                        name,
                        gender,
                        born_date.isoformat(),
                        citizen,
                        f"{10_000_000 + i}" if full else None,
                        datetime.date.fromordinal(admitted).isoformat(),
                        datetime.date.fromordinal(full).isoformat() if full else None,
                        "full" if full else "probationary",
                        branch_id,
                        branch_path,
                        position,
                        unit,
                        commune,
                        hamlet,
                        street,
                        phone,
                        "",
                        is_covered,
                        since,
                        "",
                        search,
                        skey,
                        now,
                        now,
                    ]
                )
                for word in self.words_of(search):
                    words.add([member_id, word, skey, branch_path, search])
                    vocabulary[word] = vocabulary.get(word, 0) + 1
                if (i + 1) % 50_000 == 0:
                    sender.submit([copier, words, exemptions, *dependants])
                if (i + 1) % 500_000 == 0:
                    self.log(f"  {i + 1:,} members")
            sender.submit([copier, words, exemptions, *dependants])
        self.log(
            "  COPY s: " + ", ".join(f"{c.table} {c.seconds:.1f}" for c in (copier, words, exemptions, *dependants))
        )
        _reset_sequence(cursor, Member._meta.db_table)
        for model in (Document, ResidenceLink, Evaluation):
            _reset_sequence(cursor, model._meta.db_table)
        vocab = Copier(cursor, NameWord._meta.db_table, ["word", "frequency"])
        cursor.execute(f"SELECT word FROM {NameWord._meta.db_table}")  # noqa: S608
        known = {row[0] for row in cursor.fetchall()}
        for word, frequency in sorted(vocabulary.items()):
            if word not in known:
                vocab.add([word, frequency])
        vocab.flush()
        self.count("awaiting_letter", "total", awaiting)
        return {
            "members": copier.count,
            "covered": covered,
            "name_words": words.count,
            "exemptions": exempt_counts,
            "change_notices": self.notices.count,
            "evaluation_requests": self.requests.count,
        }

    # ---- meetings -------------------------------------------------------------------
    def meetings(self, cursor):
        """Every residence branch closed its meeting of the last half-year; a sample has the next
        one scheduled within days (a few already past, not closed), half of them announced, with
        an attendance sheet of the branch's received and active links not exempt that day."""
        rng, T = self.mrng, self.T
        year, half = (self.year, 1) if self.day.month > 6 else (self.year - 1, 2)
        last = datetime.date(year, 6, 30) if half == 1 else datetime.date(year, 12, 31)
        meeting_copier = Copier(
            cursor,
            Meeting._meta.db_table,
            [
                "id",
                "branch_id",
                "branch_path",
                "kind",
                "year",
                "half",
                "starts_at",
                "place",
                "agenda",
                "status",
                "minutes",
                "invitations_sent_at",
                "created_by_id",
                "created_at",
                "closed_at",
                "closed_by_id",
            ],
            chunk=None,
        )
        attendance = Copier(
            cursor,
            Attendance._meta.db_table,
            ["meeting_id", "link_id", "member_id", "status", "reason", "version", "updated_by_id", "updated_at"],
            chunk=None,
        )
        meeting_id = _next_id(cursor, Meeting._meta.db_table)
        for branch in self.branches.values():
            creator = branch.secretary or branch.commune.office
            place = f"Nhà văn hóa {branch.hamlet}"
            day = last.toordinal() - rng.randint(5, 60)
            minute = rng.choice([480, 1170])
            meeting_copier.add(
                [
                    meeting_id,
                    branch.id,
                    branch.path,
                    "periodic",
                    year,
                    half,
                    self.stamp(day, minute),
                    place,
                    AGENDA,
                    "closed",
                    MINUTES,
                    self.stamp(day - 7, 900),
                    creator,
                    self.stamp(day - 12, 900),
                    self.stamp(day, minute + 150),
                    creator,
                ]
            )
            meeting_id += 1
            self.count("meetings", "closed")
            if not branch.scheduled:
                continue
            overdue = rng.random() < SCHEDULED_OVERDUE_SHARE
            day = T - rng.randint(1, 3) if overdue else T + rng.randint(1, SCHEDULED_DAYS)
            created = min(T - 1, day - rng.randint(3, 15))
            invited = rng.random() < INVITED_SHARE
            date = datetime.date.fromordinal(day)
            meeting_copier.add(
                [
                    meeting_id,
                    branch.id,
                    branch.path,
                    "periodic",
                    date.year,
                    1 if date.month <= 6 else 2,
                    self.stamp(day, minute),
                    place,
                    AGENDA,
                    "scheduled",
                    "",
                    self.stamp(created, 960) if invited else None,
                    creator,
                    self.stamp(created, 900),
                    None,
                    None,
                ]
            )
            self.count("meetings", "scheduled")
            self.count(
                "meetings",
                "scheduled_overdue" if overdue else "scheduled_within_2_days" if day - T <= 2 else "scheduled_later",
            )
            if invited:
                self.count("meetings", "scheduled_invitations_sent")
            for lid, member_id, start, end in branch.roster:
                if start is not None and start <= day and (end is None or end >= day):
                    continue  # exempt from meetings that day: not on the sheet
                # The secretary of a meeting that has begun marked part of the sheet.
                marked = overdue and rng.random() < MARKED_SHARE
                attendance.add(
                    [
                        meeting_id,
                        lid,
                        member_id,
                        "present" if marked else "",
                        "",
                        1 if marked else 0,
                        creator if marked else None,
                        self.stamp(day, minute + 30) if marked else None,
                    ]
                )
                self.count("attendance", "present" if marked else "unmarked")
            meeting_id += 1
        meeting_copier.flush()
        attendance.flush()
        _reset_sequence(cursor, Meeting._meta.db_table)
        return {}

    def number_registers(self, cursor):
        """The last number per issuer, type and year, so documents issued later continue the series."""
        copier = Copier(cursor, NumberRegister._meta.db_table, ["issuer_id", "doc_type", "year", "last_number"])
        for (issuer, doc_type, year), last in sorted(self.numbers.items()):
            copier.add([issuer, doc_type, year, last])
        copier.flush()
        return {"number_registers": copier.count}


def _accumulate(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


_CONCLUSIONS = _cumulative(CONCLUSIONS)
_RATING_LEVELS = _cumulative(RATING_LEVELS)


def _score_in_band(scheme, level: str, member_id: int):
    """A whole score inside the level's band, from the member's id (no draw from the generators:
    adding scores left the rest of a seed's data unchanged); None for a scheme without scores."""
    if not scheme.has_score:
        return None
    rank = scheme.rank(level)
    low = scheme.levels[rank]["min_score"] or 0
    high = scheme.levels[rank - 1]["min_score"] if rank else scheme.score_max + 1
    return low + (member_id * 7919) % (high - low)


_PROPOSALS = {"commend": ("commend", "commended"), "handle": ("handle", "reminded")}
# The tables loaded with the members: their secondary indexes are rebuilt after the load.
BULK_TABLES = [Member, MemberNameWord, ResidenceLink, Document, Evaluation, ChangeNotice, Attendance]
# The tables whose foreign keys are checked once after the load instead of row by row.
CHECKED_TABLES = [
    *BULK_TABLES,
    Exemption,
    EvaluationRequest,
    Proposal,
    QualityRating,
    Meeting,
]
ANALYSED_TABLES = [
    *CHECKED_TABLES,
    NameWord,
    Organization,
    PartyGroup,
    RoleAssignment,
    User,
    EvaluationPeriod,
    FrontMeeting,
    NumberRegister,
]


def _secondary_indexes(cursor):
    """Indexes of the bulk-loaded tables that no constraint needs (dropped and rebuilt around COPY).
    Partial unique indexes are among them: rebuilding them checks every row at once."""
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = ANY(%s) AND NOT EXISTS (
             SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        [[model._meta.db_table for model in BULK_TABLES]],
    )
    return cursor.fetchall()


def _foreign_keys(cursor):
    """The foreign keys of the bulk-loaded tables (dropped during the load, added back after it:
    one check of all rows per key instead of a lookup per row, as PostgreSQL's bulk-load advice)."""
    cursor.execute(
        """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
           WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])""",
        [[model._meta.db_table for model in CHECKED_TABLES]],
    )
    return cursor.fetchall()


def generate(
    *,
    members: int,
    seed: int,
    password: str,
    do_reset: bool = True,
    log=print,
    today: datetime.date | None = None,
) -> Result:
    """Generate the data set; `today` (default: the local date) anchors links, meetings and forms."""
    if connection.vendor != "postgresql":
        raise RuntimeError("generate_scale_data needs PostgreSQL (COPY).")
    started = time.perf_counter()
    plan = Plan.for_members(members, seed)
    generator = Generator(plan, log=log, today=today)
    result = Result()

    def step(text):
        log(f"{text} ({time.perf_counter() - started:.0f} s)")

    with transaction.atomic(), connection.cursor() as cursor:
        if do_reset:
            reset(cursor)
        # Deferred foreign-key checks would block CREATE INDEX later in this transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        log(f"plan: {plan}, today {generator.day}")
        result.counts.update(generator.organisations(cursor))
        step(f"organisations: {result.counts['organizations']:,}")
        result.counts.update(generator.users(cursor, password))
        step(f"users: {result.counts['users']:,}")
        result.counts.update(generator.periods(cursor))
        step("evaluation periods")
        indexes, keys = _secondary_indexes(cursor), _foreign_keys(cursor)
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        result.counts.update(generator.members(cursor))
        step(f"members: {result.counts['members']:,}")
        result.counts.update(generator.meetings(cursor))
        result.counts.update(generator.number_registers(cursor))
        step("meetings")
        for _name, definition in indexes:
            cursor.execute(definition)
        step("indexes rebuilt")
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        step("foreign keys checked")
        if not do_reset:
            refresh_frequencies()  # the vocabulary held words before this load
        result.counts.update({table: dict(sorted(counts.items())) for table, counts in generator.tally.items()})
        result.counts["today"] = generator.day.isoformat()

        result.seconds = time.perf_counter() - started
        audit_record(
            actor=None,
            action="scale_data.generate",
            obj=Organization.objects.order_by("path").first(),
            changes={"members": members, "seed": seed, "seconds": round(result.seconds, 1), **result.counts},
        )
    with connection.cursor() as cursor:
        for model in ANALYSED_TABLES:
            # VACUUM cannot run inside a transaction (the test suite's); ANALYZE can.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{verb} {model._meta.db_table}")
    result.seconds = time.perf_counter() - started
    log(f"vacuumed and analysed ({result.seconds:.0f} s)")
    return result


def existing(members: int, seed: int, today: datetime.date | None = None) -> dict | None:
    """The audit record of a previous generation with the same size, seed and day, if the data is
    still there. Another day's data is stale: its deadlines and meetings no longer fall where the
    reminders look."""
    from nhatky.models import AuditEvent

    today = today or timezone.localdate()
    event = AuditEvent.objects.filter(action="scale_data.generate").order_by("-id").first()
    if (
        event
        and event.changes.get("members") == members
        and event.changes.get("seed") == seed
        and event.changes.get("today") == today.isoformat()
    ):
        if Member.objects.order_by().count() == members:
            return event.changes
    return None
