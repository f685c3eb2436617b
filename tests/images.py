"""Real PNG uploads for stamp and signature tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from chibo.sample_images import signature_png, stamp_png


def png_upload(name="anh.png", size=(300, 300), color=(200, 20, 20, 255)):
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse([5, 5, size[0] - 5, size[1] - 5], outline=color, width=8)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def configure_signing(org, actor=None, name="Trần Văn Bình", title="secretary"):
    """Give an organisation a stamp and a signatory with a signature, through the services."""
    from chibo.services import organization_stamp_set, signatory_save

    organization_stamp_set(actor=actor, org=org, upload=SimpleUploadedFile("dau.png", stamp_png(org.pk)))
    return signatory_save(
        actor=actor,
        org=org,
        full_name=name,
        title=title,
        signature=SimpleUploadedFile("chuky.png", signature_png(org.pk)),
    )


def scanned_pdf(pages=1) -> bytes:
    """A real (blank) PDF, as a scanner would send: uploads open PDFs with qpdf, so b"%PDF-" alone is refused."""
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
