"""Scanned documents uploaded by hand: type sniffed, size capped, stored privately by hash."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .storage import private_storage


def store_scan(upload) -> str:
    limit = settings.UPLOAD_SCAN_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)})
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        data = upload.read(limit + 1)
        name = f"scans/{hashlib.sha256(data).hexdigest()}.pdf"
        if not private_storage.exists(name):
            private_storage.save(name, ContentFile(data))
        return name
    from chibo.images import store_image

    return store_image(upload, "scans")
