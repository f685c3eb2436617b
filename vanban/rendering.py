"""PDF rendering of official party documents (layout of Hướng dẫn 36-HD/VPTW) from stored snapshots.

For speed this leans on WeasyPrint 70 internals; requirements.txt pins the version and
tests/vanban/test_rendering.py exercises each (byte-identical output with and without
the caches). Re-check all of them when upgrading:
- _LetterHTML: own XHTML parser, no user-agent stylesheet.
- _PreparedImage (image streams built once) and the `cache` render option (images handed
  over already loaded); _QRImage sets the attributes RasterImage.__init__ sets (id, mode,
  width, height, ratio, _dpi…) without calling it, and makes its own get_x_object stream.
- _LetterDocument/_SharedStyleFor: Document._build_layout_context and StyleFor.__init__
  re-written so that computed styles (keyed by parent style and matched rules, never
  content) are kept per thread instead of per document, and for a stylesheet of simple
  selectors also found by element chain (tag, class, id of the element and ancestors).
- _LetterDocument._render: Document._render with build_formatting_structure skipping
  the table/flex/grid passes for trees without such boxes (_build_boxes), each box
  answering Box.page_values itself when all boxes have the same 'page' value, and
  get_html_metadata reading the elements ElementTree finds (_MetadataSource).
- _draw_first_line replaces weasyprint.draw.text.draw_first_line (looked up by
  draw_text when called) for our documents' plain lines: it relies on the
  PangoGlyphInfo layout (five 32-bit fields) and writes the operators WeasyPrint does.
- _layout_setup replaces weasyprint.text.line_break.Layout.setup and
  _layout_box_backgrounds weasyprint.layout.background.layout_box_backgrounds (looked up
  by its own recursion and layout_backgrounds), both for styles whose font_config is a
  _LetterFontConfiguration: the Pango context, language, font description, metrics and
  features of a style, and the absence of any background, made once per style (kept
  by weak reference to the style, see _StyleCache).
- render_pdf and render_many pause Python's cyclic garbage collector while a document is
  made (_gc_paused: counted across threads, resumed only if it was running).
- _qr_modules: segno 1.6.6's encoder functions up to the final message (segments,
  version, error boost, bit stream) and for the code's fixed parts (_QRLayout); the
  Reed-Solomon step and the module placement are its own, checked against segno.make.
- _resolve_percentages replaces weasyprint.layout.percent.resolve_percentages where
  the layout modules imported it, for every document (same values, calls inlined).
- _add_font replaces weasyprint.pdf.stream.Stream.add_font for our documents: Font
  objects are copied from one per thread and (Pango key, size), with empty widths,
  to_unicode and missing tables; it relies on Font.__init__ depending on those alone.
- _fixed_block_layout replaces weasyprint.layout.block.block_container_layout (module
  global, also looked up by inline.py) and _fixed_draw_text replaces
  weasyprint.draw.draw_text: for blocks marked data-fixed in the templates (wording that
  is the same in every letter of an issuer and signer, never member data), the laid-out
  boxes are reused, moved to their new place (Box.deepcopy/translate), and their lines
  painted from the text operators noted when first drawn (draw.text.draw_first_line, the
  Font.to_unicode/widths entries it sets). Other WeasyPrint documents in the process have
  no fixed_blocks on their LayoutContext and go through the originals unchanged.
- _build_fonts_dictionary replaces weasyprint.pdf.build_fonts_dictionary (looked up by
  generate_pdf) and acts only on documents whose Document.fonts is a _LetterFonts: it
  relies on that function cleaning (Font.clean) the first Font of each Font.hash and
  embedding its file_content as the single chunk of a pydyf.Stream that pydyf compresses
  when writing (zlib level 9), and on Font.subset (HarfBuzz, retained glyph ids) and the
  Font attributes it reads (file_content, index, tables, bitmap/png/svg/colr, missing,
  used_in_forms, to_unicode).
"""

import array
import collections
import contextlib
import copy
import datetime
import functools
import gc
import hashlib
import importlib
import io
import itertools
import logging
import math
import pathlib
import re
import threading
import weakref
import zlib
from xml.etree import ElementTree

import cssselect2
import cssselect2.parser
import pydyf
import tinycss2
import weasyprint
from django.template.loader import get_template
from fontTools.ttLib import TTFont
from PIL import Image, ImageOps
from segno import consts as segno_consts
from segno import encoder as segno_encoder
from weasyprint import css as weasyprint_css
from weasyprint import draw as weasyprint_draw
from weasyprint import pdf as weasyprint_pdf
from weasyprint.css.counters import CounterStyle
from weasyprint.css.functions import check_math as weasyprint_check_math
from weasyprint.css.targets import TargetCollector
from weasyprint.document import Document, Page
from weasyprint.draw.color import get_color as weasyprint_get_color
from weasyprint.formatting_structure import boxes as weasyprint_boxes
from weasyprint.formatting_structure import build as weasyprint_build
from weasyprint.html import get_html_metadata
from weasyprint.images import RasterImage
from weasyprint.images import get_image_from_uri as weasyprint_get_image_from_uri
from weasyprint.layout import LayoutContext, layout_document
from weasyprint.layout import background as weasyprint_background
from weasyprint.layout import block as weasyprint_block
from weasyprint.layout import percent as weasyprint_percent
from weasyprint.matrix import Matrix
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.pdf import stream as weasyprint_stream
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text import constants as weasyprint_text_constants
from weasyprint.text import ffi as weasyprint_ffi
from weasyprint.text import fonts as weasyprint_text_fonts
from weasyprint.text import line_break as weasyprint_line_break
from weasyprint.text.fonts import FontConfiguration
from weasyprint.text.fonts import get_pango_font_key as weasyprint_get_pango_font_key
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

# The version whose internals the speed-ups below replace (requirements.txt pins it).
WEASYPRINT_VERSION = "70.0"

TEMPLATES: dict[str, str] = {
    "introduction/qd213-v1": "vanban/pdf/introduction_qd213_v1.html",
    "acknowledgement/qd213-v1": "vanban/pdf/acknowledgement_qd213_v1.html",
    "change_notice/qd213-v1": "vanban/pdf/change_notice_qd213_v1.html",
    "invitation/qd213-v1": "vanban/pdf/invitation_qd213_v1.html",
    "absence_notice/qd213-v1": "vanban/pdf/absence_notice_qd213_v1.html",
    "evaluation/qd213-v1": "vanban/pdf/evaluation_qd213_v1.html",
    "report/qd213-v1": "vanban/pdf/report_qd213_v1.html",
    # The wording of these is the regulation pack's, stamped in the snapshot (doc.wording).
    "introduction/v2": "vanban/pdf/introduction_v2.html",
    "acknowledgement/v2": "vanban/pdf/acknowledgement_v2.html",
    "change_notice/v2": "vanban/pdf/change_notice_v2.html",
    "invitation/v2": "vanban/pdf/invitation_v2.html",
    "absence_notice/v2": "vanban/pdf/absence_notice_v2.html",
    "evaluation/v2": "vanban/pdf/evaluation_v2.html",
    "report/v2": "vanban/pdf/report_v2.html",
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
    if weasyprint.__version__ != WEASYPRINT_VERSION:
        warnings.append(
            f"WeasyPrint {weasyprint.__version__} is installed; this renderer relies on internals of "
            f"WeasyPrint {WEASYPRINT_VERSION} (see vanban/rendering.py) and must be re-checked before use."
        )
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
        self.font_config = _LetterFontConfiguration()
        self.stylesheet = weasyprint.CSS(filename=STYLESHEET, font_config=self.font_config)
        # Computed styles shared by all documents of this thread, see _SharedStyleFor.
        self.computed_styles = {}
        self.styles_by_chain = _simple_selectors(STYLESHEET.read_text())
        # Laid-out fixed blocks of this thread, see _fixed_block_layout.
        self.fixed_blocks = collections.OrderedDict()
        # PDF Font objects by Pango font key and size, see _add_font.
        self.fonts = {}


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
        except ElementTree.ParseError as exc:
            # A template mistake: falling back to the HTML parser would lay the document out
            # with other styles and bytes, so it fails here, in the template's own test.
            raise ValueError(f"Document template is not well-formed XHTML: {exc}") from exc
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in {"style", "link"} or "style" in element.attrib:
                # The shared styles ignore these: hd36.css is the one stylesheet.
                raise ValueError(f"Document templates are styled by hd36.css alone, not by <{tag} style>")
        self.base_url = None
        self.url_fetcher = _fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms=False):
        return []

    def _ph_stylesheets(self):
        return []

    def render_with(self, engine, images):
        """The laid-out document, with the engine's stylesheet, fonts and computed styles."""
        options = {**weasyprint.DEFAULT_OPTIONS, **PDF_OPTIONS}
        options.update(
            stylesheets=[engine.stylesheet], cache=images, computed_styles=engine.computed_styles,
            styles_by_chain=engine.styles_by_chain,
            fixed_blocks=engine.fixed_blocks,
        )  # fmt: skip
        return _LetterDocument._render(self, engine.font_config, None, None, options)


