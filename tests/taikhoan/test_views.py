from django.urls import reverse

from tests import factories
from tests.helpers import query_count


def test_login_page_is_vietnamese_by_default(client, db):
    body = client.get(reverse("taikhoan:login")).content.decode()
    assert 'lang="vi"' in body and "Đăng nhập" in body


def test_english_is_available(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("taikhoan:login")).content.decode()
    assert 'lang="en"' in body and "Log in" in body


def test_wrong_password_message_in_vietnamese(client, db):
    factories.user("someone")
    response = client.post(reverse("taikhoan:login"), {"username": "someone", "password": "wrong"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_login_then_home_lists_roles(client, tree, clerk_a):
    response = client.post(reverse("taikhoan:login"), {"username": "clerk_a", "password": "x-test-password-1"})
    assert response.status_code == 302
    body = client.get(reverse("taikhoan:home")).content.decode()
    assert tree["a"].name in body


def test_home_query_count(client, tree, clerk_a, django_assert_max_num_queries):
    client.force_login(clerk_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("taikhoan:home")).status_code == 200


def test_password_change_page(client, tree, clerk_a):
    client.force_login(clerk_a)
    assert client.get(reverse("taikhoan:password_change")).status_code == 200


def test_logout_is_post(client, tree, clerk_a):
    client.force_login(clerk_a)
    assert client.post(reverse("taikhoan:logout")).status_code == 302
    assert client.get(reverse("taikhoan:home")).status_code == 302


def test_browser_language_does_not_override_vietnamese_default(client, db):
    body = client.get(reverse("taikhoan:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in body and "Đăng nhập" in body


def test_password_change_is_audited_and_keeps_the_session(client, tree, clerk_a):
    from nhatky.models import AuditEvent

    client.force_login(clerk_a)
    response = client.post(
        reverse("taikhoan:password_change"),
        {
            "old_password": "x-test-password-1",
            "new_password1": "Mat-khau-moi-2026",
            "new_password2": "Mat-khau-moi-2026",
        },
    )
    assert response.status_code == 302
    clerk_a.refresh_from_db()
    assert clerk_a.check_password("Mat-khau-moi-2026")
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.actor == clerk_a and "Mat-khau" not in str(event.changes)
    assert client.get(reverse("taikhoan:home")).status_code == 200


def test_home_query_count_does_not_grow_with_inbox_rows(client, setup):
    from dangvien.services import letter_issue

    client.force_login(setup["clerk"])
    letter_issue(actor=setup["clerk"], member=setup["member"])
    one = query_count(client, reverse("taikhoan:home"))
    for i in range(3):
        letter_issue(actor=setup["clerk"], member=factories.member(setup["a2"], full_name=f"Lê Văn Số{i}"))
    assert query_count(client, reverse("taikhoan:home")) == one
