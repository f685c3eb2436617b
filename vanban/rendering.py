"""PDF rendering of official party documents (layout of Hướng dẫn 36-HD/VPTW) from stored snapshots.

For speed this leans on WeasyPrint 70 internals in three places: _LetterHTML (own parser,
no user-agent stylesheet), _PreparedImage (image streams built once) and the `cache`
render option (images handed over already loaded). requirements.txt pins the version and
tests/vanban/test_rendering.py exercises each; re-check them when upgrading.
"""

import collections
import datetime
import hashlib
import io
import logging
import pathlib
import threading
from xml.etree import ElementTree

import cssselect2
import pydyf
import segno
import weasyprint
from django.template.loader import get_template
from PIL import Image, ImageOps
from weasyprint.images import RasterImage
from weasyprint.text import ffi as weasyprint_ffi
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

TEMPLATES: dict[str, str] = {
    "introduction/qd213-v1": "vanban/pdf/introduction_qd213_v1.html",
    "acknowledgement/qd213-v1": "vanban/pdf/acknowledgement_qd213_v1.html",
    "change_notice/qd213-v1": "vanban/pdf/change_notice_qd213_v1.html",
}

STYLESHEET = pathlib.Path(__file__).parent / "templates" / "vanban" / "pdf" / "hd36.css"
DOCUMENT_FONT = "Liberation Serif"  # metric-compatible with Times New Roman, which HD 36 names

# Images are named by this scheme and their path under image_root, never by a file URL:
# they reach WeasyPrint already loaded (see _document), and the PDF does not change when
# the private folder moves.
IMAGE_SCHEME = "vanban-image"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
# Printed boxes in hd36.css (width, height in mm); larger scans are reduced to 300 dpi
# of that box once, which keeps PDFs small and the per-letter image work constant.
IMAGE_BOXES_MM = {"signature": (35, 22), "stamp": (38, 38)}
PRINT_DPI = 300
IMAGE_CACHE_SIZE = 32

# QR mask pattern: segno's automatic choice scores all eight masks in Python (~20 ms a
# code); any mask is valid for readers, and a fixed one keeps the PDF reproducible.
QR_MASK = 2
QR_BORDER = 2  # modules of quiet zone; the page around the code is blank anyway
QR_URL = "vanban-qr:verify"

# The defaults of WeasyPrint 70 spelled out, so that an upgrade changing one cannot
# silently change the bytes of a re-rendered document.
PDF_OPTIONS = {
    "presentational_hints": False,
    "pdf_identifier": False,
    "pdf_variant": None,
    "pdf_version": None,
    "pdf_forms": False,
    "pdf_tags": False,
    "uncompressed_pdf": False,
    "custom_metadata": False,
    "optimize_images": False,
    "jpeg_quality": None,
    "dpi": None,
    "full_fonts": False,
    "hinting": False,
}


def check_text_engine() -> list[str]:
    """Warnings about the text stack that would make PDFs slower or set in the wrong font."""
    warnings = []
    harfbuzz = weasyprint_ffi.harfbuzz
    # The very test WeasyPrint 70 makes in pdf/fonts.py (Font.subset) before falling back.
    if weasyprint_ffi.harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
        warnings.append(
            "HarfBuzz subsetting (libharfbuzz-subset0, HarfBuzz >= 4.1) is missing: WeasyPrint "
            "subsets fonts with fontTools instead, several times slower."
        )
    family = _font_match(DOCUMENT_FONT)
    if family != DOCUMENT_FONT:
        warnings.append(
            f"Font {DOCUMENT_FONT!r} is not installed (fonts-liberation2): documents would be set in "
            f"{family!r}, with other metrics than Times New Roman."
        )
    return warnings


def _font_match(family: str) -> str | None:
    """The family fontconfig gives for a requested family name."""
    fontconfig, ffi = weasyprint_ffi.fontconfig, weasyprint_ffi.ffi
    pattern = ffi.gc(fontconfig.FcPatternCreate(), fontconfig.FcPatternDestroy)
    fontconfig.FcPatternAddString(pattern, b"family", family.encode())
    fontconfig.FcConfigSubstitute(ffi.NULL, pattern, fontconfig.FcMatchPattern)
    fontconfig.FcDefaultSubstitute(pattern)
    match = fontconfig.FcFontMatch(ffi.NULL, pattern, ffi.new("FcResult *"))
    if match == ffi.NULL:
        return None
    match = ffi.gc(match, fontconfig.FcPatternDestroy)
    name = ffi.new("FcChar8 **")
    if fontconfig.FcPatternGetString(match, b"family", 0, name) != fontconfig.FcResultMatch:
        return None
    return ffi.string(ffi.cast("char *", name[0])).decode()


