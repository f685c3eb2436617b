"""Login hardening (issue 10): password rules, lockout after repeated failures, two-step login."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from chibo.models import Role
from tests import factories

PASSWORD = "x-test-password-1"
ROLES_2FA = ["clerk", "signing_secretary", "board_viewer", "admin"]


def login(client, username, password=PASSWORD):
    return client.post(reverse("taikhoan:login"), {"username": username, "password": password})


def let_time_pass(user):
    """django-otp refuses any code for a while after a wrong one (1 s, then doubling): move the
    failures into the past instead of sleeping."""
    import datetime

    from django.utils import timezone
    from django_otp.plugins.otp_static.models import StaticDevice

    past = timezone.now() - datetime.timedelta(hours=1)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_timestamp=past)


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("matkhaudai", False),  # one kind
        ("matkhaudai2026", False),  # two kinds
        ("Matkhaudai2026", True),  # three
        ("mật khẩu dài 2026", True),  # lower, digits, spaces
    ],
)
def test_password_needs_three_kinds_of_character(client, tree, clerk_a, password, ok):
    client.force_login(clerk_a)
    response = client.post(
        reverse("taikhoan:password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    clerk_a.refresh_from_db()
    assert clerk_a.check_password(password) is ok
    if not ok:
        assert response.status_code == 200
        assert "ít nhất 3 loại ký tự" in response.content.decode()


def test_too_short_password_is_refused_in_vietnamese(client, tree, clerk_a):
    client.force_login(clerk_a)
    response = client.post(
        reverse("taikhoan:password_change"),
        {"old_password": PASSWORD, "new_password1": "Ab1!", "new_password2": "Ab1!"},
    )
    assert response.status_code == 200
    assert "quá ngắn" in response.content.decode()


def test_lockout_after_repeated_failures_even_with_the_right_password(client, tree, clerk_a, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "clerk_a", "wrong-password").status_code == 200
    # The last allowed failure locks the username.
    response = login(client, "clerk_a", "wrong-password")
    assert response.status_code == 429
    response = login(client, "clerk_a")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Đăng nhập tạm khoá" in body and "15 phút" in body
    assert "_auth_user_id" not in client.session
    # From another address too: the lock is on the username.
    response = client.post(
        reverse("taikhoan:login"), {"username": "clerk_a", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429
    # Another user is not affected.
    factories.user("other")
    assert login(client, "other").status_code == 302
    # An administrator clears the attempts (axes' admin); the right password works again.
    AccessAttempt.objects.filter(username="clerk_a").delete()
    assert login(client, "clerk_a").status_code == 302


def test_a_right_password_resets_the_count(client, tree, clerk_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "clerk_a", "wrong-password")
    assert login(client, "clerk_a").status_code == 302
    client.post(reverse("taikhoan:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "clerk_a", "wrong-password")
    assert login(client, "clerk_a").status_code == 302


def test_two_step_login_set_up_then_required(client, tree, clerk_a, settings):
    from nhatky.models import AuditEvent

    settings.TWO_FACTOR_REQUIRED_ROLES = ROLES_2FA
    response = login(client, "clerk_a")
    assert response.status_code == 302
    # Every page sends a clerk without an authenticator to set one up.
    response = client.get(reverse("dangvien:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("taikhoan:otp_setup"))
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "Cài đặt đăng nhập hai bước" in body and 'src="data:image/svg+xml' in body
    device = TOTPDevice.objects.get(user=clerk_a, confirmed=False)
    # A wrong code is refused at the field, and nothing is confirmed.
    response = client.post(
        reverse("taikhoan:otp_setup"), {"token": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert response.status_code == 200 and "Mã không đúng" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    let_time_pass(clerk_a)
    response = client.post(reverse("taikhoan:otp_setup"), {"token": current_code(device), "next": "/dang-vien/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and all(code in response.content.decode() for code in codes)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditEvent.objects.filter(action="user.2fa_enable", object_id=str(clerk_a.pk)).count() == 1
    assert client.get(reverse("dangvien:list")).status_code == 200

    # Next login: the password alone doesn't open the pages.
    client.post(reverse("taikhoan:logout"))
    login(client, "clerk_a")
    response = client.get(reverse("dangvien:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("taikhoan:otp_verify"))
    response = client.post(reverse("taikhoan:otp_verify"), {"token": "12345678"})
    assert response.status_code == 200 and "Mã không đúng" in response.content.decode()
    assert client.get(reverse("dangvien:list")).status_code == 302
    let_time_pass(clerk_a)
    # A backup code works once.
    response = client.post(reverse("taikhoan:otp_verify"), {"token": codes[0], "next": reverse("dangvien:list")})
    assert response.status_code == 302 and response["Location"] == reverse("dangvien:list")
    assert client.get(reverse("dangvien:list")).status_code == 200
    client.post(reverse("taikhoan:logout"))
    login(client, "clerk_a")
    response = client.post(reverse("taikhoan:otp_verify"), {"token": codes[0]})
    assert response.status_code == 200 and "Mã không đúng" in response.content.decode()


def test_next_is_kept_inside_the_site(client, tree, clerk_a, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ROLES_2FA
    device = TOTPDevice.objects.create(user=clerk_a, name="app", confirmed=True)
    login(client, "clerk_a")
    response = client.post(
        reverse("taikhoan:otp_verify"), {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("taikhoan:home")


def test_roles_that_need_no_second_step_go_straight_in(client, tree, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ROLES_2FA
    factories.user("secretary", roles=[(tree["res"], Role.BRANCH_SECRETARY)])
    login(client, "secretary")
    assert client.get(reverse("taikhoan:home")).status_code == 200


def test_staff_need_it_when_admin_is_listed(client, tree, admin_user, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ROLES_2FA
    login(client, "national")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("taikhoan:otp_setup"))
    settings.TWO_FACTOR_REQUIRED_ROLES = ["clerk"]
    client.post(reverse("taikhoan:logout"))
    login(client, "national")
    assert client.get("/admin/").status_code == 200


def test_admin_resets_a_lost_authenticator(client, tree, clerk_a, admin_user, settings):
    from django_otp.plugins.otp_static.models import StaticDevice

    from nhatky.models import AuditEvent

    settings.TWO_FACTOR_REQUIRED_ROLES = ["clerk"]
    TOTPDevice.objects.create(user=clerk_a, name="app", confirmed=True)
    StaticDevice.objects.create(user=clerk_a, name="backup", confirmed=True)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:taikhoan_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [clerk_a.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk_a).exists()
    assert not StaticDevice.objects.filter(user=clerk_a).exists()
    assert AuditEvent.objects.filter(action="user.2fa_reset", object_id=str(clerk_a.pk), actor=admin_user).exists()
    client.post(reverse("taikhoan:logout"))
    login(client, "clerk_a")
    response = client.get(reverse("taikhoan:home"))
    assert response["Location"].startswith(reverse("taikhoan:otp_setup"))


def test_only_who_may_change_users_resets_and_only_a_superuser_a_superusers(client, tree, clerk_a, admin_user):
    """A staff member who may only see the users list could reset a superuser's authenticator,
    then set up their own with a password they held."""
    from django.contrib.auth.models import Permission

    from nhatky.models import AuditEvent

    TOTPDevice.objects.create(user=admin_user, name="app", confirmed=True)
    viewer = factories.user("viewer", roles=[], is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)
    url = reverse("admin:taikhoan_user_changelist")
    client.post(url, {"action": "reset_two_factor", "_selected_action": [admin_user.pk]})
    viewer.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(viewer)
    response = client.post(url, {"action": "reset_two_factor", "_selected_action": [admin_user.pk]}, follow=True)
    assert "Bạn không có quyền đặt lại đăng nhập hai bước" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin_user).exists()
    assert not AuditEvent.objects.filter(action="user.2fa_reset").exists()


def test_secure_cookies_and_session_expiry_in_production():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY="x" * 60)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tdv213")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SESSION_COOKIE_AGE <= 8 * 3600, s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True"] * 6


def test_the_key_stays_until_confirmed_and_background_requests_are_refused(client, tree, clerk_a, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ROLES_2FA
    login(client, "clerk_a")
    first = client.get(reverse("taikhoan:otp_setup")).context["key"]
    # The page's own background request (the notices badge) doesn't open the setup page again.
    badge = client.get(reverse("taikhoan:notifications_unread"), headers={"Sec-Fetch-Dest": "empty"})
    assert badge.status_code == 403
    assert client.get(reverse("taikhoan:otp_setup")).context["key"] == first
    assert TOTPDevice.objects.filter(user=clerk_a).count() == 1


def test_a_user_who_turned_two_step_login_on_is_asked_for_the_code(client, tree, settings):
    """Not only the roles that require it: an authenticator a user confirmed is always asked for."""
    settings.TWO_FACTOR_REQUIRED_ROLES = ROLES_2FA
    secretary = factories.user("secretary", roles=[(tree["res"], Role.BRANCH_SECRETARY)])
    TOTPDevice.objects.create(user=secretary, name="app", confirmed=True)
    login(client, "secretary")
    response = client.get(reverse("taikhoan:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("taikhoan:otp_verify"))


def test_a_right_code_typed_while_codes_are_refused_is_told_to_wait(client, tree, clerk_a, settings):
    """After a wrong code django-otp refuses every code for a while: the right one typed then is
    told to wait, not that it is wrong; after the wait it opens."""
    settings.TWO_FACTOR_REQUIRED_ROLES = ROLES_2FA
    device = TOTPDevice.objects.create(user=clerk_a, name="app", confirmed=True)
    login(client, "clerk_a")
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post(reverse("taikhoan:otp_verify"), {"token": wrong})
    assert "Mã không đúng" in response.content.decode()
    response = client.post(reverse("taikhoan:otp_verify"), {"token": current_code(device)})
    assert response.status_code == 200 and "hãy chờ" in response.content.decode()
    assert "Mã không đúng" not in response.content.decode()
    let_time_pass(clerk_a)
    response = client.post(reverse("taikhoan:otp_verify"), {"token": current_code(device)})
    assert response.status_code == 302
