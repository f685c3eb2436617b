"""Scanned documents uploaded by hand: type sniffed, size capped, re-written clean, stored privately by hash.

A PDF is known by its first bytes and must open in qpdf (pikepdf); one that carries scripts,
automatic actions, launchers, forms that submit or embedded files is refused, and the rest is
written out again by qpdf, which keeps only the objects the document uses: bytes appended after
the end of the file, unreferenced objects and the metadata (author, software) are dropped.
Anything else must be a raster image, which is re-encoded (chibo.images)."""

import hashlib
import io

import pikepdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .storage import private_storage

# Keys that carry code or other files. /OpenAction and /AA are not among them: scanners and "save as
# PDF" write an /OpenAction that only opens page 1 fitted to the window; the actions they point to
# are walked like everything else and refused by their type (/S) below.
ACTIVE_KEYS = frozenset({"/JavaScript", "/JS", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA"})
# Action types (/S) that run code, open other files or send data out.
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Rendition", "/Movie", "/Sound"}
)
# A scan of a few pages has some hundreds of objects; a walk this long is not a scan.
MAX_OBJECTS = 200_000


def is_pdf(upload) -> bool:
    """Whether an uploaded file starts like a PDF (the file is left at its start)."""
    head = upload.read(5)
    upload.seek(0)
    return head == b"%PDF-"


def too_large(limit: int) -> ValidationError:
    """The refusal of a file over `limit` bytes (scans, stamps, the PDF a visitor checks)."""
    return ValidationError(_("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)})


def _active(pdf) -> bool:
    """Whether any object of the document, direct or indirect, is active content."""
    seen, stack, visited = set(), [pdf.trailer], 0
    while stack:
        obj = stack.pop()
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
            continue  # numbers, names, strings: nothing below them
        visited += 1
        if visited > MAX_OBJECTS:
            return True
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            keys = set(obj.keys())
            if keys & ACTIVE_KEYS or str(obj.get("/S", "")) in ACTIVE_ACTIONS:
                return True
            stack.extend(obj[key] for key in keys if key != "/Parent")
        elif isinstance(obj, pikepdf.Array):
            stack.extend(obj)
    return False


def clean_pdf(data: bytes) -> bytes:
    """The PDF written again by qpdf without what it does not need; ValidationError if it is not
    a readable, unencrypted PDF without active content."""
    unreadable = _("This file is not a readable PDF. Scan the document again or upload a JPEG or PNG photo.")
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if not len(pdf.pages):
                raise ValidationError(unreadable)
            if _active(pdf):
                raise ValidationError(
                    _(
                        "This PDF contains scripts, automatic actions or embedded files, which are not accepted."
                        " Upload the scan itself (PDF, JPEG or PNG)."
                    )
                )
            if "/Metadata" in pdf.Root:
                del pdf.Root.Metadata
            if "/Info" in pdf.trailer:
                del pdf.trailer.Info
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True, compress_streams=True)
    except pikepdf.PasswordError:
        raise ValidationError(_("This PDF is protected by a password; upload it without one.")) from None
    except (pikepdf.PdfError, ValueError, RuntimeError, RecursionError):
        raise ValidationError(unreadable) from None
    return out.getvalue()


def store_scan(upload) -> str:
    """Store a scan (PDF, JPEG, PNG or WebP) under a name from its clean bytes; returns its private path."""
    limit = settings.UPLOAD_SCAN_MAX_BYTES
    if upload.size > limit:
        raise too_large(limit)
    if is_pdf(upload):
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise too_large(limit)
        clean = clean_pdf(data)
        name = f"scans/{hashlib.sha256(clean).hexdigest()}.pdf"
        if not private_storage.exists(name):
            private_storage.save(name, ContentFile(clean))
        return name
    from chibo.images import store_image

    return store_image(upload, "scans")