class _Engine(threading.local):
    """The font configuration and parsed stylesheet, built once per thread and then reused.

    Pango font maps are not meant to be shared between threads, so each thread has its own.
    """

    def __init__(self):
        self.font_config = FontConfiguration()
        self.stylesheet = weasyprint.CSS(filename=STYLESHEET, font_config=self.font_config)


_engine = None
_engine_lock = threading.Lock()


def _get_engine() -> _Engine:
    """This thread's engine; the first call in the process also checks the text stack."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                for warning in check_text_engine():
                    logger.warning(warning)
                # WeasyPrint reports each rendering step at INFO: seven log lines per
                # document in a worker whose root logger is at INFO, unless configured.
                progress = logging.getLogger("weasyprint.progress")
                if progress.level == logging.NOTSET:
                    progress.setLevel(logging.WARNING)
                _engine = _Engine()
    return _engine


class _LetterHTML(weasyprint.HTML):
    """An HTML document read from our own well-formed templates and styled by hd36.css alone.

    The templates are XHTML, so the C XML parser reads them in ~0.1 ms where WeasyPrint's
    pure-Python HTML5 parser takes ~5 ms; WeasyPrint's user-agent stylesheet (some 250
    rules matched against every element) is left out, hd36.css sets what the templates use.
    """

    def __init__(self, markup: str):
        try:
            # Our template's markup, every value escaped by Django: no DTD or entity can
            # come from a snapshot, so the standard library parser is safe here.
            root = ElementTree.fromstring(markup)  # noqa: S314
        except ElementTree.ParseError:
            logger.warning("Document markup is not well-formed XHTML, using the HTML parser")
            super().__init__(string=markup, url_fetcher=_fetcher)
            return
        self.base_url = None
        self.url_fetcher = _fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms=False):
        return []

    def _ph_stylesheets(self):
        return []


class _NoFetcher(URLFetcher):
    """Refuses every URL: images reach WeasyPrint already loaded, nothing is read or downloaded."""

    def fetch(self, url, headers=None):
        raise ValueError(f"URL refused: {url[:60]}")


_fetcher = _NoFetcher()


class _PreparedImage(RasterImage):
    """A raster image whose PDF image stream is built once per process, not once per PDF.

    For a PNG with transparency WeasyPrint decodes it, splits off the alpha channel and
    encodes both as new PNG data for every PDF it writes: most of a letter's time.
    """

    def __init__(self, pillow_image, image_id, image_data):
        super().__init__(pillow_image, image_id, image_data, orientation="from-image", options=PDF_OPTIONS)
        self._x_objects = {}

    def get_x_object(self, interpolate, dpi_ratio):
        key = (interpolate, dpi_ratio)
        if key not in self._x_objects:
            self._x_objects[key] = _freeze_stream(super().get_x_object(interpolate, dpi_ratio))
        return _thaw_stream(self._x_objects[key])


def _freeze_stream(stream: pydyf.Stream) -> tuple:
    (chunk,) = stream.stream
    extra = dict(stream.extra)
    mask = extra.pop("SMask", None)
    return bytes(chunk.data), extra, _freeze_stream(mask) if mask is not None else None


def _thaw_stream(frozen: tuple) -> pydyf.Stream:
    # A new Stream each time: writing a PDF numbers it and swaps its mask for a reference.
    data, extra, mask = frozen
    extra = pydyf.Dictionary(extra)
    if mask is not None:
        extra["SMask"] = _thaw_stream(mask)
    return pydyf.Stream([data], extra)


_image_cache: collections.OrderedDict = collections.OrderedDict()
_image_cache_lock = threading.Lock()


def _image_path(image_root, relative: str | None) -> pathlib.Path | None:
    """The file under image_root for a relative path, or None if absent or outside the root."""
    if image_root is None or not relative:
        return None
    relative_path = pathlib.PurePosixPath(relative)
    if relative_path.is_absolute() or ".." in relative_path.parts:
        logger.warning("Image path refused, outside the image folder: %r", relative)
        return None
    root = pathlib.Path(image_root).resolve()
    path = (root / relative_path).resolve()
    # resolve() follows symlinks, so a link pointing out of the folder is refused too.
    if not path.is_relative_to(root) or path.suffix.lower() not in IMAGE_SUFFIXES:
        logger.warning("Image path refused, outside the image folder or not an image: %r", relative)
        return None
    if not path.is_file():
        logger.warning("Image missing, rendering without it: %r", relative)
        return None
    return path


def _prepared_image(path: pathlib.Path, box_mm: tuple[int, int]) -> _PreparedImage | None:
    """The image at path, reduced to print resolution, from a small per-process cache."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, box_mm)
    with _image_cache_lock:
        if key in _image_cache:
            _image_cache.move_to_end(key)
            return _image_cache[key]
    original = data = path.read_bytes()
    try:
        pillow_image = Image.open(io.BytesIO(data))
        pillow_image.load()  # a broken file fails here, not halfway through writing a PDF
        limit = tuple(round(mm / 25.4 * PRINT_DPI) for mm in box_mm)
        if pillow_image.width > limit[0] or pillow_image.height > limit[1]:
            pillow_image.thumbnail(limit, Image.Resampling.LANCZOS)
            data = None  # RasterImage re-encodes the reduced image
        # Named by content, so the PDF depends on the picture only, not on where it is kept.
        image = _PreparedImage(pillow_image, hashlib.sha256(original).hexdigest()[:32], data)
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("Image unreadable, rendering without it: %s", path.name)
        return None
    with _image_cache_lock:
        _image_cache[key] = image
        while len(_image_cache) > IMAGE_CACHE_SIZE:
            _image_cache.popitem(last=False)
    return image


