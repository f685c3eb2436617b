"""The first journeys: a clerk finds a member; a clerk of another organisation cannot."""

import pytest
from playwright.sync_api import expect

from chibo.models import Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "x-test-password-1"


def login(page, live_server, username):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def data(tree):
    duc = factories.member(tree["a1"], full_name="Nguyễn Văn Đức", position="Phó Trưởng phòng")
    for name in ["Trần Thị Dung", "Lê Văn An", "Nguyễn Thị Ánh"]:
        factories.member(tree["a2"], full_name=name, gender="female" if "Thị" in name else "male")
    factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)])
    factories.user("clerk_b", roles=[(tree["b"], Role.CLERK)])
    return {"duc": duc, **tree}


def test_clerk_searches_without_diacritics_and_opens_detail(page, live_server, data, shot):
    login(page, live_server, "clerk_a")
    shot(page, "01-home-clerk")
    assert page.get_by_text("Đảng bộ Sở Giáo dục").first.is_visible()
    page.get_by_role("link", name="Đảng viên", exact=True).first.click()
    page.wait_for_url("**/dang-vien/")
    rows = page.locator("tr.member-row")
    assert rows.count() == 4
    # Vietnamese order: given name first (An, Ánh, Dung, Đức).
    assert rows.first.inner_text().strip().startswith("Lê Văn An")
    page.get_by_role("searchbox").fill("nguyen van duc")
    # (A locator, not wait_for_function: the page's Content-Security-Policy forbids eval.)
    expect(page.locator("tr.member-row")).to_have_count(1)
    shot(page, "02-search-nguyen-van-duc")
    page.get_by_role("link", name="Nguyễn Văn Đức").click()
    page.wait_for_url(f"**/dang-vien/{data['duc'].pk}/")
    assert page.get_by_test_id("member-name").inner_text() == "Nguyễn Văn Đức"
    assert page.get_by_text("Phó Trưởng phòng").is_visible()
    shot(page, "03-member-detail")


def test_clerk_of_neighbour_gets_404(page, live_server, data, shot):
    login(page, live_server, "clerk_b")
    response = page.goto(f"{live_server.url}/dang-vien/{data['duc'].pk}/")
    assert response.status == 404
    shot(page, "04-neighbour-404")
    page.goto(f"{live_server.url}/dang-vien/?q=duc")
    assert page.locator("tr.member-row").count() == 0


def test_clerk_fixes_bad_citizen_id_on_phone(phone, live_server, data, shot):
    login(phone, live_server, "clerk_a")
    phone.goto(f"{live_server.url}/dang-vien/them/")
    phone.get_by_label("Họ và tên").fill("Hoàng Thị Mai")
    phone.get_by_label("Giới tính").select_option("female")
    phone.get_by_label("Ngày sinh").fill("12/03/1990")
    phone.get_by_label("Số định danh cá nhân (CCCD)").fill("0331900")
    phone.get_by_label("Trạng thái").select_option("probationary")
    phone.get_by_label("Ngày vào Đảng").fill("19/05/2025")
    phone.get_by_label("Chi bộ nơi công tác").select_option(str(data["a1"].pk))
    phone.get_by_role("button", name="Lưu").click()
    error = phone.locator("#id_citizen_id").locator("xpath=..").get_by_text("12 chữ số")
    assert error.is_visible()
    shot(phone, "05-phone-field-error")
    phone.get_by_label("Số định danh cá nhân (CCCD)").fill("033190000123")
    phone.get_by_label("Chi bộ nơi công tác").select_option(str(data["a1"].pk))
    phone.get_by_role("button", name="Lưu").click()
    phone.wait_for_url("**/dang-vien/*/")
    assert phone.get_by_test_id("member-name").inner_text() == "Hoàng Thị Mai"
    shot(phone, "06-phone-member-saved")
