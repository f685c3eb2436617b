"""The PDF renderer, checked with the tools a reader of the PDF would use: poppler and zbar."""

import hashlib
import io
import json
import re
import shutil
import subprocess

import pytest

from bench import pdf as bench_pdf
from bench.pdf import sample_snapshot, write_sample_images
from tests.helpers import pdf_text
from vanban import rendering

SIGNER = "Trần Văn Bình"


def acknowledgement_snapshot(**changes):
    snapshot = sample_snapshot(
        "acknowledgement/qd213-v1",
        doc_type_label="PHIẾU BÁO TIẾP NHẬN ĐẢNG VIÊN",
        subtitle="",
        issuer_name="ĐẢNG ỦY PHƯỜNG PHỐ HIẾN",
        addressee=["Đảng ủy Sở Giáo dục và Đào tạo"],
        extra={
            "received_date": "ngày 05 tháng 7 năm 2025",
            "letter_symbol": "Số 15-GGT/ĐU",
            "letter_issuer": "Đảng ủy Sở Giáo dục và Đào tạo",
            "branch": "Chi bộ Khu phố Nhân Dục",
            "group": "Tổ đảng số 1",
        },
    )
    snapshot.update(changes)
    return snapshot


def change_notice_snapshot(**changes):
    snapshot = sample_snapshot(
        "change_notice/qd213-v1",
        doc_type_label="THÔNG BÁO",
        subtitle="Về việc thay đổi nơi cư trú của đảng viên",
        extra={
            "change_label": "chuyển nơi cư trú",
            "effective_date": "ngày 01 tháng 8 năm 2025",
            "details": "Đồng chí chuyển đến cư trú tại Số 8, đường Nguyễn Văn Linh, Phường Hồng Châu.",
            "link_ended": True,
        },
    )
    snapshot.update(changes)
    return snapshot


SNAPSHOTS = {
    "introduction": (sample_snapshot, ["GIẤY GIỚI THIỆU", "Quy định số 213-QĐ/TW", "Số thẻ đảng viên: 48012345"]),
    "acknowledgement": (
        acknowledgement_snapshot,
        ["PHIẾU BÁO TIẾP NHẬN ĐẢNG VIÊN", "ngày 05 tháng 7 năm 2025", "Chi bộ Khu phố Nhân Dục, Tổ đảng số 1"],
    ),
    "change_notice": (
        change_notice_snapshot,
        ["THÔNG BÁO", "chuyển nơi cư trú", "kể từ ngày 01 tháng 8 năm 2025", "thôi liên hệ"],
    ),
}


@pytest.fixture
def image_root(tmp_path):
    root = tmp_path / "private"
    write_sample_images(root)
    return root


def run(*command, stdin=None):
    # Fixed poppler and zbar commands on files the test wrote.
    return subprocess.run(command, input=stdin, capture_output=True, check=True).stdout  # noqa: S603


text_of = pdf_text


def pdf_info(pdf: bytes) -> dict:
    lines = run("pdfinfo", "-", stdin=pdf).decode().splitlines()
    return dict(line.split(":", 1) for line in lines if ":" in line)


def images_of(pdf: bytes, tmp_path) -> list[str]:
    """The rows of `pdfimages -list`: one per image or soft mask drawn."""
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    return run("pdfimages", "-list", str(path)).decode().splitlines()[2:]


@pytest.mark.parametrize("kind", SNAPSHOTS)
def test_each_template_prints_its_vietnamese_text(kind, image_root):
    make, specific = SNAPSHOTS[kind]
    pdf = rendering.render_pdf(make(), image_root=image_root)
    text = text_of(pdf)
    for expected in [
        "Nguyễn Văn Đức",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ TỈNH HƯNG YÊN",
        "Hưng Yên, ngày 02 tháng 7 năm 2025",
        "Số 15-GGT/ĐU",
        "T/M ĐẢNG ỦY",
        "BÍ THƯ",
        SIGNER,
        "Kính gửi:",
        "Nơi nhận:",
        "Xác minh văn bản",
        *specific,
    ]:
        assert expected in text, f"{expected!r} missing from the {kind} PDF"


