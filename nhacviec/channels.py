"""Ways a notice leaves the app, behind one interface.

E-mail goes through Django's e-mail backend (SMTP settings from the environment). SMS and Zalo go
through an HTTP gateway each (a URL and a token in the environment); a channel whose settings are
missing says so on every delivery and never pretends to send.
"""

import json
import re
import smtplib
import urllib.error
import urllib.request

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import Channel as ChannelCode


class PermanentFailure(Exception):
    """The address or the message will never go through: recorded as failed, not retried."""


class TemporaryFailure(Exception):
    """The server or the network failed this time: retried a few times, then recorded as failed."""


class Channel:
    code: str = ""

    def configured(self) -> bool:
        raise NotImplementedError

    def not_configured_reason(self) -> str:
        return _("The %(channel)s channel is not configured on this server.") % {"channel": self.label()}

    def label(self) -> str:
        return ChannelCode(self.code).label

    def address_of(self, user=None, member=None) -> str:
        raise NotImplementedError

    def check(self, address: str) -> None:
        """Raise PermanentFailure when the address can never work."""

    def open(self):
        """A context manager around a batch of sends (one SMTP connection for many e-mails)."""
        return _NoConnection()

    def send(self, delivery, connection) -> None:
        raise NotImplementedError


class _NoConnection:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class EmailChannel(Channel):
    code = ChannelCode.EMAIL

    def configured(self) -> bool:
        return bool(settings.EMAIL_BACKEND) and not settings.EMAIL_BACKEND.endswith("dummy.EmailBackend")

    def address_of(self, user=None, member=None) -> str:
        return ((user or member).email or "").strip()

    def check(self, address: str) -> None:
        try:
            validate_email(address)
        except ValidationError as exc:
            raise PermanentFailure(_("The e-mail address “%(address)s” is not valid.") % {"address": address}) from exc

    def open(self):
        return mail.get_connection()

    def send(self, delivery, connection) -> None:
        domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
        message = mail.EmailMessage(
            delivery.subject,
            delivery.body,
            settings.DEFAULT_FROM_EMAIL,
            [delivery.address],
            connection=connection,
            # The same Message-ID on a resend lets mail servers and clients drop a duplicate.
            headers={"Message-ID": f"<delivery-{delivery.pk}@{domain}>"},
        )
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(_("The mail server refused the address: %(detail)s") % {"detail": exc}) from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(
                    _("The mail server refused the message: %(code)s %(detail)s")
                    % {"code": exc.smtp_code, "detail": exc.smtp_error}
                ) from exc
            raise TemporaryFailure(str(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(str(exc) or exc.__class__.__name__) from exc


PHONE = re.compile(r"^(\+?84|0)\d{9}$")


class GatewayChannel(Channel):
    """A text message through an HTTP gateway: POST {"to", "text"} with a bearer token."""

    url_setting = ""
    token_setting = ""

    def configured(self) -> bool:
        url = getattr(settings, self.url_setting, "")
        return url.startswith(("https://", "http://")) and bool(getattr(settings, self.token_setting, ""))

    def address_of(self, user=None, member=None) -> str:
        return "".join(ch for ch in ((user or member).phone or "") if ch.isdigit() or ch == "+")

    def check(self, address: str) -> None:
        if not PHONE.match(address):
            raise PermanentFailure(_("The phone number “%(address)s” is not valid.") % {"address": address})

    def send(self, delivery, connection) -> None:
        payload = json.dumps({"to": delivery.address, "text": f"{delivery.subject}\n{delivery.body}"}).encode()
        request = urllib.request.Request(  # noqa: S310 (http(s) only, checked in configured())
            getattr(settings, self.url_setting),
            data=payload,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {getattr(settings, self.token_setting)}",
                "Idempotency-Key": f"{delivery.channel}-{delivery.pk}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (URL from settings)
                response.read()
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code != 429:
                raise PermanentFailure(
                    _("The gateway refused the message: HTTP %(code)s") % {"code": exc.code}
                ) from exc
            raise TemporaryFailure(f"HTTP {exc.code}") from exc
        except OSError as exc:
            raise TemporaryFailure(str(exc) or exc.__class__.__name__) from exc


class SmsChannel(GatewayChannel):
    code = ChannelCode.SMS
    url_setting = "SMS_GATEWAY_URL"
    token_setting = "SMS_GATEWAY_TOKEN"  # noqa: S105 (the name of a setting)


class ZaloChannel(GatewayChannel):
    code = ChannelCode.ZALO
    url_setting = "ZALO_GATEWAY_URL"
    token_setting = "ZALO_GATEWAY_TOKEN"  # noqa: S105 (the name of a setting)


CHANNELS = {channel.code: channel for channel in (EmailChannel(), SmsChannel(), ZaloChannel())}


def channel(code: str) -> Channel:
    return CHANNELS[code]
