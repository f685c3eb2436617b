"""Deliveries: bad addresses and bounces recorded as failed (not retried forever), channels that
are not configured say so, a gateway channel really posts, digests gather the day's notices."""

import datetime
import json
import smtplib
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from nhacviec.models import Delivery, DeliveryStatus
from nhacviec.services.deliveries import (
    MAX_ATTEMPTS,
    deliveries_recover,
    deliveries_retry,
    deliveries_send,
    digests_build,
)
from taikhoan.models import Notification, NotificationKind
from taikhoan.services import notification_preference_save, notify_many
from tests import factories

pytestmark = pytest.mark.django_db


class RefusingBackend(EmailBackend):
    """The mail server: refuses addresses at bounce.example, is down for down.example."""

    def send_messages(self, messages):
        for message in messages:
            if message.to[0].endswith("@bounce.example"):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"5.1.1 User unknown")})
            if message.to[0].endswith("@down.example"):
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = "tests.nhacviec.test_deliveries.RefusingBackend"


def _notify(user, key="k1", kind=NotificationKind.GENERAL):
    notify_many(items=[(user, key, "Tiêu đề", "Nội dung", "/nhan-xet/")], kind=kind)
    return Delivery.objects.filter(user=user).order_by("-pk").first()


def test_a_malformed_address_fails_at_once_and_is_not_retried(db, refusing):
    user = factories.user(email="khong-phai-email")
    delivery = _notify(user)
    assert deliveries_send([delivery.pk]) == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "không hợp lệ" in delivery.error
    assert Notification.objects.filter(user=user).count() == 1  # the inbox still has it
    assert mail.outbox == []


def test_a_refused_address_is_a_bounce_recorded_for_the_administrator(db, refusing):
    delivery = _notify(factories.user(email="ai@bounce.example"))
    assert deliveries_send([delivery.pk]) == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "User unknown" in delivery.error and delivery.attempts == 1


def test_a_server_that_is_down_is_retried_a_few_times_then_given_up(db, refusing):
    delivery = _notify(factories.user(email="ai@down.example"))
    for attempt in range(1, MAX_ATTEMPTS):
        assert deliveries_send([delivery.pk]) == [delivery.pk]
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == attempt
    assert deliveries_send([delivery.pk]) == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and f"{MAX_ATTEMPTS}" in delivery.error


def test_a_delivery_is_sent_once_even_when_handed_out_twice(db):
    delivery = _notify(factories.user(email="mot@example.org"))
    deliveries_send([delivery.pk])
    deliveries_send([delivery.pk])
    assert len(mail.outbox) == 1 and mail.outbox[0].extra_headers["Message-ID"].startswith(f"<delivery-{delivery.pk}@")


def test_the_administrator_sends_a_failed_one_again_after_correcting_the_address(db, refusing, admin_user):
    user = factories.user(email="sai")
    delivery = _notify(user)
    deliveries_send([delivery.pk])
    user.email = "dung@example.org"
    user.save()
    assert deliveries_retry(actor=admin_user, ids=[delivery.pk]) == 1
    deliveries_send([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and mail.outbox[0].to == ["dung@example.org"]


def test_a_claim_left_by_a_dead_worker_is_handed_out_again(db, django_capture_on_commit_callbacks):
    delivery = _notify(factories.user(email="mot@example.org"))
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, tried_at=timezone.now() - datetime.timedelta(hours=1), attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_recover() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and len(mail.outbox) == 1


def test_sms_not_configured_says_so_and_the_user_cannot_choose_it(db, settings):
    from django.core.exceptions import ValidationError

    settings.SMS_GATEWAY_URL = ""
    user = factories.user(email="", phone="0912345678")
    with pytest.raises(ValidationError, match="chưa được cấu hình"):
        notification_preference_save(actor=user, email_kinds=[], digest="immediate", sms=True)


class Gateway(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append((self.headers["Authorization"], body))
        status = 400 if body["to"] == "0999999999" else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.SMS_GATEWAY_TOKEN = "bi-mat"
    Gateway.received = []
    yield Gateway
    server.shutdown()


def test_sms_through_a_configured_gateway_and_a_refused_number_fails(db, gateway):
    ok = factories.user(email="", phone="0912345678")
    refused = factories.user(email="", phone="0999999999")
    for user in (ok, refused):
        notification_preference_save(actor=user, email_kinds=[], digest="immediate", sms=True)
        _notify(user)
    deliveries_send(list(Delivery.objects.values_list("pk", flat=True)))
    statuses = dict(Delivery.objects.values_list("address", "status"))
    assert statuses == {"0912345678": DeliveryStatus.SENT, "0999999999": DeliveryStatus.FAILED}
    assert gateway.received[0][0] == "Bearer bi-mat" and "Tiêu đề" in gateway.received[0][1]["text"]


def test_a_configured_channel_that_is_later_removed_records_unconfigured(db, gateway, settings):
    user = factories.user(email="", phone="0912345678")
    notification_preference_save(actor=user, email_kinds=[], digest="immediate", sms=True)
    delivery = _notify(user)
    settings.SMS_GATEWAY_URL = ""
    deliveries_send([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.UNCONFIGURED and "SMS" in delivery.error
    assert gateway.received == []


def test_a_daily_digest_gathers_yesterdays_notices_in_one_email(db):
    user = factories.user(email="ngay@example.org")
    notification_preference_save(actor=user, email_kinds=["letter", "meeting"], digest="daily")
    for i, kind in enumerate([NotificationKind.LETTER, NotificationKind.MEETING, NotificationKind.EVALUATION]):
        notify_many(items=[(user, f"d{i}", f"Việc {i}", "", f"/x/{i}/")], kind=kind)
    assert Delivery.objects.count() == 0  # not one e-mail per notice
    today = timezone.localdate() + datetime.timedelta(days=1)
    ids = digests_build(today)
    assert digests_build(today) == ids  # the same digest, not a second one
    [digest] = Delivery.objects.all()
    assert "Việc 0" in digest.body and "Việc 1" in digest.body and "Việc 2" not in digest.body
    assert digest.subject.startswith("2 ")


class ClosingFailsBackend(EmailBackend):
    """A server that takes the messages and then drops the connection while it is being closed."""

    def close(self):
        raise ConnectionResetError("Connection reset by peer")


class UnreachableBackend(EmailBackend):
    """A server that cannot be reached at all."""

    def open(self):
        raise ConnectionRefusedError("Connection refused")


def test_a_connection_lost_after_sending_keeps_what_went_and_one_never_opened_goes_back(db, settings):
    users = [factories.user(email=f"ai{i}@example.org") for i in range(2)]
    settings.EMAIL_BACKEND = "tests.nhacviec.test_deliveries.ClosingFailsBackend"
    sent = [_notify(user, key="sent") for user in users]
    assert deliveries_send([d.pk for d in sent]) == []
    assert {d.status for d in Delivery.objects.filter(pk__in=[d.pk for d in sent])} == {DeliveryStatus.SENT}
    assert len(mail.outbox) == 2
    settings.EMAIL_BACKEND = "tests.nhacviec.test_deliveries.UnreachableBackend"
    waiting = [_notify(user, key="waiting") for user in users]
    assert sorted(deliveries_send([d.pk for d in waiting])) == sorted(d.pk for d in waiting)
    for delivery in Delivery.objects.filter(pk__in=[d.pk for d in waiting]):
        assert delivery.status == DeliveryStatus.PENDING and "refused" in delivery.error
    assert len(mail.outbox) == 2
