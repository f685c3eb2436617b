"""Small helpers shared by the tests: reading a PDF's text back, counting a page's queries."""

import subprocess


def pdf_text(pdf: bytes, page: int | None = None) -> str:
    """The PDF's text as pdftotext reads it, whitespace runs made single spaces."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(  # noqa: S603 - a fixed poppler command on bytes the test made
        ["pdftotext", *pages, "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    return " ".join(out.decode().split())


def query_count(client, url) -> int:
    """How many queries a GET of the page runs (it must answer 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    return len(queries.captured_queries)
