"""Issue 9 journey: a clerk uploads the office's old register, checks it, fixes nothing, writes it."""

import datetime

import pytest

from chibo.models import Role
from dangvien.models import Member
from tests import factories
from tests.nhapdulieu.conftest import HEADER, xlsx

from .test_journeys import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_upload_check_and_write_a_register(page, live_server, tree, shot, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)])
    rows = [HEADER]
    for n, (name, born) in enumerate(
        [("NGUYỄN VĂN AN", "12/3/1985"), ("Trần  Thị Bình", "1/7/1990"), ("Lê Văn Cường", "31/02/1980")], 1
    ):
        gender = "female" if "Thị" in name else "male"
        cid = factories.citizen_id_for(gender, datetime.date(int(born[-4:]), 1, 1), 300 + n)
        rows.append(
            [
                n,
                name,
                "Nữ" if gender == "female" else "Nam",
                born,
                cid,
                "19/05/2010",
                "19/05/2011",
                "Chuyên viên",
                "0912 345 678",
                "x",
            ]
        )
    path = tmp_path / "so-dang-vien.xlsx"
    path.write_bytes(xlsx(rows, titles=["DANH SÁCH ĐẢNG VIÊN"]).read())

    login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/nhap-du-lieu/")
    page.get_by_test_id("new-import").click()
    page.get_by_label("Danh sách đảng viên (.xlsx hoặc .csv)").set_input_files(str(path))
    page.get_by_test_id("upload").click()
    page.get_by_test_id("check").wait_for()
    shot(page, "60-import-columns")
    page.get_by_test_id("check").click()
    page.locator('[data-testid=import-status][data-status="checked"]').wait_for(state="attached")
    assert page.locator('[data-count="create"]').inner_text() == "2"
    assert "31/02/1980" in page.get_by_test_id("problems").inner_text()
    shot(page, "61-import-checked")
    assert Member.objects.count() == 0
    page.get_by_test_id("write").click()
    page.locator('[data-testid=import-status][data-status="done"]').wait_for(state="attached")
    shot(page, "62-import-done")
    assert sorted(Member.objects.values_list("full_name", flat=True)) == ["Nguyễn Văn An", "Trần Thị Bình"]
