"""Benchmark of the official-document PDF renderer, printed as one JSON object per line.

    python -m bench.pdf [--n 200]      (DJANGO_SETTINGS_MODULE defaults to config.settings.test)

Renders N realistic introduction letters (QR code, signature and stamp images) through
vanban.rendering.render_pdf and, taking turns with it, the same N letters through a plain
`weasyprint.HTML(string=...).write_pdf()` with no shared font configuration or parsed
stylesheet; prints the medians and their ratio. Nothing fails on a slow figure.

Every iteration renders a different letter (see varied_snapshot): another member with
other dates, card number, phone, position and address, another document number and
verification token, as in a bulk run from one issuer and signer. Only what really
repeats between such letters (issuer, signer, images, the fixed wording) repeats here,
so no per-process cache can serve a letter it has already seen.
"""

import argparse
import hashlib
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

TARGETS = {"letter_pdf_ms": 20, "letter_pdf_ratio": 0.75}


def sample_snapshot(template: str = "introduction/qd213-v1", **changes) -> dict:
    """A realistic snapshot of an issued document, as the document service stores it."""
    snapshot = {
        "template": template,
        "doc_type_label": "GIẤY GIỚI THIỆU",
        "subtitle": "Về việc giới thiệu đảng viên đang công tác về sinh hoạt nơi cư trú",
        "superior_name": "ĐẢNG BỘ TỈNH HƯNG YÊN",
        "issuer_name": "ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "symbol": "Số 15-GGT/ĐU",
        "place_date": "Hưng Yên, ngày 02 tháng 7 năm 2025",
        "issued_at": "2025-07-02T09:30:00+07:00",
        "addressee": ["Đảng ủy phường Phố Hiến", "Chi ủy chi bộ Khu phố Nhân Dục"],
        "member": {
            "full_name": "Nguyễn Văn Đức",
            "birth_date": "12/03/1985",
            "gender": "Nam",
            "admission_date": "19/05/2010",
            "full_membership_date": "19/05/2011",
            "card_number": "48012345",
            "position": "Phó Trưởng phòng",
            "duties": "Phụ trách công tác tổ chức cán bộ",
            "workplace_unit": "Sở Giáo dục và Đào tạo",
            "party_branch": "Chi bộ Văn phòng Sở",
            "residence_address": "Số 12, ngõ 5, Khu phố Nhân Dục, Phường Phố Hiến, Hưng Yên",
            "phone": "0912345678",
        },
        "body": [],
        "extra": {},
        "signer": {
            "on_behalf": "T/M ĐẢNG ỦY",
            "title": "BÍ THƯ",
            "name": "Trần Văn Bình",
            "signature_image": "signatures/chu-ky-tran-van-binh.png",
            "stamp_image": "stamps/dau-dang-uy-so-gddt.png",
        },
        "recipients": ["Như trên;", "Lưu Văn phòng Đảng ủy."],
        "verify_url": "https://example.org/xac-minh/8fQ2kL9xWmB3tR7vNc4hYpZ1sD6gJ0aE/",
    }
    snapshot.update(changes)
    return snapshot


FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE_NAMES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Xuân"]
GIVEN_NAMES = ["Đức", "Hoa", "Tuấn", "Hương", "Dũng", "Lan", "Sơn", "Yến", "Khải", "Phượng", "Hải", "Nguyệt", "Tâm"]
POSITIONS = ["Phó Trưởng phòng", "Chuyên viên", "Trưởng phòng", "Chuyên viên chính", "Kế toán viên", ""]
STREETS = ["ngõ 5, Khu phố Nhân Dục", "đường Nguyễn Văn Linh", "phố Điện Biên", "ngõ 12, đường Chùa Chuông"]


def varied_snapshot(i: int) -> dict:
    """Letter number i of a bulk run: sample_snapshot with everything about the member changed."""
    snapshot = sample_snapshot()
    name = f"{FAMILY_NAMES[i % 12]} {MIDDLE_NAMES[i * 7 % 10]} {GIVEN_NAMES[i * 5 % 13]}"
    day, month, year = 1 + i % 28, 1 + i * 5 % 12, 1960 + i * 7 % 40
    token = hashlib.sha256(f"letter {i}".encode()).hexdigest()[:32]
    snapshot["member"] = {
        **snapshot["member"],
        "full_name": name,
        "birth_date": f"{day:02d}/{month:02d}/{year}",
        "gender": "Nữ" if " Thị " in name else "Nam",
        "admission_date": f"{1 + i * 3 % 28:02d}/{1 + i % 12:02d}/{year + 22}",
        "full_membership_date": f"{1 + i * 3 % 28:02d}/{1 + i % 12:02d}/{year + 23}",
        "card_number": f"{48000000 + i * 7919 % 1000000:08d}",
        "position": POSITIONS[i % 6],
        "residence_address": f"Số {1 + i % 97}, {STREETS[i % 4]}, Phường Phố Hiến, Hưng Yên",
        "phone": f"09{i * 104729 % 100000000:08d}",
    }
    snapshot["symbol"] = f"Số {15 + i}-GGT/ĐU"
    snapshot["verify_url"] = f"https://example.org/xac-minh/{token}/"
    return snapshot


