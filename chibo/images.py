"""Stamp and signature images: checked, re-encoded, stored privately under their content hash."""

import hashlib
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 4000 * 4000


def store_image(upload, folder: str) -> str:
    """Validate an uploaded image and store a clean PNG copy; returns its private path."""
    from vanban.storage import private_storage

    limit = settings.UPLOAD_IMAGE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The image is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)})
    data = upload.read(limit + 1)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in {"PNG", "JPEG", "WEBP"}:
                raise ValidationError(_("Upload a PNG, JPEG or WebP image."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels (at most 4000 × 4000)."))
            probe.verify()
        # verify() leaves the image unusable: open again to re-encode (drops metadata and any payload).
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            clean = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError(_("This file is not a readable image.")) from exc
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    name = f"{folder}/{hashlib.sha256(png).hexdigest()}.png"
    if not private_storage.exists(name):
        private_storage.save(name, ContentFile(png))
    return name