_chain_ids = itertools.count()
_SIMPLE_SELECTOR_TYPES = (
    cssselect2.parser.LocalNameSelector,
    cssselect2.parser.ClassSelector,
    cssselect2.parser.IDSelector,
)


def _simple_selectors(css: str) -> bool:
    """Whether every style rule's selectors are tags, classes and ids joined by descendant or child combinators.

    For such a stylesheet the rules an element matches depend on its own and its
    ancestors' tag, class and id alone: not on siblings, attributes, position or content.
    @page rules are matched by page type, not here; any other at-rule (@media…) says no.
    """
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "page":
            continue
        if rule.type != "qualified-rule":
            return False
        try:
            selectors = cssselect2.parser.parse(rule.prelude)
        except cssselect2.parser.SelectorError:
            return False
        for selector in selectors:
            if selector.pseudo_element is not None:
                return False
            stack = [selector.parsed_tree]
            while stack:
                part = stack.pop()
                if isinstance(part, cssselect2.parser.CombinedSelector):
                    if part.combinator not in (" ", ">"):
                        return False
                    stack += [part.left, part.right]
                elif isinstance(part, cssselect2.parser.CompoundSelector):
                    stack += part.simple_selectors
                elif not isinstance(part, _SIMPLE_SELECTOR_TYPES):
                    return False
    return True


class _SharedStyleFor(weasyprint_css.StyleFor):
    """WeasyPrint 70's StyleFor, with its table of computed styles kept from one document to the next.

    WeasyPrint already gives elements with the same parent style and the same matched
    rules one shared ComputedStyle object within a document; here that table lives in the
    engine, so the second letter gets the styles the first one computed (lazily, property
    by property, some 3,000 look-ups a letter). The key holds no content: a computed style
    depends on the matched rules and the parent style only, as hd36.css uses no attr(),
    counters, string-set or viewport units. The matched rules are still found per element.
    This is StyleFor.__init__ of WeasyPrint 70 without style attributes, presentational
    hints and pseudo-elements, which our documents do not have (_LetterHTML checks).

    When every selector of the stylesheet is made of type, class and ID selectors joined
    by descendant or child combinators (_simple_selectors), the rules an element matches
    follow from its tag, class and id and those of its ancestors: its style is then also
    kept under that chain (in the same table), and a document whose every element's chain
    is known gets its styles without matching a rule (~0.7 ms a letter).
    """

    def __init__(self, html, sheets, font_config, target_collector, computed_cache, by_chain):
        self._cascaded_styles = {}
        self._computed_styles = {}
        self.initial_page_sizes = {"box": None, "area": None}
        self._sheets = sheets
        self.font_config = font_config
        if not (by_chain and self._styles_by_chain(html.etree_element, computed_cache)):
            self._match(html, sheets, target_collector, computed_cache, by_chain)

    def _styles_by_chain(self, root, computed_cache) -> bool:
        computed_styles = self._computed_styles
        stack = [(root, None)]
        while stack:
            element, parent_chain = stack.pop()
            found = computed_cache.get(("chain", parent_chain, element.tag, element.get("class"), element.get("id")))
            if found is None:
                computed_styles.clear()
                return False
            chain, computed_styles[element, None] = found
            stack.extend((child, chain) for child in element if isinstance(child.tag, str))
        return True

    def _match(self, html, sheets, target_collector, computed_cache, by_chain):
        cascaded_styles, computed_styles = self._cascaded_styles, self._computed_styles
        chains = {}
        for element in html.wrapper_element.iter_subtree():
            etree_element = element.etree_element
            parent = element.parent.etree_element if element.parent else None
            parent_id = id(computed_styles[parent, None]) if element.parent else None
            selectors_keys = []
            for sheet, origin, sheet_specificity in sheets:
                for selector in sheet.matcher.match(element):
                    specificity, order, pseudo_type, (declarations, layer) = selector
                    if pseudo_type is not None:
                        raise ValueError("_SharedStyleFor does not handle pseudo-elements")
                    layer_order = math.inf if layer is None else sheet.layers.index(layer)
                    selectors_keys.append((sheet, specificity, id(declarations), layer_order))
                    specificity = sheet_specificity or specificity
                    style = cascaded_styles.setdefault((etree_element, None), {})
                    for name, values, importance in declarations:
                        precedence = weasyprint_css.declaration_precedence(origin, importance)
                        weight = (precedence, layer_order, specificity)
                        old_weight = style.get(name, (None, None))[1]
                        if old_weight is None or old_weight <= weight:
                            style[name] = values, weight
            key = (parent_id, None, tuple(selectors_keys))
            if key in computed_cache:
                computed_styles[etree_element, None] = computed_cache[key]
            else:
                self.set_computed_styles(
                    etree_element,
                    root=html.etree_element,
                    parent=parent,
                    base_url=None,
                    target_collector=target_collector,
                )
                computed_cache[key] = computed_styles[etree_element, None]
            if by_chain:
                chain_key = ("chain", chains.get(parent), etree_element.tag, etree_element.get("class"),
                             etree_element.get("id"))  # fmt: skip
                if chain_key not in computed_cache:
                    computed_cache[chain_key] = (next(_chain_ids), computed_styles[etree_element, None])
                chains[etree_element] = computed_cache[chain_key][0]
        self._cascaded_styles.clear()


