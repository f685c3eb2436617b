from django.urls import reverse

from tests import factories


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