@pytest.mark.parametrize("kind", SNAPSHOTS)
def test_a4_single_page_with_embedded_liberation_serif(kind, image_root):
    pdf = rendering.render_pdf(SNAPSHOTS[kind][0](), image_root=image_root)
    info = pdf_info(pdf)
    assert info["Pages"].strip() == "1"
    width, height = map(float, re.match(r"\s*([\d.]+) x ([\d.]+) pts", info["Page size"]).groups())
    assert (round(width), round(height)) == (595, 842)

    fonts = run("pdffonts", "-", stdin=pdf).decode().splitlines()[2:]
    assert fonts and all("Liberation-Serif" in row for row in fonts)
    # Columns: name, type (two words), encoding, emb, sub, uni, object, generation.
    assert all(row.split()[-5] == "yes" for row in fonts), "every font must be embedded"
    assert any(row.split()[0].endswith("+Liberation-Serif-Bold") for row in fonts)


def word_boxes(pdf: bytes) -> dict[str, tuple[float, float, float, float]]:
    """First box (x_min, y_min, x_max, y_max, in points from the top left) of each word on page 1."""
    markup = run("pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-", stdin=pdf).decode()
    boxes = {}
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>'
    for *numbers, word in re.findall(pattern, markup):
        boxes.setdefault(word, tuple(map(float, numbers)))
    return boxes


def test_layout_follows_hd36(image_root):
    """Header columns side by side, title below them, recipients level with the signature, QR in the margin."""
    box = word_boxes(rendering.render_pdf(sample_snapshot(), image_root=image_root))
    middle, bottom_margin = 595.28 / 2, 841.89 - 20 / 25.4 * 72
    symbol, party, title = box["15-GGT/ĐU"], box["CỘNG"], box["GIẤY"]
    assert symbol[2] < middle < party[0], "issuer column left, party column right"
    assert party[1] < symbol[1], "both columns start at the top"
    assert title[1] > symbol[3], "the title comes below the whole header"
    assert box["Trân"][1] > box["Kính"][3] > title[3]
    recipients, on_behalf, signer = box["nhận:"], box["T/M"], box["Bình"]
    assert recipients[2] < middle < on_behalf[0]
    assert abs(recipients[1] - on_behalf[1]) < 20, "Nơi nhận level with the signature block"
    assert signer[1] > on_behalf[3] + 80, "room for the signature and stamp between title and name"
    assert box["Xác"][1] > bottom_margin and box["Xác"][0] > middle, "QR text bottom right, in the margin"


def test_qr_code_reads_back_as_the_verification_url(image_root, tmp_path):
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbar-tools is needed (apt-get install zbar-tools; .ci/run installs it)"
    url = "https://dangvien213.example.vn/xac-minh/Zt3kq9Xw2LmN8pR4vB7cY1sD6gJ0aE5fH2uK/"
    (tmp_path / "letter.pdf").write_bytes(rendering.render_pdf(sample_snapshot(verify_url=url), image_root=image_root))
    run("pdftoppm", "-r", "200", "-png", "-singlefile", str(tmp_path / "letter.pdf"), str(tmp_path / "page"))
    assert run(zbarimg, "--raw", "-q", str(tmp_path / "page.png")).decode().strip() == url


def test_qr_modules_are_segnos():
    """_qr_modules makes the very matrix segno.make does, for every version and each mode."""
    import segno

    contents = ["12345678901234567890", "HTTPS://EXAMPLE.ORG/ABC", "a", "Đảng ủy xác minh"]
    for n in [*range(1, 400, 9), *range(400, 2320, 20)]:
        contents.append(("https://x.vn/" + hashlib.sha256(str(n).encode()).hexdigest() * 40)[:n])
    versions = set()
    for content in contents:
        qr = segno.make(content, error="m", micro=False, mask=rendering.QR_MASK)
        assert rendering._qr_modules(content) == (len(qr.matrix), b"".join(qr.matrix)), content[:40]
        versions.add(qr.version)
    assert versions == set(range(1, 41))


