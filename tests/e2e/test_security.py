"""Two-step login and the lockout, as a clerk meets them on a phone."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from chibo.models import Role
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "x-test-password-1"


def code_of(device):
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def code_from_key(text):
    """What an authenticator app shows for the key the page gives to type in."""
    import base64

    return f"{totp(base64.b32decode(text.replace(' ', ''))):06d}"


def password_step(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_clerk_sets_up_two_step_login_then_uses_it(phone, live_server, tree, settings, shot):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["clerk", "signing_secretary", "board_viewer", "admin"]
    clerk = factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)])
    page = phone
    password_step(page, live_server, "clerk_a")
    expect(page.get_by_role("heading", name="Cài đặt đăng nhập hai bước")).to_be_visible()
    expect(page.get_by_alt_text("Mã QR cho ứng dụng xác thực")).to_be_visible()
    shot(page, "2fa-setup-phone")
    # The members page is closed until the code is confirmed.
    page.goto(f"{live_server.url}/dang-vien/")
    expect(page.get_by_role("heading", name="Cài đặt đăng nhập hai bước")).to_be_visible()
    page.get_by_label("Mã xác thực").fill(code_from_key(page.locator("code").inner_text()))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Đã bật đăng nhập hai bước")).to_be_visible()
    codes = page.get_by_test_id("backup-codes").locator("li")
    expect(codes).to_have_count(10)
    shot(page, "2fa-backup-codes-phone")
    page.get_by_role("link", name="Tiếp tục").click()
    expect(page).to_have_url(f"{live_server.url}/dang-vien/")
    device = TOTPDevice.objects.get(user=clerk, confirmed=True)

    # Another day (a code is accepted once, so the one used above is forgotten): password, then the code.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    page.context.clear_cookies()
    password_step(page, live_server, "clerk_a")
    expect(page.get_by_role("heading", name="Đăng nhập hai bước")).to_be_visible()
    page.get_by_label("Mã xác thực").fill(code_of(device))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page).to_have_url(f"{live_server.url}/")


def test_repeated_wrong_passwords_lock_the_login(page, live_server, tree, settings, shot):
    factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(page, live_server, "clerk_a", "not-the-password")
    expect(page.get_by_role("heading", name="Đăng nhập tạm khoá")).to_be_visible()
    password_step(page, live_server, "clerk_a")
    expect(page.get_by_text("Đăng nhập bị từ chối trong 15 phút")).to_be_visible()
    shot(page, "login-locked")


def test_an_administrator_answers_a_data_subject_request_and_sees_who_read_the_record(
    page, live_server, tree, admin_user, shot, tmp_path
):
    import io
    import json
    import zipfile

    member = factories.member(tree["a1"], full_name="Nguyễn Văn Đức")
    factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)])
    # A clerk reads the record.
    password_step(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/dang-vien/{member.pk}/")
    expect(page.get_by_test_id("member-name")).to_have_text("Nguyễn Văn Đức")
    expect(page.get_by_test_id("subject-export")).to_have_count(0)
    page.context.clear_cookies()

    # The national administrator downloads everything held about the member...
    password_step(page, live_server, "national")
    page.goto(f"{live_server.url}/dang-vien/{member.pk}/")
    with page.expect_download() as download:
        page.get_by_test_id("subject-export").click()
    path = tmp_path / "du-lieu.zip"
    download.value.save_as(path)
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    assert json.loads(archive.read("du-lieu.json"))["member"]["fields"]["full_name"] == "Nguyễn Văn Đức"
    # ...and sees who read the record, the clerk among them.
    page.get_by_role("link", name="Ai đã xem hồ sơ này").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text="clerk_a").filter(has_text="Xem hồ sơ đảng viên")).to_have_count(1)
    expect(rows.filter(has_text="Nguyễn Văn Đức")).to_have_count(3)
    expect(rows.filter(has_text="Xuất toàn bộ dữ liệu")).to_have_count(1)
    shot(page, "access-log-of-a-member")
