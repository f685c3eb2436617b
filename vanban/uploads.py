"""Scanned documents uploaded by hand: type sniffed, size capped, stored privately by hash."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .storage import private_storage


def is_pdf(upload) -> bool:
    """Whether an uploaded file starts like a PDF (the file is left at its start)."""
    head = upload.read(5)
    upload.seek(0)
    return head == b"%PDF-"


def store_scan(upload) -> str:
    limit = settings.UPLOAD_SCAN_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)})
    if is_pdf(upload):
        data = upload.read(limit + 1)
        name = f"scans/{hashlib.sha256(data).hexdigest()}.pdf"
        if not private_storage.exists(name):
            private_storage.save(name, ContentFile(data))
        return name
    from chibo.images import store_image

    return store_image(upload, "scans")
