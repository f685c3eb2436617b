"""Importing member lists: reading files as offices keep them, the dry run's problems by row and
column, writing all-or-nothing or the valid rows, duplicates, refusals, and who may do what."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from chibo.models import Role
from dangvien.models import Exemption, Member, MemberNameWord
from nhapdulieu import services
from nhapdulieu.models import ImportChange, ImportJob, ImportSettings
from nhatky.models import AuditEvent
from tests import factories

from .conftest import HEADER, csv_file, xlsx

pytestmark = pytest.mark.django_db


def cid(gender, born, serial):
    return factories.citizen_id_for(gender, born, serial)


def member_row(
    n, name, born, *, gender="Nam", admitted="19/05/2010", full="19/05/2011", phone="0912 345 678", covered="x"
):
    g = "female" if gender == "Nữ" else "male"
    return [n, name, gender, born, cid(g, _date(born), 900 + n), admitted, full, "Chuyên viên", phone, covered]


def _date(value):
    """The birth date a citizen ID is made from (the year is what it encodes)."""
    if isinstance(value, datetime.date):
        return value
    year = str(value)[-4:]
    return datetime.date(int(year) if year.isdigit() else 1980, 1, 1)


def run(job, actor, *, mapping=None, duplicates="skip", mode="valid", django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.import_columns(
            actor=actor,
            job=job,
            mapping=mapping if mapping is not None else job.mapping,
            duplicates=duplicates,
            mode=mode,
        )
    job.refresh_from_db()
    return job


def write(job, actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.import_write(actor=actor, job=job)
    job.refresh_from_db()
    return job


def test_a_register_with_title_rows_is_read_checked_and_written(tree, clerk_a, django_capture_on_commit_callbacks):
    upload = xlsx(
        [
            HEADER,
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],  # the numbering row under a register's header
            member_row(1, "NGUYỄN  VĂN AN", "12/3/1985"),
            member_row(2, "Trần Thị Bình", datetime.datetime(1990, 7, 1), gender="Nữ", phone="+84 98.765.4321"),
            [None] * 10,
            member_row(3, "Lê Văn Cường", "1979", admitted="2005", full=""),
            member_row(4, "Phạm Văn Dũng", "31/02/1980"),
        ],
        titles=["ĐẢNG BỘ SỞ GIÁO DỤC", "DANH SÁCH ĐẢNG VIÊN NĂM 2026", ""],
    )
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=upload)
    assert job.header_row == 4 and job.total_rows == 4  # the empty row is not a member
    assert job.mapping == {
        "1": "full_name",
        "2": "gender",
        "3": "birth_date",
        "4": "citizen_id",
        "5": "admission_date",
        "6": "full_membership_date",
        "7": "position",
        "8": "phone",
        "9": "covered_213",
    }
    assert Member.objects.count() == 0
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.status == "checked"
    assert job.counts == {"create": 3, "update": 0, "skip": 0, "error": 1, "problems": 1}
    assert job.empty_rows == 1  # said on the page, not a member
    assert Member.objects.count() == 0, "a dry run writes nothing"
    (problem,) = job.problems
    assert (problem["row"], problem["column"]) == (10, "Ngày sinh") and "không phải là ngày" in problem["message"]
    notes = {(n["row"], n["column"]) for n in job.notes}
    assert {(6, "Họ và tên"), (7, "Điện thoại"), (9, "Ngày sinh"), (9, "Ngày vào Đảng")} <= notes
    job = write(job, clerk_a, django_capture_on_commit_callbacks)
    assert job.status == "done" and job.counts["create"] == 3
    an = Member.objects.get(full_name="Nguyễn Văn An")
    binh = Member.objects.get(full_name="Trần Thị Bình")
    assert an.birth_date == datetime.date(1985, 3, 12) and an.phone == "0912345678" and an.covered_213
    assert (
        an.organization == tree["a"] and an.org_path == tree["a"].path and an.awaiting_letter_since == an.admission_date
    )
    assert binh.gender == "female" and binh.phone == "0987654321" and binh.status == "full"
    assert MemberNameWord.objects.filter(member=an, word="an").exists()
    assert an.history.get().history_change_reason == job.audit_reason
    assert AuditEvent.objects.filter(action="member.create", object_id=str(an.pk), reason=job.audit_reason).exists()
    cuong = Member.objects.get(full_name="Lê Văn Cường")
    assert cuong.birth_date == datetime.date(1979, 1, 1) and cuong.status == "probationary"
    assert sorted(ImportChange.objects.filter(job=job).values_list("row", "action")) == [
        (6, "create"),
        (7, "create"),
        (9, "create"),
    ]


def test_dates_as_offices_type_them(tree, clerk_a, django_capture_on_commit_callbacks):
    rows = [HEADER]
    forms = [
        "12/3/1985",
        "12-03-1985",
        "12.3.1985",
        "1985-03-12",
        31118,
        "12 tháng 3 năm 1985",
        datetime.date(1985, 3, 12),
    ]
    for n, born in enumerate(forms, start=1):
        rows.append(
            [
                n,
                f"Người Thứ {n}",
                "Nam",
                born,
                cid("male", datetime.date(1985, 3, 12), 700 + n),
                "19/05/2010",
                "19/05/2011",
                "",
                "",
                "",
            ]
        )
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.counts["create"] == len(forms), job.problems
    write(job, clerk_a, django_capture_on_commit_callbacks)
    assert set(Member.objects.values_list("birth_date", flat=True)) == {datetime.date(1985, 3, 12)}


def test_csv_in_utf8_bom_and_windows_1258(tree, clerk_a, django_capture_on_commit_callbacks):
    for n, (encoding, delimiter) in enumerate([("utf-8", ","), ("utf-8-sig", ";"), ("cp1258", ",")]):
        born = datetime.date(1980 + n, 1, 2)
        rows = [
            HEADER,
            [
                1,
                f"Đỗ Thị Hương {n}",
                "Nữ",
                born.strftime("%d/%m/%Y"),
                cid("female", born, 800 + n),
                "03/02/2005",
                "03/02/2006",
                "Kế toán",
                "",
                "x",
            ],
        ]
        job = services.import_upload(
            actor=clerk_a, organization=tree["a"], uploaded=csv_file(rows, encoding=encoding, delimiter=delimiter)
        )
        job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        assert job.counts["create"] == 1, (encoding, job.problems)
        write(job, clerk_a, django_capture_on_commit_callbacks)
        assert Member.objects.filter(full_name=f"Đỗ Thị Hương {n}", position="Kế toán").exists(), encoding


def test_nfd_text_and_a_two_row_header_under_merged_cells(tree, clerk_a, django_capture_on_commit_callbacks):
    import unicodedata

    born = datetime.date(1975, 6, 1)
    rows = [
        ["STT", "Họ và tên", "Giới tính", "Ngày, tháng, năm", None, None, "Số CCCD"],
        [None, None, None, "Sinh", "Vào Đảng", "Chính thức", None],
        [
            1,
            unicodedata.normalize("NFD", "Nguyễn Thị Ngọc Ánh"),
            "nữ",
            born,
            "01/01/2000",
            "01/01/2001",
            cid("female", born, 1),
        ],
    ]
    job = services.import_upload(
        actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows, merges=["D1:F1", "A1:A2", "B1:B2"])
    )
    assert [job.mapping.get(str(i)) for i in range(7)] == [
        None,
        "full_name",
        "gender",
        "birth_date",
        "admission_date",
        "full_membership_date",
        "citizen_id",
    ]
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    write(job, clerk_a, django_capture_on_commit_callbacks)
    member = Member.objects.get()
    assert member.full_name == "Nguyễn Thị Ngọc Ánh" and unicodedata.is_normalized("NFC", member.full_name)


def test_duplicates_in_the_file_and_in_the_system(tree, clerk_a, django_capture_on_commit_callbacks):
    existing = factories.member(tree["a1"], full_name="Hoàng Văn Em", birth_date=datetime.date(1982, 4, 4))
    born = existing.birth_date
    rows = [
        HEADER,
        [
            1,
            "Hoàng Văn Em",
            "Nam",
            "04/04/1982",
            existing.citizen_id,
            "19/05/2010",
            "19/05/2011",
            "Phó trưởng phòng",
            "0988111222",
            "x",
        ],
        member_row(2, "Vũ Văn Phúc", "05/05/1983"),
        member_row(2, "Vũ Văn Phúc", "05/05/1983"),  # the same person twice in the file
    ]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.counts == {"create": 1, "update": 0, "skip": 1, "error": 1, "problems": 1}
    assert "dòng 3" in job.problems[0]["message"]
    job = run(job, clerk_a, duplicates="update", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.counts["update"] == 1
    write(job, clerk_a, django_capture_on_commit_callbacks)
    existing.refresh_from_db()
    assert existing.position == "Phó trưởng phòng" and existing.phone == "0988111222" and existing.birth_date == born
    change = ImportChange.objects.get(job=job, action="update")
    assert change.member == existing and change.changes["position"] == "Phó trưởng phòng"
    assert existing.history.first().history_change_reason == job.audit_reason


def test_all_or_nothing_writes_nothing_when_a_row_fails(tree, clerk_a, django_capture_on_commit_callbacks):
    rows = [HEADER, member_row(1, "Đinh Văn Giang", "01/01/1980"), member_row(2, "Bùi Thị Hà", "không rõ", gender="Nữ")]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
    job = run(job, clerk_a, mode="all", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.counts["create"] == 1 and job.counts["error"] == 1
    with pytest.raises(ValidationError, match="không ghi"):
        services.import_write(actor=clerk_a, job=job)
    assert Member.objects.count() == 0 and ImportJob.objects.get().status == "checked"


def test_a_write_failing_half_way_leaves_nothing(tree, clerk_a, django_capture_on_commit_callbacks, monkeypatch):
    rows = [HEADER, member_row(1, "Đinh Văn Giang", "01/01/1980"), member_row(2, "Mai Văn Hùng", "02/02/1981")]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)

    def broken(**kwargs):
        from django.db import IntegrityError

        raise IntegrityError("simulated")

    monkeypatch.setattr(services, "audit_events", broken)
    job = write(job, clerk_a, django_capture_on_commit_callbacks)
    assert job.status == "checked" and job.error
    assert Member.objects.count() == 0 and not ImportChange.objects.exists() and not MemberNameWord.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"%PDF-1.7 not a sheet", "không phải là bảng tính"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "không phải là bảng tính"),
        (b"", "trống"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(tree, clerk_a, content, message):
    with pytest.raises(ValidationError, match=message):
        services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=SimpleUploadedFile("ds.xlsx", content))
    assert not ImportJob.objects.exists()


def test_too_large_zip_bombs_and_xml_entities_are_refused(tree, clerk_a, settings):
    settings.IMPORT_MAX_BYTES = 5000
    with pytest.raises(ValidationError, match="giới hạn"):
        services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=csv_file([HEADER] * 100))
    settings.IMPORT_MAX_BYTES = 20 * 1024 * 1024
    # A zip bomb: a small file that unpacks to gigabytes of zeros.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (400 * 1024 * 1024))
    with pytest.raises(ValidationError, match="MB|zip"):
        services.import_upload(
            actor=clerk_a, organization=tree["a"], uploaded=SimpleUploadedFile("bom.xlsx", out.getvalue())
        )
    # Billion laughs inside a real workbook's shared strings.
    good = xlsx([HEADER, member_row(1, "Nguyễn Văn An", "12/3/1985")]).read()
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b"").replace(
                    b"<?xml version='1.0' encoding='UTF-8'?>", b""
                )
                data = (
                    laughs.encode() + data.split(b"?>", 1)[-1] if data.startswith(b"<?xml") else laughs.encode() + data
                )
            z.writestr(item, data)
    with pytest.raises(ValidationError, match="XML"):
        services.import_upload(
            actor=clerk_a, organization=tree["a"], uploaded=SimpleUploadedFile("laughs.xlsx", out.getvalue())
        )
    assert not ImportJob.objects.exists()


def test_a_sheet_with_too_many_rows_is_refused(tree, clerk_a, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = [HEADER] + [member_row(n, f"Người {n}", "01/01/1980") for n in range(1, 200)]
    with pytest.raises(ValidationError, match="50 dòng"):
        services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))


def test_a_sheet_of_a_million_rows_is_refused_before_it_is_read(tree, clerk_a):
    good = xlsx([HEADER, member_row(1, "Nguyễn Văn An", "12/3/1985")]).read()
    src = zipfile.ZipFile(io.BytesIO(good))
    rows = b"".join(
        b'<row r="%d"><c r="B%d" t="inlineStr"><is><t>A</t></is></c></row>' % (n, n) for n in range(1, 1_000_001)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"<sheetData>", 1)[0], data.split(b"</sheetData>", 1)[1]
                data = head + b"<sheetData>" + rows + b"</sheetData>" + tail
            z.writestr(item, data)
    upload = SimpleUploadedFile("trieu-dong.xlsx", out.getvalue())
    assert upload.size < 20 * 1024 * 1024
    with pytest.raises(ValidationError, match="100.000 dòng"):
        services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=upload)
    assert not ImportJob.objects.exists()


def test_formulas_are_read_as_values_never_run(tree, clerk_a, django_capture_on_commit_callbacks):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(member_row(1, "Nguyễn Văn An", "12/3/1985"))
    sheet["H2"] = '=CONCATENATE("Chuyên ", "viên")'  # written by a program: no computed value stored
    out = io.BytesIO()
    book.save(out)
    job = services.import_upload(
        actor=clerk_a, organization=tree["a"], uploaded=SimpleUploadedFile("f.xlsx", out.getvalue())
    )
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.problems == [{"row": 2, "column": "Chức vụ", "message": job.problems[0]["message"]}]
    assert "công thức" in job.problems[0]["message"]


def test_communes_before_the_merger_are_suggested_and_remembered(tree, clerk_a, django_capture_on_commit_callbacks):
    header = [*HEADER, "Xã/Phường", "Tỉnh"]
    rows = [
        header,
        [*member_row(1, "Nguyễn Văn An", "12/3/1985"), "Phường Phố Hiến", "Hưng Yên"],
        [*member_row(2, "Trần Văn Bảo", "12/3/1986"), "Phường Hiến Nam", "Hưng Yên"],  # merged into Phố Hiến in 2025
    ]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.counts["create"] == 1 and job.counts["error"] == 1
    ((key, suggestions),) = job.communes.items()
    assert "hien nam" in key and suggestions
    pho_hien = [code for code, label in suggestions if label.startswith("Phường Phố Hiến")]
    assert pho_hien, suggestions
    with django_capture_on_commit_callbacks(execute=True):
        services.import_communes(actor=clerk_a, job=job, choices={key: str(pho_hien[0])})
    job.refresh_from_db()
    assert job.counts["create"] == 2 and not job.communes
    assert ImportSettings.objects.get(organization=tree["a"]).communes == {key: pho_hien[0]}


def test_exemptions_and_branches_named_in_the_file(tree, clerk_a, django_capture_on_commit_callbacks):
    header = [*HEADER, "Chi bộ", "Miễn", "Lý do miễn", "Miễn từ ngày"]
    rows = [
        header,
        [
            *member_row(1, "Nguyễn Văn An", "12/3/1985"),
            "Chi bộ Phòng Trung học",
            "Đi học tập trung",
            "Học cao cấp lý luận chính trị",
            "01/09/2026",
        ],
        [*member_row(2, "Trần Văn Bảo", "12/3/1986"), "Chi bộ Không Có", "", "", ""],
        [
            *member_row(3, "Lò Văn Cảnh", "12/3/1987"),
            "Chi bộ Văn phòng Sở Y tế",
            "",
            "",
            "",
        ],  # another committee's branch
    ]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.counts["create"] == 1 and job.counts["error"] == 2
    # The pack's categories change between the check and the write (a new pack in force): the write
    # stores the exemption as the check showed it, not as read again.
    from quydinh.models import RegulationPack

    pack = RegulationPack.objects.get(code="qd213")
    categories = [{**c, "kind": "not_introduced"} for c in pack.exemption_categories]
    RegulationPack.objects.filter(pk=pack.pk).update(exemption_categories=categories)
    write(job, clerk_a, django_capture_on_commit_callbacks)
    an = Member.objects.get()
    assert an.organization == tree["a2"]
    exemption = Exemption.objects.get(member=an)
    assert exemption.category == "full_time_study" and exemption.start_date == datetime.date(2026, 9, 1)
    assert exemption.kind == "exempt_meetings"


def test_columns_are_remembered_for_the_organisation(tree, clerk_a, django_capture_on_commit_callbacks):
    rows = [
        ["Họ và tên", "Phái", "Sinh ngày", "CCCD", "Kết nạp", "Công nhận CT", "Thông tin khác"],
        [
            "Nguyễn Văn An",
            "Nam",
            "12/3/1985",
            cid("male", datetime.date(1985, 3, 12), 5),
            "19/05/2010",
            "19/05/2011",
            "abc",
        ],
    ]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
    assert "4" not in job.mapping and "6" not in job.mapping
    mapping = {**job.mapping, "4": "admission_date", "5": "full_membership_date", "6": "notes"}
    run(job, clerk_a, mapping=mapping, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    again = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
    assert again.mapping == {str(k): v for k, v in mapping.items()}
    elsewhere = services.import_upload(
        actor=factories.user("cb", roles=[(tree["b"], Role.CLERK)]), organization=tree["b"], uploaded=xlsx(rows)
    )
    assert "6" not in elsewhere.mapping


def test_the_template_is_recognised_as_it_is(tree, clerk_a, client):
    client.force_login(clerk_a)
    response = client.get("/nhap-du-lieu/mau.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Danh sách", "Hướng dẫn"]
    job = services.import_upload(
        actor=clerk_a, organization=tree["a"], uploaded=SimpleUploadedFile("mau.xlsx", response.content)
    )
    assert len(job.mapping) == len(job.headers) and job.total_rows == 1


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_text_typed_in_tcvn3_or_vni_is_converted_and_shown(tree, clerk_a, encoding, django_capture_on_commit_callbacks):
    from common.legacy_text import from_unicode

    def legacy(text):
        return from_unicode(text, encoding)

    born = datetime.date(1968, 8, 19)
    rows = [
        [legacy("DANH SÁCH ĐẢNG VIÊN")],
        [legacy(h) for h in HEADER],
        [
            1,
            legacy("Nguyễn Văn Đức"),
            legacy("Nam"),
            "19/08/1968",
            cid("male", born, 11),
            "03/02/1990",
            "03/02/1991",
            legacy("Trưởng phòng"),
            "",
            "x",
        ],
        [
            2,
            legacy("Trần Thị Hương"),
            legacy("Nữ"),
            "01/01/1970",
            cid("female", datetime.date(1970, 1, 1), 12),
            "03/02/1995",
            "03/02/1996",
            legacy("Phó phòng"),
            "",
            "x",
        ],
    ]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
    assert job.legacy == encoding and job.legacy_examples
    assert "Họ và tên" in job.headers
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.counts["create"] == 2, job.problems
    write(job, clerk_a, django_capture_on_commit_callbacks)
    assert sorted(Member.objects.values_list("full_name", "position")) == [
        ("Nguyễn Văn Đức", "Trưởng phòng"),
        ("Trần Thị Hương", "Phó phòng"),
    ]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_a_csv_typed_in_tcvn3_or_vni_is_converted(tree, clerk_a, encoding, django_capture_on_commit_callbacks):
    from common.legacy_text import from_unicode

    born = datetime.date(1968, 8, 19)
    rows = [
        [from_unicode(h, encoding) for h in HEADER],
        [
            1,
            from_unicode("Nguyễn Văn Đức", encoding),
            "Nam",
            "19/08/1968",
            cid("male", born, 21),
            "03/02/1990",
            "03/02/1991",
            from_unicode("Trưởng phòng", encoding),
            "",
            "x",
        ],
        [
            2,
            from_unicode("Trần Thị Hương", encoding),
            from_unicode("Nữ", encoding),
            "01/01/1970",
            cid("female", datetime.date(1970, 1, 1), 22),
            "03/02/1995",
            "03/02/1996",
            from_unicode("Phó phòng", encoding),
            "",
            "x",
        ],
    ]
    text = "\r\n".join(",".join(str(c) for c in row) for row in rows) + "\r\n"
    upload = SimpleUploadedFile("cu.csv", text.encode("cp1252"), content_type="text/csv")
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=upload)
    assert job.legacy == encoding
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    write(job, clerk_a, django_capture_on_commit_callbacks)
    assert sorted(Member.objects.values_list("full_name", "position")) == [
        ("Nguyễn Văn Đức", "Trưởng phòng"),
        ("Trần Thị Hương", "Phó phòng"),
    ]


def test_a_damaged_workbook_or_an_unreadable_csv_is_refused_not_a_500(tree, clerk_a):
    good = xlsx([HEADER, member_row(1, "Nguyễn Văn An", "12/3/1985")]).read()
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut in the middle of a row
            z.writestr(item, data)
    with pytest.raises(ValidationError, match="bị hỏng"):
        services.import_upload(
            actor=clerk_a, organization=tree["a"], uploaded=SimpleUploadedFile("hong.xlsx", out.getvalue())
        )
    huge_cell = csv_file([HEADER, [1, "A" * 200_000, "Nam"]])
    with pytest.raises(ValidationError, match="CSV"):
        services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=huge_cell)
    assert not ImportJob.objects.exists()


def test_a_check_or_write_that_fails_ends_with_a_message(
    tree, clerk_a, django_capture_on_commit_callbacks, monkeypatch
):
    rows = [HEADER, member_row(1, "Đinh Văn Giang", "01/01/1980")]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))

    def broken(*args, **kwargs):
        raise RuntimeError("simulated")

    with monkeypatch.context() as patch:
        patch.setattr(services, "plan", broken)
        job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.status == "failed" and "chưa ghi gì" in job.error
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.status == "checked"
    monkeypatch.setattr(services, "copy_insert", broken)
    job = write(job, clerk_a, django_capture_on_commit_callbacks)
    assert job.status == "checked" and "chưa ghi gì" in job.error and Member.objects.count() == 0


def test_writing_twice_is_refused_with_its_reason(tree, clerk_a, django_capture_on_commit_callbacks):
    job = services.import_upload(
        actor=clerk_a, organization=tree["a"], uploaded=xlsx([HEADER, member_row(1, "Đinh Văn Giang", "01/01/1980")])
    )
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    job = write(job, clerk_a, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="đã được ghi"):
        services.import_write(actor=clerk_a, job=job)
    assert Member.objects.count() == 1


def test_an_update_that_brings_a_member_under_qd_213_starts_the_letter_clock(
    tree, clerk_a, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    existing = factories.member(
        tree["a1"], full_name="Hoàng Văn Em", birth_date=datetime.date(1982, 4, 4), covered_213=False
    )
    assert not existing.covered_213 and existing.awaiting_letter_since is None
    rows = [HEADER, [1, "Hoàng Văn Em", "Nam", "04/04/1982", existing.citizen_id, "", "", "", "", "x"]]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
    mapping = {i: key for i, key in job.mapping.items() if key not in ("admission_date", "full_membership_date")}
    job = run(
        job,
        clerk_a,
        mapping=mapping,
        duplicates="update",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    assert job.counts["update"] == 1, job.problems
    write(job, clerk_a, django_capture_on_commit_callbacks)
    existing.refresh_from_db()
    assert existing.covered_213 and existing.awaiting_letter_since == timezone.localdate()


def test_importing_again_with_empty_cells_and_an_exemption_changes_nothing_twice(
    tree, clerk_a, django_capture_on_commit_callbacks
):
    """An update never clears what the system holds with an empty cell (the dry run said 'update'
    and the write then failed on the empty required dates); an exemption already in force is not
    recorded a second time; an empty status cell follows the dates."""
    header = [*HEADER, "Trạng thái", "Miễn", "Lý do miễn", "Miễn từ ngày"]
    first = [*member_row(1, "Nguyễn Văn An", "12/3/1985"), "", "Đi học tập trung", "Học lý luận", "01/09/2026"]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx([header, first]))
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.counts["create"] == 1 and job.counts["error"] == 0, (job.problems, job.mapping)
    write(job, clerk_a, django_capture_on_commit_callbacks)
    an = Member.objects.get()
    assert an.status == "full"

    again = list(first)
    again[5] = again[6] = ""  # admission and full-membership dates left empty this time
    again[8] = "0987 654 321"  # a new phone number
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx([header, again]))
    job = run(job, clerk_a, duplicates="update", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.counts["update"] == 1 and job.counts["error"] == 0, job.problems
    job = write(job, clerk_a, django_capture_on_commit_callbacks)
    assert job.status == "done", job.error
    an.refresh_from_db()
    assert an.phone == "0987654321" and an.admission_date == datetime.date(2010, 5, 19)
    assert Exemption.objects.filter(member=an).count() == 1


def test_an_exemption_the_database_would_refuse_is_a_problem_at_the_check(
    tree, clerk_a, django_capture_on_commit_callbacks
):
    header = [*HEADER, "Miễn", "Lý do miễn", "Người quyết định"]
    row = [*member_row(1, "Nguyễn Văn An", "12/3/1985"), "Đi học tập trung", "Học lý luận", "Đảng ủy\u200b Sở"]
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx([header, row]))
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert job.counts["error"] == 1
    assert [p["column"] for p in job.problems] == ["Người quyết định"]


def test_a_csv_of_thousands_of_columns_is_refused_with_a_message(tree, clerk_a):
    wide = csv_file([[*HEADER, *[f"c{i}" for i in range(500)]], [1, "Nguyễn Văn An"]])
    with pytest.raises(ValidationError) as refused:
        services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=wide)
    assert "hơn 200 cột" in " ".join(refused.value.messages)


def test_the_write_locks_the_members_it_updates(tree, clerk_a, django_capture_on_commit_callbacks):
    """The members an import updates are read again and locked inside the write's transaction: an
    edit saved meanwhile in a member's page is not written over with values read before it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    row = member_row(1, "Nguyễn Văn An", "12/3/1985")
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx([HEADER, row]))
    job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    write(job, clerk_a, django_capture_on_commit_callbacks)
    changed = list(row)
    changed[8] = "0987 654 321"
    job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx([HEADER, changed]))
    job = run(job, clerk_a, duplicates="update", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        job = write(job, clerk_a, django_capture_on_commit_callbacks)
    assert job.status == "done", job.error
    sql = [q["sql"] for q in queries.captured_queries]
    locked = [i for i, q in enumerate(sql) if "FOR UPDATE OF m" in q and "citizen_id" in q]
    updated = [i for i, q in enumerate(sql) if q.startswith('UPDATE "dangvien_member"')]
    assert locked and updated and locked[0] < updated[0]
    assert Member.objects.get().phone == "0987654321"


def test_the_check_costs_the_same_queries_for_more_rows_with_exemptions(
    tree, clerk_a, django_capture_on_commit_callbacks
):
    """The dry run checks each row's exemption by the model's rules without a query per row
    (full_clean checked every constraint with a SELECT of its own: four a row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    header = [*HEADER, "Miễn", "Lý do miễn", "Miễn từ ngày"]

    def queries(n):
        rows = [header] + [
            [*member_row(i, f"Nguyễn Văn Thử{i}", f"12/3/{1960 + i}"), "Đi học tập trung", "Học lý luận", "01/09/2026"]
            for i in range(1, n + 1)
        ]
        job = services.import_upload(actor=clerk_a, organization=tree["a"], uploaded=xlsx(rows))
        with CaptureQueriesContext(connection) as captured:
            job = run(job, clerk_a, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        assert job.counts["create"] == n, job.problems
        return len(captured)

    assert queries(3) == queries(12)
