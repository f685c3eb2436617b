"""Uploads (stamps, signatures, scans, minutes, spreadsheets): the type is sniffed from the bytes,
the size is capped, images and PDFs are written again without what they carried, files live
under PRIVATE_MEDIA_ROOT with names of our making, and only scoped views serve them."""

import datetime
import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.functional import empty
from PIL import Image

from chibo.images import store_image
from tests import factories
from tests.images import png_upload, scanned_pdf
from vanban.storage import private_storage
from vanban.uploads import store_scan

PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    private_storage._wrapped = empty
    yield Path(settings.PRIVATE_MEDIA_ROOT)
    private_storage._wrapped = empty


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def png_bytes(size=(64, 64)) -> bytes:
    return png_upload(size=size).read()


def png_header_only(width, height) -> bytes:
    """A PNG that claims width × height (a decompression bomb is small on disk, huge in memory)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")
    )


def pdf_with(**parts) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if "open_at" in parts:  # what scanners write: open page 1, fitted
        pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
    if "goto_action" in parts:  # an automatic action that does something
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name(parts["goto_action"]), F=pikepdf.String("x.pdf"))
    if "javascript" in parts:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(parts["javascript"]))
    if "attachment" in parts:
        pdf.attachments["readme.exe"] = pikepdf.AttachedFileSpec(pdf, parts["attachment"])
    if "launch" in parts:
        action = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String(parts["launch"]))
        annot = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 9, 9], A=action)
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def upload(data, name, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def messages(exc) -> str:
    return " ".join(exc.value.messages)


# ---- images: stamps, signatures, photos of minutes ---------------------------------------------

REFUSED_IMAGES = [
    ("html-named-png", PAYLOAD, "dau.png", "image/png", "không phải"),
    ("svg", SVG, "dau.svg", "image/svg+xml", "không phải"),
    ("svg-named-png", SVG, "dau.png", "image/png", "không phải"),
    ("gif", b"GIF89a" + b"\0" * 64, "dau.gif", "image/gif", "không phải"),
    ("too-many-pixels", png_header_only(5000, 5000), "dau.png", "image/png", "điểm ảnh"),
    ("decompression-bomb", png_header_only(30000, 30000), "dau.png", "image/png", "không phải"),
]


@pytest.mark.parametrize(
    ("data", "name", "content_type", "says"), [c[1:] for c in REFUSED_IMAGES], ids=[c[0] for c in REFUSED_IMAGES]
)
def test_images_that_are_not_plain_raster_images_are_refused(private_root, data, name, content_type, says):
    with pytest.raises(ValidationError) as refused:
        store_image(upload(data, name, content_type), "stamps")
    assert says in messages(refused).lower()
    assert not private_root.exists() or not any(private_root.rglob("*.*"))


def test_an_oversized_image_is_refused_before_it_is_read(settings, private_root):
    settings.UPLOAD_IMAGE_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        store_image(upload(png_bytes((400, 400)) + b"\0" * 2048, "dau.png", "image/png"), "stamps")
    assert "quá lớn" in messages(refused)


def test_an_image_with_a_payload_is_re_encoded_without_it(private_root):
    original = png_bytes() + PAYLOAD
    name = store_image(upload(original, "../../static/x.html", "text/html"), "stamps")
    stored = (private_root / name).read_bytes()
    assert name.startswith("stamps/") and name.endswith(".png") and ".." not in name and "x.html" not in name
    assert stored != original and b"<script" not in stored and b"<html" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (64, 64)


def test_image_metadata_is_dropped(private_root):
    image = Image.new("RGB", (32, 32), (200, 0, 0))
    exif = Image.Exif()
    exif[0x010E] = "Nguyễn Văn Đức, 12 Hàng Bài"  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    name = store_image(upload(out.getvalue(), "anh.jpg", "image/jpeg"), "scans")
    stored = (private_root / name).read_bytes()
    assert b"Exif" not in stored and "Hàng Bài".encode() not in stored


# ---- scans: PDFs and photos -------------------------------------------------------------------

REFUSED_SCANS = [
    ("pdf-javascript", pdf_with(javascript="app.alert(1)"), "mã lệnh"),
    ("pdf-attachment", pdf_with(attachment=b"MZ\x90\0"), "mã lệnh"),
    ("pdf-launch", pdf_with(launch="cmd.exe"), "mã lệnh"),
    ("pdf-magic-only", b"%PDF-1.7\n" + PAYLOAD, "PDF"),
    ("html", PAYLOAD, "không phải"),
    ("svg", SVG, "không phải"),
]


@pytest.mark.parametrize(("data", "says"), [c[1:] for c in REFUSED_SCANS], ids=[c[0] for c in REFUSED_SCANS])
def test_scans_that_are_not_plain_documents_are_refused(private_root, data, says):
    with pytest.raises(ValidationError) as refused:
        store_scan(upload(data, "phieu-bao.pdf", "application/pdf"))
    assert says in messages(refused)  # in Vietnamese, not the English msgid
    assert not private_root.exists() or not any(private_root.rglob("*.*"))


def test_pdf_with_javascript_is_refused_in_vietnamese():
    with pytest.raises(ValidationError) as refused:
        store_scan(upload(pdf_with(javascript="app.alert(1)"), "phieu.pdf", "application/pdf"))
    assert "mã lệnh" in messages(refused)


def test_a_scan_that_opens_at_its_first_page_is_accepted_and_one_that_opens_another_file_is_not(private_root):
    name = store_scan(upload(pdf_with(open_at=True), "phieu.pdf", "application/pdf"))
    assert (private_root / name).read_bytes().startswith(b"%PDF-")
    with pytest.raises(ValidationError) as refused:
        store_scan(upload(pdf_with(goto_action="/GoToR"), "phieu.pdf", "application/pdf"))
    assert "mã lệnh" in messages(refused)


def test_a_pdf_with_bytes_appended_is_written_again_without_them(private_root):
    original = scanned_pdf() + b"\n" + PAYLOAD
    name = store_scan(upload(original, "<script>.pdf", "application/pdf"))
    stored = (private_root / name).read_bytes()
    assert name.startswith("scans/") and name.endswith(".pdf") and "script" not in name
    assert stored != original and stored.startswith(b"%PDF-") and PAYLOAD not in stored
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == 1


def test_an_oversized_scan_is_refused(settings):
    settings.UPLOAD_SCAN_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        store_scan(upload(scanned_pdf() + b"\0" * 2048, "phieu.pdf", "application/pdf"))
    assert "quá lớn" in messages(refused)


def test_the_scan_error_is_shown_at_the_field(client, setup):
    from dangvien.services import letter_issue

    member = factories.member(setup["a1"], full_name="Vũ Thị Lan", gender="female", commune_code=4)
    link = letter_issue(actor=setup["clerk"], member=member)
    client.force_login(setup["clerk"])
    url = reverse("dangvien:link_receive_manual", args=[link.pk])
    today = datetime.date.today().strftime("%d/%m/%Y")
    response = client.post(url, {"received_date": today, "scan": upload(pdf_with(javascript="x"), "a.pdf")})
    assert response.status_code == 200
    assert "mã lệnh" in " ".join(response.context["form"].errors["scan"])


def test_the_stamp_error_is_shown_at_the_field(client, setup):
    client.force_login(setup["clerk"])
    response = client.post(
        reverse("chibo:signing", args=[setup["a"].pk]),
        {"form": "stamp", "stamp-stamp": upload(SVG, "dau.png", "image/png")},
    )
    assert response.status_code == 200
    assert "không phải" in " ".join(response.context["stamp_form"].errors["stamp"])


# ---- spreadsheets -----------------------------------------------------------------------------


def zip_of(**files) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


REFUSED_SHEETS = [
    ("zip-named-xlsx", zip_of(**{"junk.txt": b"x" * 100, "run.exe": b"MZ"})),
    ("zip-bomb", zip_of(**{"xl/workbook.xml": b"<x/>", "xl/big.xml": b"\0" * 30_000_000})),
    ("html-named-csv", PAYLOAD),
    ("pdf-named-xlsx", scanned_pdf()),
    ("png-named-csv", png_bytes()),
    ("old-xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512),
]


@pytest.mark.parametrize("data", [c[1] for c in REFUSED_SHEETS], ids=[c[0] for c in REFUSED_SHEETS])
def test_import_files_that_are_not_spreadsheets_are_refused_at_the_field(client, setup, private_root, data):
    from chibo.models import Role

    clerk = factories.user("import_clerk", roles=[(setup["a"], Role.CLERK)])
    client.force_login(clerk)
    response = client.post(
        reverse("nhapdulieu:upload"), {"organization": setup["a"].pk, "file": upload(data, "danh-sach.xlsx")}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert errors and not errors.isascii()
    assert not list(private_root.glob("imports/**/*.*"))


def test_an_oversized_import_is_refused(client, setup, settings):
    from chibo.models import Role

    settings.IMPORT_MAX_BYTES = 1024
    clerk = factories.user("import_clerk", roles=[(setup["a"], Role.CLERK)])
    client.force_login(clerk)
    response = client.post(
        reverse("nhapdulieu:upload"),
        {"organization": setup["a"].pk, "file": upload(b"Ho va ten\n" + b"a\n" * 2000, "ds.csv", "text/csv")},
    )
    assert "giới hạn" in " ".join(response.context["form"].errors["file"])


# ---- where files live and who gets them ----------------------------------------------------------


def test_private_files_are_outside_every_public_folder():
    # The folder the settings give (this module's fixture points the setting at a temporary one).
    from config.settings import base

    private = Path(base.PRIVATE_MEDIA_ROOT).resolve()
    public = [django_settings.MEDIA_ROOT, django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]
    for folder in filter(None, public):
        folder = Path(folder).resolve()
        assert not private.is_relative_to(folder) and not folder.is_relative_to(private)


def test_stored_files_are_not_reachable_by_url_and_are_served_only_in_scope(client, setup, private_root):
    from dangvien.services import letter_issue, link_receive_manual

    member = factories.member(setup["a1"], full_name="Vũ Thị Lan", gender="female", commune_code=4)
    link = letter_issue(actor=setup["clerk"], member=member)
    link = link_receive_manual(
        actor=setup["clerk"], link=link, received_date=datetime.date.today(), scan=upload(scanned_pdf(), "p.pdf")
    )
    name = link.acknowledgement_scan
    assert (private_root / name).is_file()
    stamp = setup["a"].__class__.objects.get(pk=setup["a"].pk).stamp_image
    client.force_login(setup["clerk"])
    for stored in (name, stamp):
        for prefix in (django_settings.MEDIA_URL, "/" + django_settings.STATIC_URL.lstrip("/"), "/private/"):
            assert client.get(prefix + stored).status_code == 404
    for url in (reverse("dangvien:link_scan", args=[link.pk]), reverse("chibo:stamp_image", args=[setup["a"].pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith(("inline; filename=", "attachment; filename="))
        assert response["Content-Type"] in ("application/pdf", "image/png")
    client.force_login(setup["neighbour"])
    assert client.get(reverse("dangvien:link_scan", args=[link.pk])).status_code == 404
    assert client.get(reverse("chibo:stamp_image", args=[setup["a"].pk])).status_code == 404


def test_meeting_attachments_are_served_to_the_branch_only(client, branch, private_root):
    from django.utils import timezone

    from chibo.services import attendance_mark, meeting_close, meeting_schedule

    meeting = meeting_schedule(
        actor=branch["secretary"],
        branch=branch["res"],
        kind="when_needed",
        starts_at=timezone.now(),
        place="Nhà văn hóa",
        agenda="Họp",
    )
    for row in meeting.attendance.all():
        attendance_mark(
            actor=branch["secretary"], meeting=meeting, member_id=row.member_id, status="present", version=row.version
        )
    meeting_close(
        actor=branch["secretary"],
        meeting=meeting,
        minutes="Biên bản",
        attachment=upload(png_bytes() + PAYLOAD, "<b>.png"),
    )
    attachment = meeting.attachments.get()
    url = reverse("chibo:meeting_attachment", args=[meeting.pk, attachment.pk])
    client.force_login(branch["secretary"])
    response = client.get(url)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png" and "<b>" not in response["Content-Disposition"]
    assert body.startswith(b"\x89PNG") and b"<script" not in body
    client.force_login(branch["clerk_b"])
    assert client.get(url).status_code == 404
    # A backup checks it like every private file the database names (a restore that lost the
    # scans of signed minutes exited 0).
    from common.management.commands.backup import referenced_files

    listed = {f["path"]: f["sha256"] for f in referenced_files()}
    assert listed[f"private/{attachment.path}"] == hashlib.sha256(body).hexdigest()
