"""Drawn stamp and signature images for demo data and tests (clearly not real ones)."""

import io
import math
import random

from PIL import Image, ImageDraw


def stamp_png(seed: int = 1) -> bytes:
    """A red round stamp: two rings and a star, transparent background."""
    size = 300
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 20, 30, 230)
    draw.ellipse([6, 6, size - 6, size - 6], outline=red, width=10)
    draw.ellipse([40, 40, size - 40, size - 40], outline=red, width=4)
    cx, cy, r = size / 2, size / 2, 55 + seed % 10
    points = []
    for i in range(10):
        angle = math.pi / 2 + i * math.pi / 5
        radius = r if i % 2 == 0 else r * 0.4
        points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    draw.polygon(points, fill=red)
    return _png(image)


def signature_png(seed: int = 1) -> bytes:
    """A blue pen stroke."""
    rng = random.Random(seed)  # noqa: S311 - a drawing, not a secret
    image = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(20 + i * 12, 75 + rng.randint(-45, 45)) for i in range(31)]
    draw.line(points, fill=(20, 30, 150, 255), width=4, joint="curve")
    return _png(image)


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
