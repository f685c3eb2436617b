"""National-scale synthetic data, written with PostgreSQL COPY (deterministic for a seed).

The shape follows DOMAIN.md: 34 provincial committees; one committee per official commune
(3,321) with residence branches (~30 each) and two party groups per branch; workplace
organisations three levels deep under each province (bloc committees → grassroots
committees → branches, ~50,000 nationally); N members in the workplace branches, a
realistic share covered by QĐ 213 and living in a commune of the same province; role users
for sampled organisations.

Synthetic rows skip the services on purpose (millions of rows through the ORM would take
hours); one audit record says who generated what. Secondary indexes on the members
table are dropped during the load and rebuilt after it, which is the fast bulk path.
"""

import datetime
import io
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from chibo.models import Commune, Organization, OrganizationKind, PartyGroup, Province, Role, RoleAssignment
from common.names import FAMILY_NAMES, FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE, POSITIONS
from common.text import fold, sort_key
from dangvien.models import EXEMPTION_KINDS, Exemption, Member, MemberNameWord, NameWord
from dangvien.namewords import refresh_frequencies, words_of
from dangvien.validators import CCCD_PLACE_CODES
from nhatky.services import audit_record
from taikhoan.models import User

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


def path_step(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out.rjust(STEPLEN, "0")


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
    """Buffers rows as COPY text and sends them in chunks."""

    def __init__(self, cursor, table, columns, chunk=200_000):
        self.cursor, self.table, self.columns, self.chunk = cursor, table, columns, chunk
        self.buffer, self.count, self.pending = io.StringIO(), 0, 0

    @staticmethod
    def _cell(value):
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        text = str(value)
        if "\\" in text or "\t" in text or "\n" in text:
            text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        return text

    def add(self, row):
        self.buffer.write("\t".join(self._cell(v) for v in row))
        self.buffer.write("\n")
        self.count += 1
        self.pending += 1
        if self.chunk and self.pending >= self.chunk:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        self.buffer.seek(0)
        self.cursor.copy_expert(
            f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN WITH (FORMAT text)", self.buffer
        )
        self.buffer, self.pending = io.StringIO(), 0


def _next_id(cursor, table):
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
    return cursor.fetchone()[0]


def _reset_sequence(cursor, table):
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608


def reset(cursor):
    """Remove everything the generator (and demo data) made; keep reference data."""
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


class Generator:
    def __init__(self, plan: Plan, log=print):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.log = log
        self.today = datetime.date(2026, 1, 1)
        self.now = timezone.now()
        self.kinds = {k.code: k.pk for k in OrganizationKind.objects.all()}
        self.name_keys: dict[str, tuple[str, str]] = {}
        self.word_cache: dict[str, list[str]] = {}
        families, weights = zip(*FAMILY_NAMES, strict=True)
        self.families, self.cum_weights = families, list(_accumulate(weights))

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
        self.workplace_branches = []  # (id, path, province_code, workplace unit)
        self.residence_by_province = {}  # province → [(commune_code, hamlet, branch_id)]
        self.sample = {"province": [], "grassroots": [], "residence": [], "commune": []}
        groups = []

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
                if ci == 1:
                    self.sample["commune"].append((cid, cpath))
                prefix = HAMLET_PREFIX.get(commune["division_type"], "Thôn")
                for bi in range(1, self.plan.residence_branches + 1):
                    hamlet = f"{prefix} {bi}"
                    bid = add(
                        cpath + path_step(bi),
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
                    groups.append((bid, "Tổ đảng số 1"))
                    groups.append((bid, "Tổ đảng số 2"))
                    if bi == 1 and ci <= 2:
                        self.sample["residence"].append((bid, cpath + path_step(bi)))
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
                        self.workplace_branches.append((rid, rpath, province.code, unit))
        copier.flush()
        _reset_sequence(cursor, Organization._meta.db_table)
        group_copier = Copier(cursor, PartyGroup._meta.db_table, ["branch_id", "name"])
        for row in groups:
            group_copier.add(row)
        group_copier.flush()
        return {"organizations": copier.count, "party_groups": group_copier.count}

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
            "notes",
            "search_name",
            "sort_key",
            "created_at",
            "updated_at",
        ]
        copier = Copier(cursor, Member._meta.db_table, columns, chunk=None)
        # Flushed by hand right after the members they point to (foreign keys are checked at once).
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
        # A separate generator, so adding exemptions left the members of a seed unchanged.
        ex_rng = random.Random(self.plan.seed + 1)
        exempt_counts: dict[str, int] = {}
        next_id = _next_id(cursor, Member._meta.db_table)
        rng = self.rng
        places = sorted(CCCD_PLACE_CODES)
        branches = self.workplace_branches
        today_ord = self.today.toordinal()
        now = self.now.isoformat()
        covered = 0
        for i in range(self.plan.members):
            branch_id, branch_path, province_code, unit = branches[i % len(branches)]
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
                commune, hamlet, _branch = rng.choice(self.residence_by_province[province_code])
                street = f"Số {rng.randint(1, 300)}, ngõ {rng.randint(1, 60)}"
            else:
                commune, hamlet, street = None, "", ""
            member_id = next_id + i
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
                    rng.choice(POSITIONS),
                    unit,
                    commune,
                    hamlet,
                    street,
                    f"09{rng.randint(10_000_000, 99_999_999)}",
                    "",
                    is_covered,
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
            if is_covered:
                draw, threshold = ex_rng.random(), 0.0
                for category, share in EXEMPTION_SHARES:
                    threshold += share
                    if draw < threshold:
                        start = today_ord - ex_rng.randint(30, 1500)
                        end = start + ex_rng.randint(365, 1500) if category == "full_time_study" else None
                        exemptions.add(
                            [
                                member_id,
                                category,
                                EXEMPTION_KINDS[category],
                                EXEMPTION_REASONS[category],
                                datetime.date.fromordinal(start).isoformat(),
                                datetime.date.fromordinal(end).isoformat() if end else None,
                                "Ban Thường vụ Đảng ủy",
                                now,
                            ]
                        )
                        exempt_counts[category] = exempt_counts.get(category, 0) + 1
                        break
            if (i + 1) % 100_000 == 0:
                copier.flush()
                words.flush()
                exemptions.flush()
            if (i + 1) % 500_000 == 0:
                self.log(f"  {i + 1:,} members")
        copier.flush()
        words.flush()
        exemptions.flush()
        _reset_sequence(cursor, Member._meta.db_table)
        vocab = Copier(cursor, NameWord._meta.db_table, ["word", "frequency"])
        cursor.execute(f"SELECT word FROM {NameWord._meta.db_table}")  # noqa: S608
        known = {row[0] for row in cursor.fetchall()}
        for word, frequency in sorted(vocabulary.items()):
            if word not in known:
                vocab.add([word, frequency])
        vocab.flush()
        return {"members": copier.count, "covered": covered, "name_words": words.count, "exemptions": exempt_counts}

    # ---- users and roles ----------------------------------------------------------
    def users(self, cursor, password: str):
        hashed = make_password(password)
        now = self.now.isoformat()
        plan = [("bench.national", None, None, True)]
        for i, (oid, _path, _code) in enumerate(self.sample["province"]):
            plan.append((f"bench.province{i + 1:02d}", oid, Role.CLERK, False))
            plan.append((f"bench.board{i + 1:02d}", oid, Role.BOARD_VIEWER, False))
        for i, (oid, _path) in enumerate(self.sample["grassroots"]):
            plan.append((f"bench.clerk{i + 1:03d}", oid, Role.CLERK, False))
        for i, (oid, _path) in enumerate(self.sample["residence"]):
            plan.append((f"bench.secretary{i + 1:03d}", oid, Role.BRANCH_SECRETARY, False))
        for i, (oid, _path) in enumerate(self.sample["commune"]):
            plan.append((f"bench.commune{i + 1:02d}", oid, Role.BOARD_VIEWER, False))
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
        for username, oid, role, superuser in plan:
            user_copier.add([next_id, hashed, superuser, username, "", "", "", superuser, True, now, username, ""])
            if oid:
                role_copier.add([next_id, oid, role, now])
            next_id += 1
        user_copier.flush()
        role_copier.flush()
        _reset_sequence(cursor, User._meta.db_table)
        return {"users": user_copier.count, "role_assignments": role_copier.count}


def _accumulate(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _secondary_indexes(cursor):
    """Indexes of the bulk-loaded tables that no constraint needs (dropped and rebuilt around COPY)."""
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = ANY(%s) AND NOT EXISTS (
             SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        [[Member._meta.db_table, MemberNameWord._meta.db_table]],
    )
    return cursor.fetchall()


def generate(*, members: int, seed: int, password: str, do_reset: bool = True, log=print) -> Result:
    if connection.vendor != "postgresql":
        raise RuntimeError("generate_scale_data needs PostgreSQL (COPY).")
    started = time.perf_counter()
    plan = Plan.for_members(members, seed)
    generator = Generator(plan, log=log)
    result = Result()
    with transaction.atomic(), connection.cursor() as cursor:
        if do_reset:
            reset(cursor)
        # Deferred foreign-key checks would block CREATE INDEX later in this transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        log(f"plan: {plan}")
        result.counts.update(generator.organisations(cursor))
        log(f"organisations: {result.counts['organizations']:,} ({time.perf_counter() - started:.0f} s)")
        indexes = _secondary_indexes(cursor)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        result.counts.update(generator.members(cursor))
        log(f"members: {result.counts['members']:,} ({time.perf_counter() - started:.0f} s)")
        for _name, definition in indexes:
            cursor.execute(definition)
        log(f"indexes rebuilt ({time.perf_counter() - started:.0f} s)")
        result.counts.update(generator.users(cursor, password))
        if not do_reset:
            refresh_frequencies()  # the vocabulary held words before this load

        result.seconds = time.perf_counter() - started
        audit_record(
            actor=None,
            action="scale_data.generate",
            obj=Organization.objects.order_by("path").first(),
            changes={"members": members, "seed": seed, "seconds": round(result.seconds, 1), **result.counts},
        )
    tables = [Member, MemberNameWord, NameWord, Organization, PartyGroup, RoleAssignment, User]
    with connection.cursor() as cursor:
        for model in tables:
            # VACUUM cannot run inside a transaction (the test suite's); ANALYZE can.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{verb} {model._meta.db_table}")
    result.seconds = time.perf_counter() - started
    log(f"vacuumed and analysed ({result.seconds:.0f} s)")
    return result


def existing(members: int, seed: int) -> dict | None:
    """The audit record of a previous generation with the same size and seed, if the data is still there."""
    from nhatky.models import AuditEvent

    event = AuditEvent.objects.filter(action="scale_data.generate").order_by("-id").first()
    if event and event.changes.get("members") == members and event.changes.get("seed") == seed:
        if Member.objects.order_by().count() == members:
            return event.changes
    return None