class _LetterDocument(Document):
    """A Document whose styles come from _SharedStyleFor and whose fonts are embedded by _build_fonts_dictionary."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fonts = _LetterFonts()  # Document.copy (render_many) makes a _LetterDocument too

    @classmethod
    def _build_layout_context(cls, html, font_config, counter_style, color_profiles, options):
        # Document._build_layout_context of WeasyPrint 70 for our case: stylesheets
        # already parsed, no author stylesheets in the markup, a dict as image cache.
        target_collector = TargetCollector()
        sheets = [(css, "user", None) for css in options["stylesheets"]]
        style_for = _SharedStyleFor(
            html, sheets, font_config, target_collector, options["computed_styles"], options["styles_by_chain"]
        )
        get_image_from_uri = functools.partial(
            weasyprint_get_image_from_uri, cache=options["cache"], url_fetcher=html.url_fetcher, options=options
        )
        context = LayoutContext(style_for, get_image_from_uri, font_config, counter_style, target_collector)
        context.fixed_blocks = options["fixed_blocks"]
        return context

    @classmethod
    def _render(cls, html, font_config, counter_style, color_profiles, options):
        # Document._render of WeasyPrint 70 for our case (font configuration given, no PDF
        # variant), with the box tree and the metadata made as below.
        context = cls._build_layout_context(html, font_config, CounterStyle(), {}, options)
        root_box = _build_boxes(html, context)
        page_boxes = layout_document(html, root_box, context)
        rendering = cls(
            [Page(page_box) for page_box in page_boxes],
            DocumentMetadata(**get_html_metadata(_MetadataSource(html))),
            html.url_fetcher, font_config, {}, options["output_intent"],
        )  # fmt: skip
        rendering._html = html
        return rendering


# Box types our templates make (hd36.css displays blocks, inline-blocks and images);
# a tree of these alone is left as it is by the table, flex and grid fix-ups.
_PLAIN_BOX_TYPES = frozenset(
    {
        weasyprint_boxes.BlockBox,
        weasyprint_boxes.InlineBlockBox,
        weasyprint_boxes.InlineBox,
        weasyprint_boxes.TextBox,
        weasyprint_boxes.BlockReplacedBox,
        weasyprint_boxes.InlineReplacedBox,
    }
)


def _build_boxes(html, context):
    """build_formatting_structure of WeasyPrint 70, skipping three whole-tree passes that change nothing here.

    anonymous_table_boxes, flex_boxes and grid_boxes only act on table, flex and grid
    boxes (elsewhere they put each box's children back as they were): when the tree
    holds none, the document goes straight to the inline and block fix-ups.
    """
    element_tree = html.etree_element
    box_list = weasyprint_build.element_to_box(
        element_tree, context.style_for, context.get_image_from_uri, html.base_url,
        context.target_collector, context.counter_style, context.footnotes,
    )  # fmt: skip
    if len(box_list) != 1 or any(type(box) not in _PLAIN_BOX_TYPES for box in box_list[0].descendants()):
        return weasyprint_build.build_formatting_structure(
            element_tree, context.style_for, context.get_image_from_uri, html.base_url,
            context.target_collector, context.counter_style, context.footnotes,
        )  # fmt: skip
    (box,) = box_list
    context.target_collector.check_pending_targets()
    box.process_whitespace()
    box.process_text_transform()
    box.is_for_root_element = True
    box = weasyprint_build.inline_in_block(box)
    box = weasyprint_build.block_in_inline(box)
    box = weasyprint_build.set_viewport_overflow(box)
    # Named pages: Box.page_values walks a box's in-flow children, recursively, and
    # layout asks it of every block's children (~250 walks a letter). When all boxes
    # have the same computed 'page' (hd36.css sets none), every box answers that value
    # twice; the answer is set on each box (copies made during layout keep it, boxes
    # made then still ask their children).
    descendants = list(box.descendants(placeholders=True))
    pages = {descendant.style["page"] for descendant in descendants}
    if len(pages) == 1:
        page_values = _same_page_values(pages.pop())
        for descendant in descendants:
            descendant.page_values = page_values
    return box


@functools.cache
def _same_page_values(page):
    def page_values():
        return page, page

    return page_values


class _MetadataSource:
    """What get_html_metadata reads of an HTML object, its <title>, <meta> and <link> found by ElementTree.

    WeasyPrint finds them with a cssselect2 query over the whole tree (~0.3 ms a letter);
    this yields the same elements in the same document order.
    """

    def __init__(self, html):
        self.etree_element = html.etree_element
        self.base_url = html.base_url
        self.url_fetcher = html.url_fetcher
        self.wrapper_element = self

    def query_all(self, *names):
        for element in self.etree_element.iter():
            if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] in names:
                yield _Wrapped(element)


_Wrapped = collections.namedtuple("_Wrapped", "etree_element")


# resolve_percentages runs for every box laid out (~150 a letter): a dozen calls of
# resolve_one_percentage and percentage each, the most called Python of the layout.
# _resolve_percentages is the same function of WeasyPrint 70 with those calls inlined
# for lengths in px and % (anything else goes through WeasyPrint's percentage), for all
# documents: it computes the same values in the same order.
_weasyprint_resolve_percentages = getattr(
    weasyprint_percent.resolve_percentages, "__wrapped__", weasyprint_percent.resolve_percentages
)
_RESOLVE_MODULES = ("block", "inline", "page", "float", "absolute", "column", "grid", "table", "percent")


def _used_length(value, style, refer_to):
    if value is None or value == "auto":
        return value
    unit = getattr(value, "unit", None)
    if unit == "px":
        return value.value
    if unit == "%":
        return refer_to * value.value / 100
    return weasyprint_percent.percentage(value, style, refer_to)


def _resolve_percentages(box, containing_block):
    """resolve_percentages of WeasyPrint 70 (layout/percent.py), inlined."""
    if isinstance(containing_block, weasyprint_boxes.Box):
        cb_width = containing_block.width
        cb_height = containing_block.height
    else:
        cb_width, cb_height = containing_block
    maybe_height = cb_height if isinstance(box, weasyprint_boxes.PageBox) else cb_width
    style = box.style
    box.margin_left = _used_length(style["margin_left"], style, cb_width)
    box.margin_right = _used_length(style["margin_right"], style, cb_width)
    box.margin_top = _used_length(style["margin_top"], style, maybe_height)
    box.margin_bottom = _used_length(style["margin_bottom"], style, maybe_height)
    box.padding_left = _used_length(style["padding_left"], style, cb_width)
    box.padding_right = _used_length(style["padding_right"], style, cb_width)
    box.padding_top = _used_length(style["padding_top"], style, maybe_height)
    box.padding_bottom = _used_length(style["padding_bottom"], style, maybe_height)
    box.width = _used_length(style["width"], style, cb_width)
    min_width = _used_length(style["min_width"], style, cb_width)
    box.min_width = 0 if min_width == "auto" else min_width
    box.max_width = _used_length(style["max_width"], style, cb_width)
    if cb_height == "auto":
        height = style["height"]
        if height == "auto" or weasyprint_check_math(height) or height.unit == "%":
            box.height = "auto"
        else:
            assert height.unit.lower() == "px"  # noqa: S101 (as WeasyPrint)
            box.height = height.value
        min_height = _used_length(style["min_height"], style, 0)
        box.min_height = 0 if min_height == "auto" else min_height
        box.max_height = _used_length(style["max_height"], style, math.inf)
    else:
        box.height = _used_length(style["height"], style, cb_height)
        min_height = _used_length(style["min_height"], style, cb_height)
        box.min_height = 0 if min_height == "auto" else min_height
        box.max_height = _used_length(style["max_height"], style, cb_height)
    collapse = style["border_collapse"] == "collapse"
    for prop in ("border_top_width", "border_right_width", "border_bottom_width", "border_left_width"):
        if not (collapse and hasattr(box, prop)):
            setattr(box, prop, style[prop])
    if style["box_sizing"] != "content-box":
        weasyprint_percent.adjust_box_sizing(box, "width")
        weasyprint_percent.adjust_box_sizing(box, "height")


_resolve_percentages.__wrapped__ = _weasyprint_resolve_percentages
for _name in _RESOLVE_MODULES:
    _module = importlib.import_module(f"weasyprint.layout.{_name}")
    if getattr(_module, "resolve_percentages", None) is not None:
        _module.resolve_percentages = _resolve_percentages


# Per-style work repeated for every box or line of our documents, whose computed styles
# are shared by all the thread's documents (_SharedStyleFor): what depends on the style
# alone is worked out once per style object and kept with the engine's font
# configuration; other documents go through WeasyPrint unchanged.


class _StyleCache(dict):
    """Values by style object. Entries go when their style is freed: most styles are
    shared by every document, those of pages and margin boxes are made per document."""

    def lookup(self, style):
        entry = self.get(id(style))
        if entry is not None and entry[0]() is style:
            return entry[1]
        return None

    def keep(self, style, value):
        key = id(style)
        self[key] = (weakref.ref(style, functools.partial(self._drop, key)), value)
        return value

    def _drop(self, key, reference):
        entry = self.get(key)
        if entry is not None and entry[0] is reference:
            del self[key]


class _LetterFontConfiguration(FontConfiguration):
    """The engine's font configuration: every style of our documents points to it, with these per-style caches."""

    def __init__(self):
        super().__init__()
        # Pango set-up (_layout_setup) and absent backgrounds (_layout_box_backgrounds).
        self.text_setups = _StyleCache()
        self.plain_backgrounds = _StyleCache()


def _engine_style_cache(style, name):
    """The cache `name` if style belongs to one of our documents, else None."""
    return getattr(style.font_config, name, None)


# Layout.setup (text/line_break.py) runs for every text layout, twice a line: a new
# Pango context, language, font description and features each time. _layout_setup
# makes those once per style: the layouts of a style share its Pango context (Pango
# layouts only read their context), each still gets its own PangoLayout and, as in
# WeasyPrint, its own attribute list.
_Layout = weasyprint_line_break.Layout
_weasyprint_layout_setup = getattr(_Layout.setup, "__wrapped__", _Layout.setup)


class _TextSetup:
    __slots__ = ("context", "language", "description", "metrics", "features")

    def __init__(self, style):
        pango, ffi = weasyprint_ffi.pango, weasyprint_ffi.ffi
        self.context = ffi.gc(
            pango.pango_font_map_create_context(style.font_config.font_map), weasyprint_ffi.gobject.g_object_unref
        )
        pango.pango_context_set_round_glyph_positions(self.context, False)
        pango.pango_context_set_base_dir(self.context, weasyprint_text_constants.PANGO_DIRECTION[style["direction"]])
        if style["font_language_override"] != "normal":
            lang_p, lang = weasyprint_ffi.unicode_to_char_p(
                weasyprint_text_constants.LST_TO_ISO.get(
                    style["font_language_override"].lower(), style["font_language_override"]
                )
            )
        elif style["lang"]:
            lang_p, lang = weasyprint_ffi.unicode_to_char_p(style["lang"])
        else:
            lang = None
            self.language = pango.pango_language_get_default()
        if lang:
            self.language = pango.pango_language_from_string(lang_p)
            pango.pango_context_set_language(self.context, self.language)
        self.description = weasyprint_text_fonts.get_font_description(style)
        self.metrics = None
        if style["text_decoration_line"] != "none":
            metrics = ffi.gc(
                pango.pango_context_get_metrics(self.context, self.description, self.language),
                pango.pango_font_metrics_unref,
            )
            from_units = weasyprint_ffi.FROM_UNITS
            self.metrics = (
                from_units * pango.pango_font_metrics_get_ascent(metrics),
                from_units * pango.pango_font_metrics_get_underline_position(metrics),
                from_units * pango.pango_font_metrics_get_strikethrough_position(metrics),
                from_units * pango.pango_font_metrics_get_underline_thickness(metrics),
                from_units * pango.pango_font_metrics_get_strikethrough_thickness(metrics),
            )
        features = weasyprint_text_fonts.font_features(
            style["font_kerning"], style["font_variant_ligatures"], style["font_variant_position"],
            style["font_variant_caps"], style["font_variant_numeric"], style["font_variant_alternates"],
            style["font_variant_east_asian"], style["font_feature_settings"],
        )  # fmt: skip
        self.features = None
        if features:
            features = ",".join(f"{key} {value}" for key, value in features.items()).encode()
            self.features = style.font_config.font_features.setdefault(
                features, pango.pango_attr_font_features_new(features)
            )


def _layout_setup(self, style):
    """Layout.setup of WeasyPrint 70, with what depends on the style alone made once per style."""
    cache = _engine_style_cache(style, "text_setups")
    if cache is None:
        return _weasyprint_layout_setup(self, style)
    setup = cache.lookup(style)
    if setup is None:
        setup = cache.keep(style, _TextSetup(style))
    pango, ffi = weasyprint_ffi.pango, weasyprint_ffi.ffi
    self.style = style
    self.first_line_direction = 0
    self.language = setup.language
    self.layout = ffi.gc(pango.pango_layout_new(setup.context), weasyprint_ffi.gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(self.layout, False)
    pango.pango_layout_set_font_description(self.layout, setup.description)
    if setup.metrics is None:
        self.ascent = self.underline_position = self.strikethrough_position = None
    else:
        (self.ascent, self.underline_position, self.strikethrough_position, self.underline_thickness,
         self.strikethrough_thickness) = setup.metrics  # fmt: skip
    if setup.features is not None:
        attr_list = pango.pango_attr_list_new()
        pango.pango_attr_list_insert(attr_list, setup.features)
        pango.pango_layout_set_attributes(self.layout, attr_list)


_layout_setup.__wrapped__ = _weasyprint_layout_setup
_Layout.setup = _layout_setup


# layout_box_backgrounds (layout/background.py) visits every box of a page, resolving
# its border radii and background layers. For a box of ours whose style has no
# background, border image, mask, shadow or rounded corner, the result is known from
# the style: square corners and no background; other boxes and documents go through it.
_weasyprint_layout_box_backgrounds = getattr(
    weasyprint_background.layout_box_backgrounds, "__wrapped__", weasyprint_background.layout_box_backgrounds
)
_CORNERS = ("border_top_left_radius", "border_top_right_radius", "border_bottom_right_radius",
            "border_bottom_left_radius")  # fmt: skip


def _no_background(style) -> bool:
    if style["border_image_source"][0] != "none" or style["mask_border_source"][0] != "none":
        return False
    if not all((0, "px") in style[corner] for corner in _CORNERS):
        return False
    if style["visibility"] == "hidden":
        return True
    if any(type_ == "url" or value for type_, value in style["background_image"]):
        return False
    return weasyprint_get_color(style, "background_color").alpha == 0 and not style["box_shadow"]


def _layout_box_backgrounds(page, box, get_image_from_uri, layout_children=True, style=None):
    """layout_box_backgrounds of WeasyPrint 70, answering from the style for plain boxes of ours."""
    cache = _engine_style_cache(box.style, "plain_backgrounds") if style is None and box is not page else None
    if cache is None:
        return _weasyprint_layout_box_backgrounds(page, box, get_image_from_uri, layout_children, style)
    plain = cache.lookup(box.style)
    if plain is None:
        plain = cache.keep(box.style, _no_background(box.style))
    if not plain:
        return _weasyprint_layout_box_backgrounds(page, box, get_image_from_uri, layout_children, style)
    box.border_top_left_radius = box.border_top_right_radius = (0, 0)
    box.border_bottom_right_radius = box.border_bottom_left_radius = (0, 0)
    if layout_children:
        for child in box.all_children():
            _layout_box_backgrounds(page, child, get_image_from_uri)
    box.background = None


_layout_box_backgrounds.__wrapped__ = _weasyprint_layout_box_backgrounds
weasyprint_background.layout_box_backgrounds = _layout_box_backgrounds


# Blocks marked data-fixed in the templates hold wording that is the same in every letter
# of one template, issuer and signer (the party's name, the regulation paragraph, the
# recipients…): never a member's data, a number or a date. Their layout (line breaks,
# justification, each glyph run's Pango layout) is kept per thread, keyed by the block's
# boxes (type, shared computed style, text) and everything the layout depends on besides;
# the next letter gets a copy moved to where the block now starts. So it is the text of
# the block, not the snapshot, that is looked up; a letter with other data still lays
# out all of its own lines.
FIXED_ATTRIBUTE = "data-fixed"
FIXED_BLOCK_CACHE_SIZE = 256
_FIXED_BOX_TYPES = (
    weasyprint_boxes.BlockBox,
    weasyprint_boxes.InlineBlockBox,
    weasyprint_boxes.LineBox,
    weasyprint_boxes.InlineBox,
    weasyprint_boxes.TextBox,
)
# getattr __wrapped__: a reload of this module wraps WeasyPrint's function, not our own.
_weasyprint_block_container_layout = getattr(
    weasyprint_block.block_container_layout, "__wrapped__", weasyprint_block.block_container_layout
)


def _fixed_block_key(box, adjoining_margins):
    """What the layout of a fixed block depends on, or None if it holds anything but text."""
    signature = []
    for descendant in box.descendants(placeholders=True):
        if type(descendant) not in _FIXED_BOX_TYPES or not descendant.is_in_normal_flow():
            return None
        signature.append((type(descendant), id(descendant.style), getattr(descendant, "text", None)))
    sides = ("top", "right", "bottom", "left")
    return (
        tuple(signature),
        box.width,
        box.height,
        tuple(getattr(box, f"margin_{side}") for side in sides),
        tuple(adjoining_margins or ()),
    )


def _fixed_block_layout(context, box, bottom_space, skip_stack, page_is_empty, absolute_boxes, fixed_boxes,
                        adjoining_margins, first_letter_style, first_line_style, discard, max_lines):  # fmt: skip
    """block_container_layout of WeasyPrint 70, reusing the layout of a fixed block seen before."""
    cache = getattr(context, "fixed_blocks", None)
    key = None
    if (
        cache is not None
        and skip_stack is None
        and box.element is not None
        and box.element_tag == box.element.tag
        and box.element.get(FIXED_ATTRIBUTE) is not None
        and first_letter_style is None
        and first_line_style is None
        and not discard
        and max_lines is None
        and not context.excluded_shapes
    ):
        key = _fixed_block_key(box, adjoining_margins)
    if key is not None and key in cache:
        cache.move_to_end(key)
        laid_out, x, y, next_page, margins_after, collapsing_through = cache[key]
        new_box = laid_out.deepcopy()
        new_box.translate(box.position_x - x, box.position_y - y)
        if not context.overflows_page(bottom_space, new_box.position_y + new_box.margin_height()):
            return new_box, None, dict(next_page), list(margins_after), collapsing_through, None
    x, y = box.position_x, box.position_y
    result = _weasyprint_block_container_layout(
        context, box, bottom_space, skip_stack, page_is_empty, absolute_boxes, fixed_boxes,
        adjoining_margins, first_letter_style, first_line_style, discard, max_lines)  # fmt: skip
    new_box, resume_at, next_page, margins_after, collapsing_through, _ = result
    if key is not None and new_box is not None and resume_at is None:
        for descendant in new_box.descendants():
            if isinstance(descendant, weasyprint_boxes.TextBox):
                descendant.pango_layout.fixed_glyph_runs = None  # recorded when first drawn
        cache[key] = (new_box.deepcopy(), x, y, dict(next_page), list(margins_after), collapsing_through)
        while len(cache) > FIXED_BLOCK_CACHE_SIZE:
            cache.popitem(last=False)
    return result


# Module-level in WeasyPrint, looked up when called (block.py, and inline.py for inline
# blocks); documents other than ours have no fixed_blocks and go straight through.
_fixed_block_layout.__wrapped__ = _weasyprint_block_container_layout
weasyprint_block.block_container_layout = _fixed_block_layout


class _GlyphRunRecorder:
    """Stands for the PDF stream while draw_first_line paints a line of a fixed block.

    It passes every call on and notes the text operators, so that the next letter's copy
    of the line (same Pango layout object, see _fixed_block_layout) is painted from the
    notes instead of re-shaping the text with Pango and walking its glyphs in Python.
    """

    def __init__(self, stream):
        self.stream = stream
        self.operations = []
        self.fonts = []

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def add_font(self, pango_font):
        font, font_size = self.stream.add_font(pango_font)
        self.fonts.append(font)
        self.operations.append(("add_font", (pango_font,)))
        return font, font_size

    def set_text_matrix(self, *values):
        self.stream.set_text_matrix(*values)
        self.operations.append(("set_text_matrix", None))

    def set_font_size(self, font, size):
        self.stream.set_font_size(font, size)
        self.operations.append(("set_font_size", (font, size)))

    def show_text(self, text):
        self.stream.show_text(text)
        self.operations.append(("show_text", (text,)))

    def set_text_rise(self, height):
        self.stream.set_text_rise(height)
        self.operations.append(("set_text_rise", (height,)))


_weasyprint_draw_text = getattr(weasyprint_draw.draw_text, "__wrapped__", weasyprint_draw.draw_text)
_GLYPHS = re.compile(r"<([0-9a-f]+)>")


def _notes(recorder: _GlyphRunRecorder) -> list:
    """The recorded operators, each font with the glyphs this line drew in it.

    draw_first_line notes a glyph's Unicode text and width in the document's Font object
    the first time the document uses the glyph; the replay sets the same entries, so the
    font subset, widths and ToUnicode map come out as if the line had been drawn.
    """
    # In drawing order: the document's Font keeps them in order of first use.
    used = {font.hash: {} for font in recorder.fonts}
    current = None
    for name, arguments in recorder.operations:
        if name == "set_font_size":
            current = arguments[0]
        elif name == "show_text":
            for run in _GLYPHS.findall(arguments[0]):
                used[current].update(dict.fromkeys(int(run[i : i + 4], 16) for i in range(0, len(run), 4)))
    notes = []
    font_iter = iter(recorder.fonts)
    for name, arguments in recorder.operations:
        if name == "add_font":
            font = next(font_iter)
            glyphs = [(glyph, font.to_unicode[glyph], font.widths[glyph]) for glyph in used[font.hash]]
            notes.append((name, (arguments[0], glyphs)))
        else:
            notes.append((name, arguments))
    return notes


def _fixed_draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis="none"):
    """draw_text of WeasyPrint 70, painting the lines of fixed blocks from notes after the first time.

    Only plain lines qualify: visible, no decoration, no ellipsis, no emoji, no missing
    glyph, no bitmap font; anything else is drawn by WeasyPrint every time.
    """
    layout = textbox.pango_layout
    notes = getattr(layout, "fixed_glyph_runs", False)
    style = textbox.style
    if (
        notes is False
        or style["visibility"] != "visible"
        or style["text_decoration_line"] != "none"
        or text_overflow != "clip"
        or block_ellipsis != "none"
    ):
        return _weasyprint_draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis)
    matrix = Matrix(d=-1, e=textbox.position_x, f=textbox.position_y + textbox.baseline)
    stream.set_color(style["color"])
    if notes is None:
        recorder = _GlyphRunRecorder(stream)
        layout.reactivate(style)
        stream.begin_text()
        emojis = weasyprint_draw.text.draw_first_line(recorder, textbox, text_overflow, block_ellipsis, matrix)
        stream.end_text()
        # The notes point to Pango's fonts: this PangoLayout, kept with them, holds them.
        pango_layout = layout.layout
        layout.deactivate()
        if emojis or any(font.bitmap or font.missing or font.svg or font.png or font.colr for font in recorder.fonts):
            layout.fixed_glyph_runs = False
            weasyprint_draw.text.draw_emojis(stream, style, matrix.e, matrix.f, emojis)
            return
        layout.fixed_glyph_runs = _notes(recorder)
        layout.fixed_pango_layout = pango_layout
        return
    stream.begin_text()
    for name, arguments in notes:
        if name == "add_font":
            pango_font, font_glyphs = arguments
            font, _ = stream.add_font(pango_font)
            for glyph, text, width in font_glyphs:
                font.to_unicode.setdefault(glyph, text)
                font.widths.setdefault(glyph, width)
        elif name == "set_text_matrix":
            stream.set_text_matrix(*matrix.values)
        else:
            getattr(stream, name)(*arguments)
    stream.end_text()


