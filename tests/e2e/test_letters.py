"""Issue 4 journey: a clerk issues three letters and prints them; the commune receives one."""

import datetime
import subprocess

import pytest

from chibo.models import Commune, Role
from tests import factories
from tests.images import configure_signing

from .test_journeys import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(tree, admin_user):
    from chibo.services import organization_update

    organization_update(
        actor=admin_user, org=tree["commune"], commune=Commune.objects.get(code=70), place_name="Hà Nội"
    )
    organization_update(actor=admin_user, org=tree["a"], place_name="Hà Nội")
    configure_signing(tree["a"])
    configure_signing(tree["commune"], name="Lê Thị Hoa")
    factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)])
    factories.user("office", roles=[(tree["commune"], Role.CLERK)])
    names = ["Nguyễn Văn Đức", "Trần Thị Dung", "Lê Văn An"]
    members = [
        factories.member(tree["a1"], full_name=n, gender="female" if "Thị" in n else "male", commune_code=70)
        for n in names
    ]
    return {"members": members, **tree}


def test_issue_three_letters_print_and_receive(page, live_server, data, shot, tmp_path):
    login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/dang-vien/")
    for member in data["members"]:
        page.get_by_label(member.full_name).check()
    page.get_by_role("button", name="Cấp giấy giới thiệu cho các đảng viên đã chọn").click()
    page.wait_for_url("**/gioi-thieu-hang-loat/")
    shot(page, "10-batch-confirm")
    page.get_by_role("button", name="Cấp giấy giới thiệu").click()
    page.get_by_test_id("batch-done").wait_for()
    shot(page, "11-batch-done")
    href = page.get_by_test_id("combined-pdf").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    combined = tmp_path / "letters.pdf"
    combined.write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(combined), "-"], capture_output=True, text=True, check=True).stdout
    assert all(m.full_name in text for m in data["members"]) and "GIẤY GIỚI THIỆU" in text
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(combined), str(tmp_path / "page")], check=True
    )
    assert (tmp_path / "page-1.png").stat().st_size > 0

    page.context.clear_cookies()
    login(page, live_server, "office")
    page.locator("#nav").get_by_role("link", name="Giấy giới thiệu đến").click()
    row = page.locator("tr.link-row", has_text="Nguyễn Văn Đức")
    row.get_by_role("link", name="Tiếp nhận").click()
    page.get_by_label("Ngày nhận").fill(datetime.date.today().strftime("%d/%m/%Y"))
    page.get_by_label("Chi bộ nơi cư trú").select_option(str(data["res"].pk))
    shot(page, "12-receive-form")
    page.get_by_role("button", name="Ghi nhận tiếp nhận và gửi phiếu báo").click()
    page.wait_for_url("**/noi-cu-tru/")
    assert page.get_by_text("1-PB/ĐU").first.is_visible()

    page.context.clear_cookies()
    login(page, live_server, "clerk_a")
    page.locator("#nav").get_by_role("link", name="Giấy giới thiệu đã gửi").click()
    page.get_by_role("link", name="Đã được tiếp nhận").click()
    assert page.locator("tr.link-row", has_text="Nguyễn Văn Đức").get_by_text("1-PB/ĐU").is_visible()
    shot(page, "13-acknowledged")