def write_sample_images(root: pathlib.Path) -> None:
    """A scanned-looking signature and a round red stamp, as PNGs with transparency."""
    from PIL import Image, ImageDraw

    (root / "signatures").mkdir(parents=True, exist_ok=True)
    (root / "stamps").mkdir(parents=True, exist_ok=True)
    # 35 mm at 300 dpi is ~410 px: a typical scan after cropping.
    signature = Image.new("RGBA", (420, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(signature)
    points = [(20 + x * 8, 140 + int(60 * ((x * 37) % 11 - 5) / 5) * (-1) ** x) for x in range(48)]
    draw.line(points, fill=(16, 40, 150, 255), width=5, joint="curve")
    draw.line([(60, 190), (380, 150)], fill=(16, 40, 150, 255), width=4)
    signature.save(root / "signatures" / "chu-ky-tran-van-binh.png")

    stamp = Image.new("RGBA", (450, 450), (0, 0, 0, 0))
    draw = ImageDraw.Draw(stamp)
    red = (200, 20, 30, 230)
    draw.ellipse((8, 8, 442, 442), outline=red, width=12)
    draw.ellipse((60, 60, 390, 390), outline=red, width=6)
    draw.regular_polygon((225, 225, 70), 5, rotation=90, fill=red)
    stamp.save(root / "stamps" / "dau-dang-uy-so-gddt.png")


def _percentile(values, pct):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def _timed(functions, n):
    """Milliseconds per call of each function(i), calls interleaved so drifts in machine speed hit all alike.

    Call -1 of each is the warm-up: first use loads fonts, templates and images.
    """
    for function in functions:
        function(-1)
    times = [[] for _ in functions]
    for i in range(n):
        for function, spent in zip(functions, times, strict=True):
            start = time.perf_counter()
            function(i)
            spent.append((time.perf_counter() - start) * 1000)
    return times


def _emit(out, record):
    if record["name"] in TARGETS:
        record["target"] = TARGETS[record["name"]]
    print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
    return record


def run(n: int = 200, out=sys.stdout) -> list[dict]:
    """Measure render_pdf against plain WeasyPrint on the same letter; print and return the records."""
    import segno
    import weasyprint

    from vanban import rendering

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as folder:
        image_root = pathlib.Path(folder)
        write_sample_images(image_root)
        snapshots = [varied_snapshot(i) for i in range(-1, n)]
        # The naive render is plain WeasyPrint on the same letters: the stylesheet inline,
        # images as file URLs, a new font configuration and CSS parse every time. Its
        # HTML is made beforehand, outside the timing.
        style = f"<style>{rendering.STYLESHEET.read_text()}</style></head>"
        naive_html = []
        for snapshot in snapshots:
            html = rendering._html(snapshot, image_root).replace("</head>", style, 1)
            html = html.replace(f'src="{rendering.IMAGE_SCHEME}:', f'src="{image_root.as_uri()}/')
            qr = segno.make(snapshot["verify_url"], error="m", micro=False, mask=rendering.QR_MASK)
            naive_html.append(html.replace(f'src="{rendering.QR_URL}"', f'src="{qr.png_data_uri(scale=4, border=2)}"'))

        def ours(i):
            return rendering.render_pdf(snapshots[i + 1], image_root=image_root)

        def naive(i):
            return weasyprint.HTML(string=naive_html[i + 1]).write_pdf()

        ours_ms, naive_ms = _timed([ours, naive], n)

    records = []
    for name, values in (("letter_pdf_ms", ours_ms), ("letter_pdf_naive_ms", naive_ms)):
        records.append(
            _emit(
                out,
                {
                    "name": name,
                    "value": round(statistics.median(values), 2),
                    "unit": "ms",
                    "p95": round(_percentile(values, 95), 2),
                    "n": n,
                },
            )
        )
    ratio = statistics.median(ours_ms) / statistics.median(naive_ms)
    records.append(_emit(out, {"name": "letter_pdf_ratio", "value": round(ratio, 3), "unit": "x"}))
    return records


def main(argv=None):
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="renders per variant (default 200)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    run(args.n)


if __name__ == "__main__":
    main()
