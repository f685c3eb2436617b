"""The import pages: upload, columns, dry run, write, the log; allow and deny; fixed queries."""

import datetime
import re

import pytest
from django.urls import reverse

from chibo.models import Role
from dangvien.models import Member
from nhapdulieu.models import ImportJob
from tests import factories
from tests.helpers import query_count

from .conftest import HEADER, xlsx

pytestmark = pytest.mark.django_db


def _rows(n):
    rows = [HEADER]
    for i in range(n):
        born = datetime.date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        rows.append(
            [
                i + 1,
                f"Nguyễn Văn Số{i}",
                "Nam",
                born.strftime("%d/%m/%Y"),
                factories.citizen_id_for("male", born, 500 + i),
                "19/05/2010",
                "19/05/2011",
                "Chuyên viên",
                "0912345678",
                "x",
            ]
        )
    return rows


def _suggested_columns(job) -> dict:
    """The columns form as the clerk sends it when the suggestions are right."""
    return {f"col_{i}": key for i, key in job.mapping.items()} | {
        "duplicates": "skip",
        "mode": "valid",
        "action": "check",
    }


def test_the_clerks_journey(client, tree, clerk_a, django_capture_on_commit_callbacks):
    client.force_login(clerk_a)
    page = client.get(reverse("nhapdulieu:upload")).content.decode()
    assert tree["a"].name in page and tree["b"].name not in page
    response = client.post(reverse("nhapdulieu:upload"), {"organization": tree["a"].pk, "file": xlsx(_rows(3))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("nhapdulieu:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Nội dung của từng cột" in page and "Nguyễn Văn Số0" in page
    form = _suggested_columns(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(response["Location"], form).status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="checked"' in page and 'data-count="create">3<' in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(response["Location"], {"action": "write"}).status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page and Member.objects.count() == 3
    changes = client.get(reverse("nhapdulieu:changes", args=[job.pk])).content.decode()
    assert len(re.findall(r'href="/dang-vien/\d+/"', changes)) == 3
    assert job.file_name in client.get(reverse("nhapdulieu:index")).content.decode()


def test_a_bad_file_gets_its_message_at_the_field(client, tree, clerk_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(clerk_a)
    page = client.post(
        reverse("nhapdulieu:upload"), {"organization": tree["a"].pk, "file": SimpleUploadedFile("a.xlsx", b"%PDF-1.4")}
    ).content.decode()
    assert "không phải là bảng tính" in page and "is-invalid" in page
    assert not ImportJob.objects.exists()


def test_a_column_chosen_twice_and_a_missing_name_are_refused_at_the_field(client, tree, clerk_a):
    client.force_login(clerk_a)
    client.post(reverse("nhapdulieu:upload"), {"organization": tree["a"].pk, "file": xlsx(_rows(1))})
    job = ImportJob.objects.get()
    form = {f"col_{i}": key for i, key in job.mapping.items() if key != "full_name"}
    form |= {"col_7": "birth_date", "duplicates": "skip", "mode": "valid", "action": "check"}
    page = client.post(reverse("nhapdulieu:job", args=[job.pk]), form).content.decode()
    assert "Chọn cột chứa: Họ và tên" in page and "đã được chọn cho cột 4" in page
    assert ImportJob.objects.get().status == "uploaded"


def test_who_may_see_which_import(client, tree, clerk_a, clerk_b, django_capture_on_commit_callbacks):
    client.force_login(clerk_a)
    client.post(reverse("nhapdulieu:upload"), {"organization": tree["a"].pk, "file": xlsx(_rows(1))})
    job = ImportJob.objects.get()
    url = reverse("nhapdulieu:job", args=[job.pk])
    province_clerk = factories.user("pc", roles=[(tree["province"], Role.CLERK)])
    board = factories.user("board", roles=[(tree["a"], Role.BOARD_VIEWER)])
    for user, expected in [(clerk_a, 200), (province_clerk, 200), (clerk_b, 404), (board, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == expected, user
        assert client.get(reverse("nhapdulieu:changes", args=[job.pk])).status_code == expected, user
        assert client.post(url, {"action": "write"}).status_code in (expected, 302 if expected == 200 else 404)
    client.force_login(clerk_b)
    assert job.file_name not in client.get(reverse("nhapdulieu:index")).content.decode()
    # An organisation outside the clerk's scope is not offered and not accepted.
    response = client.post(reverse("nhapdulieu:upload"), {"organization": tree["a"].pk, "file": xlsx(_rows(1))})
    assert response.status_code == 200 and ImportJob.objects.count() == 1


def test_job_page_queries_do_not_grow_with_rows(client, tree, clerk_a, django_capture_on_commit_callbacks):
    client.force_login(clerk_a)
    counts = []
    for n in (2, 40):
        client.post(reverse("nhapdulieu:upload"), {"organization": tree["a"].pk, "file": xlsx(_rows(n))})
        job = ImportJob.objects.latest("pk")
        counts.append(query_count(client, reverse("nhapdulieu:job", args=[job.pk])))
    assert counts[0] == counts[1]


def test_the_progress_bar_polls_until_the_check_is_done(client, tree, clerk_a):
    from django.core.cache import cache

    from nhapdulieu.services import progress_key

    client.force_login(clerk_a)
    client.post(reverse("nhapdulieu:upload"), {"organization": tree["a"].pk, "file": xlsx(_rows(3))})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="checking")  # a worker has it
    cache.set(progress_key(job.pk), {"done": 2, "total": 3, "phase": "check"}, 60)
    url = reverse("nhapdulieu:job", args=[job.pk])
    polled = client.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in polled.content.decode() and "2/3" in polled.content.decode()
    assert "HX-Refresh" not in polled
    ImportJob.objects.filter(pk=job.pk).update(
        status="checked", counts={"create": 3, "update": 0, "skip": 0, "error": 0}
    )
    assert client.get(url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_the_changes_page_names_fields_and_values_in_vietnamese(
    client, tree, clerk_a, django_capture_on_commit_callbacks
):
    client.force_login(clerk_a)
    client.post(reverse("nhapdulieu:upload"), {"organization": tree["a"].pk, "file": xlsx(_rows(1))})
    job = ImportJob.objects.get()
    url = reverse("nhapdulieu:job", args=[job.pk])
    form = _suggested_columns(job)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "write"})
    page = client.get(reverse("nhapdulieu:changes", args=[job.pk])).content.decode()
    assert "Họ và tên:" in page and "Ngày sinh:" in page and tree["a"].name in page and "19/05/2010" in page
    assert "full_name" not in page and "birth_date" not in page


def test_communes_to_confirm_are_shown_as_typed_and_a_bad_choice_is_a_message(
    client, tree, clerk_a, django_capture_on_commit_callbacks
):
    client.force_login(clerk_a)
    rows = _rows(1)
    rows[0] = [*rows[0], "Xã/Phường", "Tỉnh"]
    rows[1] = [*rows[1], "Phường Hiến Nam", "Hưng Yên"]
    client.post(reverse("nhapdulieu:upload"), {"organization": tree["a"].pk, "file": xlsx(rows)})
    job = ImportJob.objects.get()
    url = reverse("nhapdulieu:job", args=[job.pk])
    form = _suggested_columns(job)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form)
    page = client.get(url).content.decode()
    assert "Phường Hiến Nam, Hưng Yên" in page
    response = client.post(url, {"action": "communes", "commune_0": "abc"}, follow=True)
    assert response.status_code == 200 and "Chọn một xã/phường trong danh sách gợi ý." in response.content.decode()