_fixed_draw_text.__wrapped__ = _weasyprint_draw_text
weasyprint_draw.draw_text = _fixed_draw_text


# draw_first_line writes a line's glyphs: WeasyPrint 70 reads each glyph's id, width and
# offsets from Pango through cffi, several struct accesses a glyph (~1 ms a letter for
# the ~20 lines that change). _draw_first_line reads each run's glyphs as one block of
# integers instead and writes the same operators, for our documents' plain lines: a run
# in a bitmap, SVG, PNG or COLR font, a glyph missing, empty or raised, an ellipsis, or
# an old Pango (font size workaround) sends the line to WeasyPrint's function, before
# anything is written.
_weasyprint_draw_first_line = getattr(
    weasyprint_draw.text.draw_first_line, "__wrapped__", weasyprint_draw.text.draw_first_line
)
_pango = weasyprint_ffi.pango
_GLYPH_INFO_SIZE = weasyprint_ffi.ffi.sizeof("PangoGlyphInfo")
_GLYPH_INFO_INTS = 5  # glyph; width, x_offset, y_offset; the attribute bits
_PLAIN_GLYPHS = _GLYPH_INFO_SIZE == 4 * _GLYPH_INFO_INTS and array.array("i").itemsize == 4
_FROM_UNITS = weasyprint_ffi.FROM_UNITS


