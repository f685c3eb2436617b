"""The client's address behind the TLS proxy: X-Forwarded-For believed only from TRUSTED_PROXIES,
and used by the access log, the login lockout and the health report's network check."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from common.http import client_ip


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),  # no proxy
        ("203.0.113.9", "10.1.1.1", "203.0.113.9"),  # a header from anyone is not believed
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),  # from our proxy: the client it saw
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # what the client wrote is left of it
        ("10.0.0.2", "198.51.100.7, 10.0.0.3", "198.51.100.7"),  # two proxies of ours
        ("10.0.0.2", "not-an-address, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7, garbage", "10.0.0.2"),  # a broken hop: nothing further believed
        ("10.0.0.2", None, "10.0.0.2"),
        ("", None, None),
    ],
)
def test_forwarded_address_believed_only_from_trusted_proxies(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request(remote, forwarded)) == expected


def test_behind_the_proxy_the_access_log_and_the_lockout_record_the_client(client, tree, clerk_a, settings):
    from axes.models import AccessAttempt

    from nhatky.models import AccessEvent

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    client.post(reverse("taikhoan:login"), {"username": "clerk_a", "password": "wrong-password-1"}, **proxied)
    assert AccessAttempt.objects.get(username="clerk_a").ip_address == "198.51.100.7"
    client.force_login(clerk_a)
    from tests import factories

    member = factories.member(tree["a1"])
    assert client.get(reverse("dangvien:detail", args=[member.pk]), **proxied).status_code == 200
    assert AccessEvent.objects.get(member_id=member.pk).ip == "198.51.100.7"
