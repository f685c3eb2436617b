"""HTTP hardening: the Content-Security-Policy allows no inline script (and no template has one),
the usual headers are sent, and `check --deploy` is clean with the production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def _templates():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if ".venv" in folder.parts:
            continue
        yield from folder.rglob("*.html")


def test_no_template_has_an_inline_script_or_handler():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
            found += [f"{path.relative_to(ROOT)}: {m.group(0).strip()}" for m in pattern.finditer(text)]
    assert found == []
    assert len(list(_templates())) > 50  # the scan reads the project's templates


@pytest.mark.django_db
def test_pages_send_the_policy_and_the_usual_headers(client, tree, clerk_a):
    client.force_login(clerk_a)
    for url in (reverse("taikhoan:login"), reverse("dangvien:list"), reverse("nhapdulieu:index")):
        response = client.get(url)
        policy = dict(
            part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
        )
        assert policy["script-src"] == "'self'", url
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # (The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; a deployment never does.)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-check-" + "y" * 20,
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tdv213"),
        "ALLOWED_HOSTS": "qd213.example.org",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(  # noqa: S603 - this project's manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