def test_same_snapshot_same_bytes(image_root, tmp_path):
    snapshot = sample_snapshot()
    first = rendering.render_pdf(snapshot, image_root=image_root)
    assert hashlib.sha256(rendering.render_pdf(snapshot, image_root=image_root)).digest() == (
        hashlib.sha256(first).digest()
    )
    # Nor do the process's image cache or the folder's location change a byte.
    rendering._image_cache.clear()
    moved = shutil.copytree(image_root, tmp_path / "moved")
    assert rendering.render_pdf(snapshot, image_root=moved) == first
    dates = run("pdfinfo", "-isodates", "-", stdin=first).decode()
    assert re.search(r"CreationDate:\s+2025-07-02T09:30:00\+07", dates)
    assert re.search(r"ModDate:\s+2025-07-02T09:30:00\+07", dates)


def test_render_many_starts_each_document_on_its_own_page(image_root):
    names = ["Nguyễn Văn Đức", "Lê Thị Hoa", "Phạm Minh Tuấn"]
    makers = [sample_snapshot, acknowledgement_snapshot, change_notice_snapshot]
    snapshots = []
    for make, name in zip(makers, names, strict=True):
        snapshot = make()
        snapshot["member"] = {**snapshot["member"], "full_name": name}
        snapshots.append(snapshot)
    pdf = rendering.render_many(snapshots, image_root=image_root)
    assert pdf_info(pdf)["Pages"].strip() == "3"
    for page, name in enumerate(names, start=1):
        assert name in text_of(pdf, page)


def test_missing_images_render_without_them(image_root, tmp_path):
    snapshot = sample_snapshot()
    assert len(images_of(rendering.render_pdf(snapshot, image_root=image_root), tmp_path)) == 5  # 2 + 2 masks + QR

    snapshot["signer"] = {**snapshot["signer"], "signature_image": "signatures/khong-co.png", "stamp_image": None}
    pdf = rendering.render_pdf(snapshot, image_root=image_root)
    assert len(images_of(pdf, tmp_path)) == 1  # the QR code only
    assert SIGNER in text_of(pdf)
    assert pdf_info(rendering.render_pdf(snapshot, image_root=None))["Pages"].strip() == "1"


@pytest.mark.parametrize(
    "path", ["../secret.png", "../../etc/passwd", "/etc/passwd", "stamps/../../secret.png", "link/secret.png"]
)
def test_image_paths_outside_the_folder_are_refused(path, image_root, tmp_path):
    secret = tmp_path / "secret.png"
    shutil.copy(image_root / "stamps" / "dau-dang-uy-so-gddt.png", secret)
    (image_root / "link").symlink_to(tmp_path, target_is_directory=True)
    assert rendering._image_path(image_root, path) is None

    snapshot = sample_snapshot()
    snapshot["signer"] = {**snapshot["signer"], "signature_image": path, "stamp_image": path}
    pdf = rendering.render_pdf(snapshot, image_root=image_root)
    assert len(images_of(pdf, tmp_path)) == 1  # the QR code only


def test_weasyprint_itself_fetches_nothing(tmp_path):
    secret = tmp_path / "secret.png"
    write_sample_images(tmp_path)
    shutil.copy(tmp_path / "stamps" / "dau-dang-uy-so-gddt.png", secret)
    with pytest.raises(ValueError):
        rendering._fetcher.fetch(secret.as_uri())
    markup = f'<html><body><img src="{secret.as_uri()}" /><img src="https://example.org/a.png" /></body></html>'
    pdf = rendering._LetterHTML(markup).render(font_config=rendering._get_engine().font_config).write_pdf()
    assert images_of(pdf, tmp_path) == []


def test_garbage_collector_paused_only_while_rendering():
    import gc

    assert gc.isenabled()
    rendering.render_pdf(sample_snapshot())
    assert gc.isenabled()
    with pytest.raises(ValueError):
        rendering.render_pdf(sample_snapshot("introduction/qd999-v1"))
    assert gc.isenabled()
    gc.disable()
    try:
        rendering.render_pdf(sample_snapshot())
        assert not gc.isenabled(), "a collector the caller turned off stays off"
    finally:
        gc.enable()