def _w3c_date(issued_at: str | None) -> str | None:
    """The issue time as a W3C date for the PDF's creation and modification dates."""
    if not issued_at:
        return None
    moment = datetime.datetime.fromisoformat(issued_at)
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


def _qr_image(url: str) -> RasterImage:
    """The QR code of url as a small grey PNG, four pixels a module."""
    qr = segno.make(url, error="m", micro=False, mask=QR_MASK)
    # Drawn with Pillow rather than segno's writers: an SVG path costs WeasyPrint ~10 ms
    # to parse and paint, segno's pure-Python PNG writer ~2 ms. Four pixels a module as
    # viewers smooth enlarged images even when asked not to, and a 200 dpi scan of a
    # code drawn one pixel a module no longer reads.
    # segno's matrix holds 1 for a dark module and 0 for a light one.
    modules = Image.frombytes("L", (len(qr.matrix),) * 2, b"".join(qr.matrix)).point(lambda dark: 0 if dark else 255)
    modules = ImageOps.expand(modules, border=QR_BORDER, fill=255)
    picture = modules.resize((modules.width * 4,) * 2, Image.Resampling.NEAREST)
    png = io.BytesIO()
    picture.save(png, format="PNG", compress_level=1)
    return RasterImage(
        Image.open(png), hashlib.sha256(url.encode()).hexdigest()[:32], png.getvalue(), options=PDF_OPTIONS
    )


def _html_and_images(snapshot: dict, image_root) -> tuple[str, dict]:
    try:
        template_name = TEMPLATES[snapshot["template"]]
    except KeyError:
        raise ValueError(f"Unknown document template: {snapshot.get('template')!r}") from None
    signer = snapshot.get("signer") or {}
    images = {}
    sources = {}
    for name, relative in (("signature", signer.get("signature_image")), ("stamp", signer.get("stamp_image"))):
        path = _image_path(image_root, relative)
        image = _prepared_image(path, IMAGE_BOXES_MM[name]) if path else None
        if image is not None:
            sources[name] = f"{IMAGE_SCHEME}:{relative}"
            images[sources[name]] = image
    verify_url = snapshot.get("verify_url")
    if verify_url:
        images[QR_URL] = _qr_image(verify_url)
    context = {
        "doc": snapshot,
        "issued_at": _w3c_date(snapshot.get("issued_at")),
        "signature_src": sources.get("signature"),
        "stamp_src": sources.get("stamp"),
        "qr_src": QR_URL if verify_url else None,
    }
    return get_template(template_name).render(context), images


def _html(snapshot: dict, image_root=None) -> str:
    """The HTML the PDF is made from (for inspection and the benchmark)."""
    return _html_and_images(snapshot, image_root)[0]


def _document(snapshot: dict, image_root):
    engine = _get_engine()
    html, images = _html_and_images(snapshot, image_root)
    # WeasyPrint looks images up in this cache by URL before fetching: all of ours are
    # there, and the fetcher refuses anything else.
    return _LetterHTML(html).render(
        font_config=engine.font_config, stylesheets=[engine.stylesheet], cache=images, **PDF_OPTIONS
    )


def render_pdf(snapshot: dict, *, image_root: pathlib.Path | str | None = None) -> bytes:
    """The PDF of one document snapshot; the same snapshot and images give the same bytes."""
    return _document(snapshot, image_root).write_pdf(**PDF_OPTIONS)


def render_many(snapshots: list[dict], *, image_root=None) -> bytes:
    """One PDF for printing: the documents one after another, each from a new page."""
    if not snapshots:
        raise ValueError("render_many needs at least one snapshot")
    documents = [_document(snapshot, image_root) for snapshot in snapshots]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(**PDF_OPTIONS)
