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


def xlsx_table(response, sheet: int = 0) -> dict:
    """An exported list read back: its title, the lines under it (the filters), the header (from
    "STT") and the rows, checked to be an .xlsx download."""
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert response["Content-Disposition"].endswith('.xlsx"') and response["Content-Disposition"].isascii()
    ws = load_workbook(io.BytesIO(response.content)).worksheets[sheet]
    cells = list(ws.iter_rows())
    values = [tuple(cell.value for cell in row) for row in cells]
    at = next(i for i, row in enumerate(values) if row and row[0] == "STT")
    return {
        "title": values[0][0],
        "notes": [row[0] for row in values[1:at] if row and row[0]],
        "header": values[at],
        "rows": values[at + 1 :],
        "cells": cells[at + 1 :],
        "sheet": ws,
    }


def xlsx_column(table: dict, header: str) -> list:
    """The values of one column of `xlsx_table`'s rows, by its (Vietnamese) header."""
    index = table["header"].index(header)
    return [row[index] for row in table["rows"]]


def wait_for(condition, timeout=60, what="the condition", every=0.05):
    """Poll `condition` until it holds (for tests driving other processes: workers, servers)."""
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def sent_mail(folder) -> list[str]:
    """The messages Django's file mail backend wrote in `folder`: one file per connection, each
    message followed by a line of 79 '-', so one sending task's messages share a file."""
    from pathlib import Path

    return [
        message
        for path in Path(folder).iterdir()
        for message in path.read_text().split("-" * 79 + "\n")
        if message.strip()
    ]


def database_url() -> str:
    """The test database as a URL, for a worker or a script in a process of its own."""
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def lock_waiter(cursor):
    """The backend (pid) of this database waiting for a lock, other than the cursor's own, or None."""
    cursor.execute("SELECT pg_stat_clear_snapshot()")  # activity is a snapshot per transaction
    cursor.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    row = cursor.fetchone()
    return row[0] if row else None


def wait_backend_gone(pid, what="the backend to end"):
    """Until PostgreSQL's backend `pid` is gone (a killed worker's transaction rolled back)."""
    from django.db import connection

    with connection.cursor() as cursor:

        def gone():
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            return cursor.fetchone() is None

        wait_for(gone, what=what)


def meeting_held(meeting):
    """Lets the time of a meeting scheduled for later today pass: it is moved to a moment already
    gone on the same day (a minute ago, or midnight in the first minute of the day), so that it
    can be closed. A meeting on a later day is a mistake in the test."""
    import datetime

    from django.utils import timezone

    now = timezone.localtime()
    if meeting.starts_at <= now:
        return meeting
    if timezone.localtime(meeting.starts_at).date() != now.date():
        raise AssertionError("only a meeting of today can be made to have taken place")
    moment = max(now - datetime.timedelta(minutes=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
    type(meeting).objects.filter(pk=meeting.pk).update(starts_at=moment)
    meeting.starts_at = moment
    return meeting