def test_unknown_template_is_an_error():
    with pytest.raises(ValueError, match="Unknown document template"):
        rendering.render_pdf(sample_snapshot("introduction/qd999-v1"))


def test_every_template_id_has_a_template():
    from vanban.services import CURRENT_TEMPLATES

    types = ["introduction", "acknowledgement", "change_notice", "invitation", "absence_notice", "evaluation", "report"]
    # The templates of documents issued before regulation packs stay for their re-renders.
    assert set(rendering.TEMPLATES) == {f"{t}/qd213-v1" for t in types} | {f"{t}/v2" for t in types}
    assert set(CURRENT_TEMPLATES.values()) <= set(rendering.TEMPLATES) and set(CURRENT_TEMPLATES) == set(types)
    from django.template.loader import get_template

    for name in rendering.TEMPLATES.values():
        get_template(name)  # raises TemplateDoesNotExist or TemplateSyntaxError


def test_text_engine_uses_harfbuzz_and_liberation_serif():
    assert rendering.check_text_engine() == []


def test_benchmark_prints_its_three_figures():
    out = io.StringIO()
    bench_pdf.run(n=3, out=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["name"] for r in records] == ["letter_pdf_ms", "letter_pdf_naive_ms", "letter_pdf_ratio"]
    assert all(r["value"] > 0 for r in records)


def test_caches_shared_between_letters_change_no_byte(image_root):
    """Computed styles, fixed blocks' layout and glyph runs are reused per thread: a letter
    rendered after others (cache hits) has the bytes it has when rendered first (misses)."""
    engine = rendering._get_engine()
    engine.computed_styles.clear()
    engine.fixed_blocks.clear()
    engine.fonts.clear()
    first = rendering.render_pdf(bench_pdf.varied_snapshot(7), image_root=image_root)
    assert engine.fixed_blocks, "the data-fixed blocks were laid out through the cache"
    for i in range(3):
        rendering.render_pdf(bench_pdf.varied_snapshot(i), image_root=image_root)
    assert rendering.render_pdf(bench_pdf.varied_snapshot(7), image_root=image_root) == first
    # Member data is never looked up: only blocks marked data-fixed are kept.
    cached_text = " ".join(
        box.text
        for laid_out, *_ in engine.fixed_blocks.values()
        for box in laid_out.descendants()
        if hasattr(box, "text")
    )
    assert bench_pdf.varied_snapshot(7)["member"]["full_name"] not in cached_text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in cached_text


def test_styles_found_by_element_chain_are_the_matched_ones(image_root):
    """hd36.css has only tag, class and id selectors: styles are kept by element chain,
    and a letter styled that way has the bytes it has when every rule is matched."""
    assert rendering._simple_selectors(rendering.STYLESHEET.read_text())
    for css in ["p:first-child {}", "h1 + p {}", "p ~ p {}", "[lang] {}", "@media print { p {} }", "p::before {}"]:
        assert not rendering._simple_selectors(css), css
    engine = rendering._get_engine()
    snapshot = bench_pdf.varied_snapshot(3)
    try:
        engine.styles_by_chain = False
        engine.computed_styles.clear()
        matched = rendering.render_pdf(snapshot, image_root=image_root)
        assert not any(key[0] == "chain" for key in engine.computed_styles)
    finally:
        engine.styles_by_chain = True
    rendering.render_pdf(bench_pdf.varied_snapshot(4), image_root=image_root)
    assert any(key[0] == "chain" for key in engine.computed_styles)
    assert rendering.render_pdf(snapshot, image_root=image_root) == matched