def _draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """draw_first_line of WeasyPrint 70 (draw/text.py) for plain lines of our documents."""
    if (
        not _PLAIN_GLYPHS
        or not isinstance(getattr(stream, "_fonts", None), _LetterFonts)
        or text_overflow == "ellipsis"
        or block_ellipsis != "none"
        or not textbox.text.strip()
        or textbox.style["font_size"] < 1e-6
        or _pango.pango_version() < 14802
    ):
        return _weasyprint_draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
    layout = textbox.pango_layout
    _pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    first_line, _ = layout.get_first_line()
    ffi = weasyprint_ffi.ffi
    # Everything read and checked first: fonts are added in WeasyPrint's order either way.
    runs = []
    previous_pango_font = None
    font = font_size = None
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyph_string = glyph_item.glyphs
        num_glyphs = glyph_string.num_glyphs
        item = glyph_item.item
        pango_font = item.analysis.font
        new_font = pango_font != previous_pango_font
        if new_font:
            previous_pango_font = pango_font
            font, font_size = stream.add_font(pango_font)
            if font.bitmap or font.png or font.svg or font.colr:
                return _weasyprint_draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
        infos = array.array("i")
        infos.frombytes(ffi.buffer(glyph_string.glyphs, num_glyphs * _GLYPH_INFO_SIZE))
        glyphs = infos[0::_GLYPH_INFO_INTS]
        if any(glyph < 0 or glyph >= _GLYPH_EMPTY for glyph in glyphs) or any(infos[3::_GLYPH_INFO_INTS]):
            return _weasyprint_draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
        runs.append((new_font, font, font_size, pango_font, glyph_string, item, num_glyphs, glyphs,
                     infos[1::_GLYPH_INFO_INTS], infos[2::_GLYPH_INFO_INTS]))  # fmt: skip
    stream.set_text_matrix(*matrix.values)
    string = ""
    utf8_text = None
    for new_font, font, font_size, pango_font, glyph_string, item, num_glyphs, glyphs, widths, x_offsets in runs:
        if new_font:
            if string:
                stream.show_text(string)
            string = ""
            stream.set_font_size(font.hash, font_size)
        string += "<"
        font_widths, to_unicode = font.widths, font.to_unicode
        clusters = None
        for i in range(num_glyphs):
            glyph_id = glyphs[i]
            if glyph_id not in to_unicode:
                if clusters is None:
                    clusters = array.array("i")
                    clusters.frombytes(ffi.buffer(glyph_string.log_clusters, num_glyphs * 4))
                offset = item.offset
                t1 = clusters[i]
                if item.analysis.level % 2:  # rtl
                    t2 = item.length if i == 0 else clusters[i - 1]
                else:
                    t2 = item.length if i == num_glyphs - 1 else clusters[i + 1]
                utf8_text = utf8_text or layout.text.encode()
                to_unicode[glyph_id] = utf8_text[offset + t1 : offset + t2].decode()
            offset = x_offsets[i] / font_size
            if offset:
                string += f">{-offset}<"
            string += f"{glyph_id:04x}"
            if glyph_id in font_widths:
                logical_width = font_widths[glyph_id]
            else:
                _pango.pango_font_get_glyph_extents(pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
                logical_width = font_widths[glyph_id] = round(
                    stream.logical_rect.width * 1000 * _FROM_UNITS / font_size
                )
            kerning = logical_width + offset - widths[i] * 1000 * _FROM_UNITS / font_size
            if kerning:
                string += f">{int(kerning)}<"
        if string[-1] == "<":
            string = string[:-1]
        else:
            string += ">"
    stream.show_text(string)
    return []


_GLYPH_EMPTY = min(_pango.PANGO_GLYPH_EMPTY, _pango.PANGO_GLYPH_UNKNOWN_FLAG)
_draw_first_line.__wrapped__ = _weasyprint_draw_first_line
weasyprint_draw.text.draw_first_line = _draw_first_line


# Embedded fonts. WeasyPrint subsets each font to the glyphs one document uses (HarfBuzz,
# two passes over the whole font) and compresses the result, for every PDF: some 3 ms a
# letter. Our documents instead embed each font subset to one fixed glyph set, the
# glyphs the font's cmap gives for SUBSET_CHARACTERS (Latin-1, Vietnamese, the usual
# punctuation); that subset and its compressed stream are made once per process and font
# file. The PDF's widths and ToUnicode map still list only the glyphs the document uses.
# A document using any glyph outside the set (another script, a ligature, a character
# the font lacks) gets WeasyPrint's own subset of its glyphs: either way what a PDF holds
# depends on that document alone, never on what the process rendered before.
SUBSET_CHARACTERS = "".join(
    sorted(
        {chr(code) for code in range(0x20, 0x7F)}
        | set("\u00a0§«°±²³·»½×÷")  # a few Latin-1 signs; its letters beyond Vietnamese (ÄÇÑ…)
        | set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")  # would make every font a quarter larger
        | set("ĂăĐđĨĩŨũƠơƯư")
        | {chr(code) for code in range(0x1EA0, 0x1EFA)}  # Vietnamese letters with tone marks
        | set("\u0300\u0301\u0303\u0309\u0323")  # the tone marks alone, for decomposed text
        | set("‐‑‒–—―‘’‚“”„†‡•…‰′″‹›€№™−")
    )
)


class _LetterFonts(dict):
    """Document.fonts of our documents: tells _build_fonts_dictionary to use the fixed subsets."""


_weasyprint_add_font = getattr(weasyprint_stream.Stream.add_font, "__wrapped__", weasyprint_stream.Stream.add_font)


def _add_font(self, pango_font):
    """Stream.add_font of WeasyPrint 70, each Font of our documents copied from one made once per thread.

    WeasyPrint makes a Font for the first Pango font of each description a document
    uses: a copy of the whole font file out of HarfBuzz, its table list, metrics and an
    MD5 name, three times a letter. What a Font holds depends on the Pango font's key
    and size only, so the engine keeps one per (key, size) and each document gets a copy
    with its own, empty, glyph tables (widths, ToUnicode, missing glyphs), as new. The
    Font holds a reference to its HarfBuzz face; its HarfBuzz font pointer (the Pango
    font's) is only read for PNG emoji fonts, which are not shared.
    """
    fonts = self._fonts
    if not isinstance(fonts, _LetterFonts):
        return _weasyprint_add_font(self, pango_font)
    key, description, font_size = weasyprint_get_pango_font_key(pango_font)
    font = fonts.get(key)
    if font is None:
        templates = _get_engine().fonts
        template = templates.get((key, font_size))
        if template is None:
            template = weasyprint_fonts.Font(pango_font, description, font_size)
            if not template.png:
                template.engine_font = True  # its file_content is shared, see _fixed_subset
                templates[key, font_size] = template
                template = copy.copy(template)
        else:
            template = copy.copy(template)
        template.widths, template.to_unicode, template.missing = {}, {}, {}
        font = fonts[key] = template
    return font, font_size


_add_font.__wrapped__ = _weasyprint_add_font
weasyprint_stream.Stream.add_font = _add_font


class _FixedSubset:
    """One font file subset to the glyphs of SUBSET_CHARACTERS: the font bytes and their PDF stream data."""

    def __init__(self, font, hinting):
        cmap = TTFont(io.BytesIO(font.file_content), fontNumber=font.index, lazy=True)
        best = cmap.getBestCmap() or {}
        glyphs = {0} | {cmap.getGlyphID(best[ord(c)]) for c in SUBSET_CHARACTERS if ord(c) in best}
        self.glyphs = frozenset(glyphs)
        probe = copy.copy(font)  # Font.subset of WeasyPrint 70 sets file_content of the font it is given
        probe.missing = {}
        probe.subset(dict.fromkeys(sorted(glyphs)), hinting)
        self.file_content = probe.file_content
        self.ok = self.file_content is not font.file_content
        # As pydyf 0.13's Stream.data compresses a stream (level 9, one object).
        compressor = zlib.compressobj(level=9)
        self.data = compressor.compress(self.file_content) + compressor.flush()


_fixed_subsets: dict = {}
_fixed_subsets_lock = threading.Lock()
_weasyprint_build_fonts_dictionary = getattr(
    weasyprint_pdf.build_fonts_dictionary, "__wrapped__", weasyprint_pdf.build_fonts_dictionary
)


def _fixed_subset(font, hinting) -> _FixedSubset:
    content = font.file_content
    # Fonts copied from one engine Font (_add_font) share its file_content: that very
    # object is looked up first (kept in the entry, so its id stays its own), which
    # spares a checksum of the whole font file (~0.1 ms) per font and letter.
    shared = getattr(font, "engine_font", False)
    same_object = ("object", id(content), font.hash, font.index, hinting)
    if shared:
        with _fixed_subsets_lock:
            kept = _fixed_subsets.get(same_object)
        if kept is not None and kept[0] is content:
            return kept[1]
    key = (font.hash, font.index, len(content), zlib.adler32(content), hinting)
    with _fixed_subsets_lock:
        subset = _fixed_subsets.get(key)
    if subset is None:
        subset = _FixedSubset(font, hinting)
        with _fixed_subsets_lock:
            subset = _fixed_subsets.setdefault(key, subset)
    if shared:
        with _fixed_subsets_lock:
            _fixed_subsets[same_object] = (content, subset)
    return subset


def _skip_clean(to_unicode, hinting):
    """Font.clean for a font whose file_content already is its fixed subset."""


def _build_fonts_dictionary(pdf, fonts, compress, subset, options):
    """build_fonts_dictionary of WeasyPrint 70, embedding the fixed subsets for our documents.

    WeasyPrint's function still writes every dictionary, width and ToUnicode map. For each
    font file whose glyphs all are in its fixed subset, the Font it cleans is handed the
    subset instead (its clean() made a no-op) and the stream it makes of it then gets the
    compressed data, as pydyf would have written it.
    """
    if not isinstance(fonts, _LetterFonts) or not subset or not compress:
        return _weasyprint_build_fonts_dictionary(pdf, fonts, compress, subset, options)
    groups = {}
    for font in fonts.values():
        groups.setdefault(font.hash, []).append(font)
    streams = {}
    for file_fonts in groups.values():
        font = file_fonts[0]  # the one WeasyPrint cleans and embeds
        if (
            font.bitmap
            or font.png
            or font.svg
            or font.colr
            or "fvar" in font.tables
            or any(file_font.missing or file_font.used_in_forms for file_font in file_fonts)
        ):
            continue
        fixed = _fixed_subset(font, options["hinting"])
        if fixed.ok and all(fixed.glyphs.issuperset(file_font.to_unicode) for file_font in file_fonts):
            font.file_content = fixed.file_content
            font.clean = _skip_clean
            streams[id(fixed.file_content)] = fixed
    first = len(pdf.objects)
    result = _weasyprint_build_fonts_dictionary(pdf, fonts, compress, subset, options)
    for pdf_object in pdf.objects[first:]:
        if isinstance(pdf_object, pydyf.Stream) and len(pdf_object.stream) == 1:
            fixed = streams.get(id(pdf_object.stream[0]))
            if fixed is not None and pdf_object.stream[0] is fixed.file_content and pdf_object.compress:
                pdf_object.stream = [fixed.data]
                pdf_object.extra["Filter"] = "/FlateDecode"
                pdf_object.compress = False
    return result


# Module-level in WeasyPrint's pdf package, looked up when generate_pdf runs.
_build_fonts_dictionary.__wrapped__ = _weasyprint_build_fonts_dictionary
weasyprint_pdf.build_fonts_dictionary = _build_fonts_dictionary


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


class _QRImage(RasterImage):
    """The QR code as a one-bit PDF image made straight from its pixels.

    A RasterImage of a PNG would have Pillow encode the PNG, then WeasyPrint decode it and
    encode it again when writing the PDF: about a millisecond a letter for a 2 KB stream.
    RasterImage.__init__ is not called: it only sets the attributes below, re-encoding
    anything that is not a PNG file already.
    """

    def __init__(self, picture: Image.Image, image_id: str):
        self.id = image_id
        self._cache = {}
        self._jpeg_quality = None
        self._dpi = PDF_OPTIONS["dpi"]
        self.optimize = False
        self.invert_colors = False
        self.format = "raw"
        self.mode = picture.mode  # "1": eight pixels a byte, rows padded to a byte, 1 for white
        self.width, self.height = picture.size
        self.ratio = self.width / self.height
        self.image_data = zlib.compress(picture.tobytes())

    def get_x_object(self, interpolate, dpi_ratio):
        extra = pydyf.Dictionary(
            {
                "Type": "/XObject",
                "Subtype": "/Image",
                "Width": self.width,
                "Height": self.height,
                "ColorSpace": "/DeviceGray",
                "BitsPerComponent": 1,
                "Interpolate": "true" if interpolate else "false",
                "Filter": "/FlateDecode",
            }
        )
        return pydyf.Stream([self.image_data], extra)


# segno 1.6.6 (requirements.txt pins it) makes a code in pure Python: the Reed-Solomon
# codewords by synthetic division, then every module placed and masked one by one,
# ~1 ms a code. _qr_modules makes the same matrix with segno's own functions for
# everything but these two steps: Reed-Solomon with one table row per leading byte
# (whole-block integer XORs), and placement into a per-process template of the code's
# version, error level and mask (function patterns, format and version information,
# and the mask over all-zero data), where each 1 bit of the message flips its module.
# tests/vanban/test_rendering.py compares the result with segno.make's.


class _QRLayout:
    """The fixed parts of a QR code of one version, error level and mask."""

    def __init__(self, version, error, mask):
        size = segno_encoder.calc_matrix_size(version)
        matrix = segno_encoder.make_matrix(size, size)
        segno_encoder.add_finder_patterns(matrix, size, size)
        segno_encoder.add_alignment_patterns(matrix, size, size)
        # Module order of segno_encoder.add_codewords (QR, not Micro QR): two-module
        # columns from the right, alternately upwards and downwards, the vertical timing
        # column skipped, each free module (0x2) taking the next bit.
        positions = []
        for right in range(size - 1, 0, -2):
            if right <= 6:
                right -= 1
            for vertical in range(size):
                for z in range(2):
                    j = right - z
                    upwards = ((right & 2) == 0) ^ (j < 6)
                    i = (size - 1 - vertical) if upwards else vertical
                    if matrix[i][j] == 0x2:
                        positions.append(i * size + j)
        segno_encoder.add_codewords(matrix, bytearray(len(positions)), version)
        mask, matrix = segno_encoder.find_and_apply_best_mask(matrix, size, size, mask)
        segno_encoder.add_format_info(matrix, version, error, mask)
        segno_encoder.add_version_info(matrix, version)
        self.size = size
        self.positions = positions
        self.template = b"".join(matrix)
        # Reed-Solomon: for each block length, the error codewords a leading byte adds.
        self.blocks = []
        for ec_info in segno_consts.ECC[version][error]:
            count = ec_info.num_total - ec_info.num_data
            generator = segno_consts.GEN_POLY[count]
            rows = [0] * 256
            for coef in range(1, 256):
                log = segno_consts.GALIOS_LOG[coef]
                rows[coef] = int.from_bytes(bytes(segno_consts.GALIOS_EXP[log + g] for g in generator), "big")
            self.blocks += [(ec_info.num_data, count, rows)] * ec_info.num_blocks


_qr_layouts: dict = {}


def _qr_modules(url: str) -> tuple[int, bytes]:
    """The size and modules (1 dark, 0 light, row by row) of segno.make(url, error="m", micro=False, mask=QR_MASK)."""
    segments = segno_encoder.prepare_data(url, None, None)
    error = segno_consts.ERROR_LEVEL_M
    version = segno_encoder.find_version(segments, error, eci=False, micro=False)
    # segno_encoder._encode up to the final message, for a QR code without ECI.
    error = segno_encoder.boost_error_level(version, error, segments, False, is_sa=False)
    buff = segno_encoder.Buffer()
    for segment in segments:
        segno_encoder.write_segment(buff, segment, None, segno_encoder.version_range(version), False)
    capacity = segno_consts.SYMBOL_CAPACITY[version][error]
    segno_encoder.write_terminator(buff, capacity, None, len(buff))
    segno_encoder.write_padding_bits(buff, version, len(buff))
    segno_encoder.write_pad_codewords(buff, version, capacity, len(buff))
    key = (version, error, QR_MASK)
    layout = _qr_layouts.get(key)
    if layout is None:
        layout = _qr_layouts.setdefault(key, _QRLayout(*key))
    bits = bytes(buff.getbits())
    bits += bytes(-len(bits) % 8)
    codewords = int(bits.translate(_BIT_DIGITS), 2).to_bytes(len(bits) // 8, "big")
    # make_final_message: data blocks, then their error codewords, interleaved.
    data_blocks, error_blocks = [], []
    start = 0
    for length, count, rows in layout.blocks:
        block = codewords[start : start + length]
        start += length
        remainder, top, full = 0, 8 * (count - 1), (1 << 8 * count) - 1
        for byte in block:
            remainder = ((remainder << 8) & full) ^ rows[byte ^ (remainder >> top)]
        data_blocks.append(block)
        error_blocks.append(remainder.to_bytes(count, "big"))
    message = bytearray()
    for blocks in (data_blocks, error_blocks):
        for column in itertools.zip_longest(*blocks):
            message.extend(byte for byte in column if byte is not None)
    modules = bytearray(layout.template)
    positions = layout.positions
    bit_count = len(message) * 8
    if bit_count > len(positions):  # pragma: no cover - segno's own check
        raise ValueError("QR message longer than its version holds")
    # Each 1 bit flips its (masked) module; remainder bits (zeros) fill the positions left.
    bits = format(int.from_bytes(message, "big"), f"0{bit_count}b").encode().translate(_DIGIT_BITS)
    for position in itertools.compress(positions, bits):
        modules[position] ^= 1
    return layout.size, bytes(modules)


_BIT_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_DIGIT_BITS = bytes.maketrans(b"01", b"\x00\x01")
_LIGHT_DARK = bytes.maketrans(b"\x00\x01", b"\xff\x00")


def _qr_image(url: str) -> RasterImage:
    """The QR code of url as a one-bit image, four pixels a module."""
    size, modules = _qr_modules(url)
    # Drawn with Pillow rather than segno's writers: an SVG path costs WeasyPrint ~10 ms
    # to parse and paint, segno's pure-Python PNG writer ~2 ms. Four pixels a module as
    # viewers smooth enlarged images even when asked not to, and a 200 dpi scan of a
    # code drawn one pixel a module no longer reads.
    modules = Image.frombytes("L", (size, size), modules.translate(_LIGHT_DARK))
    modules = ImageOps.expand(modules, border=QR_BORDER, fill=255)
    picture = modules.resize((modules.width * 4,) * 2, Image.Resampling.NEAREST).convert("1", dither=None)
    return _QRImage(picture, hashlib.sha256(url.encode()).hexdigest()[:32])


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
    return _LetterHTML(html).render_with(engine, images)


# Python's cyclic garbage collector runs every few hundred allocations; a letter makes
# some 100,000 objects, most of them alive until the PDF is written, so collections in
# the middle of a render walk them again and again and promote them to older
# generations, whose collections walk the whole process (~1.5 ms a letter on average).
# The collector is paused while a document is made (counted, for concurrent threads,
# and only if it was running): what the render leaves is freed by reference counting
# when it returns, or by the next collection.
_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_resume = False


@contextlib.contextmanager
def _gc_paused():
    global _gc_pauses, _gc_resume
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_resume:
                gc.enable()


def render_pdf(snapshot: dict, *, image_root: pathlib.Path | str | None = None) -> bytes:
    """The PDF of one document snapshot; the same snapshot and images give the same bytes."""
    with _gc_paused():
        return _document(snapshot, image_root).write_pdf(**PDF_OPTIONS)


def render_many(snapshots: list[dict], *, image_root=None) -> bytes:
    """One PDF for printing: the documents one after another, each from a new page."""
    if not snapshots:
        raise ValueError("render_many needs at least one snapshot")
    documents = []
    for snapshot in snapshots:
        with _gc_paused():
            documents.append(_document(snapshot, image_root))
    pages = [page for document in documents for page in document.pages]
    with _gc_paused():
        return documents[0].copy(pages).write_pdf(**PDF_OPTIONS)
