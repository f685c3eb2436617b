"""Importing a member list of 50,000 rows: the dry run, then the write, as a clerk does it,
printed as one JSON object per line.

    python -m bench.imports [--rows 50000] [--seed 213]

Figure: import_50k_rows_s (the dry run plus the write of a file of --rows rows; target ≤ 60 s),
with its parts: upload_s (reading the file to find the header and suggest the columns),
check_s (the dry run: every row read, parsed and checked against the members in the system) and
write_s (read and checked again, then written: members with history, name words, exemptions,
audit rows and the import's log, in one transaction). Tasks run in this process (the same
service calls a Celery worker makes).

The file (made by this script with openpyxl, deterministic for a seed) is what offices keep: a
title row above the header, names partly in capitals with double spaces, birth dates as date
cells, as text in several forms and as years alone, citizen IDs partly as numbers that lost their
leading zero, phones in every format, the branch of each member (ten branches), the residence
commune by today's name with its province, the QĐ 213 mark, an HD 33 exemption for one row in
fifty, and one row in two hundred with a date that is not one (reported, not written).

The database (DATABASE_URL) must be a benchmark or test one: the members the last run wrote are
deleted first, so every run writes the same rows.
"""

import argparse
import datetime
import io
import json
import random
import sys
import time

PREFIX = "Thử nhập"