def test_inlined_resolve_percentages_lays_out_as_weasyprint(monkeypatch):
    """_resolve_percentages replaces WeasyPrint's for every document: same PDF as the original."""
    import importlib

    import weasyprint

    markup = (
        "<html><body style='width: 50%'><div style='padding: 5%; margin: 2% auto; box-sizing: border-box; "
        "width: 60%; min-height: 10%; max-width: calc(50% + 3px)'>Đảng ủy<table><tr><td style='width: 30%'>a</td>"
        "</tr></table><div style='float: left; width: 20%; padding-top: 1em'>f</div>text beside the float</div>"
        "<p style='height: 3cm; max-height: 50%; box-sizing: padding-box; padding: 1mm'>x</p></body></html>"
    )
    inlined = weasyprint.HTML(string=markup).write_pdf()
    for name in rendering._RESOLVE_MODULES:
        module = importlib.import_module(f"weasyprint.layout.{name}")
        if getattr(module, "resolve_percentages", None) is rendering._resolve_percentages:
            monkeypatch.setattr(module, "resolve_percentages", rendering._weasyprint_resolve_percentages)
    assert weasyprint.HTML(string=markup).write_pdf() == inlined


def test_lines_drawn_from_glyph_blocks_as_weasyprint_draws_them(image_root, monkeypatch):
    """_draw_first_line writes what WeasyPrint's draw_first_line writes: a letter, one with
    text in another font (Greek, symbols) and one with kerned, justified wording."""
    from weasyprint.draw import text as weasyprint_text

    plain = sample_snapshot()
    foreign = sample_snapshot(member={**plain["member"], "full_name": "Nguyễn Văn Đức Ωμέγα ✓ AVATAR Tr. Yên"})
    snapshots = [plain, foreign, change_notice_snapshot(), bench_pdf.varied_snapshot(11)]
    engine = rendering._get_engine()
    engine.fixed_blocks.clear()  # the recorded lines are drawn through it too
    fast = [rendering.render_pdf(snapshot, image_root=image_root) for snapshot in snapshots]
    assert weasyprint_text.draw_first_line is rendering._draw_first_line
    monkeypatch.setattr(weasyprint_text, "draw_first_line", rendering._weasyprint_draw_first_line)
    engine.fixed_blocks.clear()
    assert [rendering.render_pdf(snapshot, image_root=image_root) for snapshot in snapshots] == fast


def test_per_style_text_setup_and_backgrounds_change_no_byte(image_root, monkeypatch):
    """Pango set-up made once per style and backgrounds known from the style: the same
    letters as with WeasyPrint's Layout.setup and layout_box_backgrounds."""
    from weasyprint.layout import background as weasyprint_background
    from weasyprint.text import line_break

    snapshots = [sample_snapshot(), change_notice_snapshot(), bench_pdf.varied_snapshot(5)]
    engine = rendering._get_engine()
    engine.fixed_blocks.clear()
    ours = [rendering.render_pdf(snapshot, image_root=image_root) for snapshot in snapshots]
    assert engine.font_config.text_setups and engine.font_config.plain_backgrounds
    # Page and margin-box styles are made per document: their entries go with them.
    import gc

    gc.collect()
    kept = len(engine.font_config.plain_backgrounds), len(engine.font_config.text_setups)
    for i in range(3):
        rendering.render_pdf(bench_pdf.varied_snapshot(i), image_root=image_root)
    gc.collect()
    assert (len(engine.font_config.plain_backgrounds), len(engine.font_config.text_setups)) == kept
    monkeypatch.setattr(line_break.Layout, "setup", rendering._weasyprint_layout_setup)
    monkeypatch.setattr(weasyprint_background, "layout_box_backgrounds", rendering._weasyprint_layout_box_backgrounds)
    engine.fixed_blocks.clear()
    assert [rendering.render_pdf(snapshot, image_root=image_root) for snapshot in snapshots] == ours


def test_plain_weasyprint_documents_bypass_the_caches():
    import weasyprint

    engine = rendering._get_engine()
    before = len(engine.fixed_blocks)
    markup = '<html><body><p data-fixed="">Đảng ủy</p><p style="text-decoration: underline">x</p></body></html>'
    pdf = weasyprint.HTML(string=markup).write_pdf()
    assert "Đảng ủy" in text_of(pdf)
    assert len(engine.fixed_blocks) == before