def build_file(rows: int, seed: int, branches: list[str], communes: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook

    from common import names

    rng = random.Random(seed)
    today = datetime.date.today()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("DS")
    sheet.append(["DANH SÁCH ĐẢNG VIÊN ĐANG CÔNG TÁC"])
    sheet.append(
        ["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD", "Ngày vào Đảng", "Ngày chính thức", "Chi bộ",
         "Chức vụ", "Điện thoại", "Xã/Phường", "Tỉnh", "Thôn/Tổ dân phố", "Thuộc diện 213", "Miễn", "Lý do miễn"]
    )  # fmt: skip
    for n in range(1, rows + 1):
        full_name, gender = names.person(rng)
        born = names.birth_date(rng, today)
        admitted = born + datetime.timedelta(days=rng.randint(19 * 365, 40 * 365))
        admitted = min(admitted, today - datetime.timedelta(days=400))
        full = admitted + datetime.timedelta(days=365)
        cid = names.citizen_id(rng, "033", gender, born, n)
        style = n % 5
        shown_name = full_name.upper() if style == 0 else full_name.replace(" ", "  ", 1) if style == 1 else full_name
        shown_born = [born, born.strftime("%d/%m/%Y"), born.strftime("%d-%m-%Y"), born.strftime("%-d/%-m/%Y"), born][
            style
        ]
        if n % 200 == 0:
            shown_born = f"31/02/{born.year}"
        shown_cid = int(cid) if style == 2 else cid
        phone = f"09{rng.randint(10_000_000, 99_999_999)}"
        shown_phone = [
            phone,
            f"{phone[:4]} {phone[4:7]} {phone[7:]}",
            "+84 " + phone[1:],
            phone[1:],
            f"{phone[:4]}.{phone[4:]}",
        ][style]
        commune, province = communes[n % len(communes)]
        exempt = n % 50 == 0
        sheet.append(
            [n, shown_name, "Nữ" if gender == "female" else "Nam", shown_born, shown_cid, admitted.strftime("%d/%m/%Y"),
             full, branches[n % len(branches)], names.POSITIONS[n % len(names.POSITIONS)], shown_phone, commune,
             province, f"Tổ dân phố {1 + n % 12}", "x", "Đi học tập trung" if exempt else "",
             "Học cao cấp lý luận chính trị" if exempt else ""]
        )  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def setup():
    """The workplace committee with ten branches and its clerk (made once, reused)."""
    from chibo.models import Organization, OrganizationKind, Role, Side
    from chibo.services import organization_create, role_assign
    from taikhoan.models import User

    kind = {k.code: k for k in OrganizationKind.objects.all()}

    def org(parent, name, code, abbr="ĐU"):
        found = Organization.objects.filter(name=name).first()
        if found:
            return found
        return organization_create(
            actor=None, parent=parent, kind=kind[code], side=Side.WORKPLACE, name=name, doc_abbreviation=abbr
        )

    province = org(None, f"Đảng bộ tỉnh {PREFIX}", "tinh-uy")
    committee = org(province, f"Đảng bộ Sở {PREFIX}", "dang-bo-co-so")
    branches = [org(committee, f"Chi bộ Phòng {PREFIX} {i + 1}", "chi-bo-truc-thuoc", "CB") for i in range(10)]
    clerk = User.objects.filter(username="bench.imports.clerk").first()
    if clerk is None:
        clerk = User.objects.create_user("bench.imports.clerk", password="bench-imports-213")
        role_assign(actor=None, user=clerk, organization=committee, role=Role.CLERK)
    return committee, [b.name for b in branches], clerk


def clean(committee):
    """Delete what the last run wrote, only ever in a benchmark or test database."""
    from django.db import connection

    from dangvien.models import Exemption, Member, MemberNameWord
    from nhapdulieu.models import ImportChange, ImportJob
    from nhatky.models import AuditEvent

    name = connection.settings_dict["NAME"]
    if not (name.startswith("tdv213_bench") or name.startswith("test_")):
        sys.exit(f"bench.imports deletes members of its database; refusing to run on {name!r}")
    members = Member.objects.filter(org_path__startswith=committee.path)
    ids = list(members.values_list("id", flat=True))
    jobs = list(ImportJob.objects.filter(organization=committee))
    AuditEvent.objects.filter(reason__in=[job.audit_reason for job in jobs]).delete()
    ImportChange.objects.filter(job__in=jobs).delete()
    ImportJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    Exemption.objects.filter(member_id__in=ids).delete()
    MemberNameWord.objects.filter(org_path__startswith=committee.path).delete()
    members._raw_delete(members.db)  # no per-row signals: the history rows go next, all of them
    Member.history.filter(id__in=ids).delete()
    if connection.get_autocommit():  # not inside a test's transaction
        with connection.cursor() as cursor:
            for table in (
                "dangvien_member",
                "dangvien_membernameword",
                "dangvien_historicalmember",
                "nhatky_auditevent",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")


def measure(*, rows: int, seed: int = 213, out=sys.stdout) -> list[dict]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chibo.models import Commune
    from nhapdulieu import services
    from nhapdulieu.models import ImportJob

    committee, branches, clerk = setup()
    clean(committee)
    communes = [(c.name, "Hưng Yên") for c in Commune.objects.filter(province_id=33).order_by("code")[:40]]
    made = time.perf_counter()
    data = build_file(rows, seed, branches, communes)
    file_s = time.perf_counter() - made

    started = time.perf_counter()
    job = services.import_upload(actor=clerk, organization=committee, uploaded=SimpleUploadedFile("ds.xlsx", data))
    upload_s = time.perf_counter() - started
    mapping = dict(job.mapping)
    # The clerk confirms the suggested columns; the check runs as the task would.
    begun = time.perf_counter()
    services.import_columns(actor=clerk, job=job, mapping=mapping, duplicates="skip", mode="valid")
    job = ImportJob.objects.get(pk=job.pk)
    check_s = time.perf_counter() - begun
    begun = time.perf_counter()
    services.import_write(actor=clerk, job=job)
    job = ImportJob.objects.get(pk=job.pk)
    write_s = time.perf_counter() - begun
    total = time.perf_counter() - started
    from bench.run import cpu_loop_seconds

    records = [
        {"name": "import_50k_rows_s", "value": round(total, 1), "unit": "s", "target": 60, "rows": rows,
         "upload_s": round(upload_s, 1), "check_s": round(check_s, 1), "write_s": round(write_s, 1),
         # The VM's speed changes from hour to hour: read the figure beside it.
         "cpu_loop_s": cpu_loop_seconds()},
        {"name": "import_counts", "value": job.counts.get("create", 0), "unit": "members created", "status": job.status,
         "counts": job.counts, "mapped_columns": len(mapping), "legacy": job.legacy or None},
        {"name": "import_file", "value": round(len(data) / 1_048_576, 1), "unit": "MB", "made_s": round(file_s, 1)},
    ]  # fmt: skip
    for record in records:
        print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=213)
    args = parser.parse_args(argv)
    import django

    django.setup()
    from django.conf import settings

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        sys.exit("bench.imports runs the tasks in this process: use config.settings.test (eager tasks)")
    measure(rows=args.rows, seed=args.seed)


if __name__ == "__main__":
    main()