def test_fonts_are_the_fixed_subset_unless_a_glyph_falls_outside(image_root):
    """Fonts are embedded subset to one glyph set for Vietnamese, made once per process; a
    letter with a glyph outside it gets its own subset, and neither depends on the other."""
    plain = sample_snapshot()
    foreign = sample_snapshot(member={**plain["member"], "full_name": "Nguyễn Văn Đức Ωμέγα"})
    rendering._fixed_subsets.clear()
    foreign_first = rendering.render_pdf(foreign, image_root=image_root)
    plain_pdf = rendering.render_pdf(plain, image_root=image_root)
    assert rendering._fixed_subsets, "the fixed subsets were made"
    rendering._fixed_subsets.clear()
    assert rendering.render_pdf(plain, image_root=image_root) == plain_pdf
    assert rendering.render_pdf(foreign, image_root=image_root) == foreign_first
    assert "Nguyễn Văn Đức Ωμέγα" in text_of(foreign_first)

    def embedded_font_lengths(pdf):
        return sorted(int(length) for length in re.findall(rb"/Length1 (\d+)", pdf))

    # Bold holds the foreign name: its own, smaller subset; regular and italic the fixed one.
    fixed = embedded_font_lengths(plain_pdf)
    foreign_lengths = embedded_font_lengths(foreign_first)
    assert len(fixed) == len(foreign_lengths) == 3
    assert len(set(fixed) & set(foreign_lengths)) == 2
    fonts = run("pdffonts", "-", stdin=foreign_first).decode().splitlines()[2:]
    assert all(row.split()[-5] == "yes" for row in fonts)


def invitation_snapshot(**changes):
    snapshot = sample_snapshot(
        "invitation/qd213-v1",
        doc_type_label="GIẤY MỜI",
        subtitle="Dự buổi sinh hoạt định kỳ 6 tháng đầu năm 2025",
        issuer_name="CHI BỘ KHU PHỐ NHÂN DỤC",
        addressee=["Các đồng chí tổ trưởng tổ đảng", "Các đồng chí đảng viên đang công tác"],
        extra={
            "branch": "Chi bộ Khu phố Nhân Dục",
            "meeting_label": "buổi sinh hoạt định kỳ 6 tháng đầu năm 2025",
            "when": "19 giờ 30, ngày 12 tháng 7 năm 2025",
            "place": "Nhà văn hóa khu phố Nhân Dục",
            "agenda": ["Đánh giá hoạt động 6 tháng đầu năm", "Lấy ý kiến nhận xét đảng viên"],
        },
    )
    snapshot.update(changes)
    return snapshot


def test_invitation_fixed_wording_is_reused_without_changing_a_byte(image_root):
    engine = rendering._get_engine()
    engine.fixed_blocks.clear()
    first = rendering.render_pdf(invitation_snapshot(), image_root=image_root)
    other = invitation_snapshot(extra={**invitation_snapshot()["extra"], "place": "Hội trường phường"})
    rendering.render_pdf(other, image_root=image_root)
    assert rendering.render_pdf(invitation_snapshot(), image_root=image_root) == first
    cached_text = " ".join(
        box.text
        for laid_out, *_ in engine.fixed_blocks.values()
        for box in laid_out.descendants()
        if hasattr(box, "text")
    )
    assert "Nội dung:" in cached_text and "đúng giờ" in cached_text
    assert "Nhà văn hóa" not in cached_text
    assert "Đánh giá hoạt động 6 tháng đầu năm" in text_of(first)


def test_reloading_the_renderer_does_not_wrap_weasyprint_twice():
    import importlib

    from weasyprint import draw as weasyprint_draw
    from weasyprint.layout import block as weasyprint_block

    original = rendering._weasyprint_block_container_layout
    importlib.reload(rendering)
    assert rendering._weasyprint_block_container_layout is original
    assert weasyprint_block.block_container_layout.__wrapped__ is original
    assert weasyprint_draw.draw_text.__wrapped__ is rendering._weasyprint_draw_text
    assert not hasattr(rendering._weasyprint_draw_text, "__wrapped__")


@pytest.mark.parametrize(
    "markup", ["<html><body><p>not closed</body></html>", '<html><body><p style="color:red">x</p></body></html>']
)
def test_template_markup_that_the_renderer_would_style_differently_is_refused(markup):
    with pytest.raises(ValueError):
        rendering._LetterHTML(markup)
