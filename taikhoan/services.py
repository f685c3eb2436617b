"""User accounts: creation goes through here so it is audited like every other write."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from nhatky.services import audit_record

from .models import User


def user_create(
    *,
    actor,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            email=email,
            is_staff=is_staff or is_superuser,
            is_superuser=is_superuser,
        )
        user.set_password(password)
        user.full_clean()
        user.save()
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            changes={"username": username, "is_staff": user.is_staff, "is_superuser": is_superuser},
        )
    return user


def password_change(*, actor, form) -> None:
    """Save a new password from Django's password-change form and record who changed it (not the password)."""
    with transaction.atomic():
        form.save()
        audit_record(actor=actor, action="user.password_change", obj=actor, changes={})


def notify_many(*, items, kind=None) -> int:
    """In-app notifications, each (user, key, title, body, url); a key a user already has is skipped.

    Each new notice also gets the deliveries its user asked for (e-mail per kind, SMS, Zalo),
    created in the caller's transaction and sent after its commit.
    """
    from nhacviec.services import deliveries

    from .models import Notification, NotificationKind

    kind = kind or NotificationKind.GENERAL
    unique = {(user.pk, key[:120]): (user, title, body, url) for user, key, title, body, url in items}
    rows = [
        Notification(user=user, kind=kind, key=key, title=title[:200], body=body, url=url[:300])
        for (_pk, key), (user, title, body, url) in unique.items()
    ]
    if not rows:
        return 0
    # A key the user already has is left as it is (the no-op update only hands back its id).
    Notification.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user", "key"], update_fields=["key"], batch_size=1000
    )
    deliveries.enqueue(deliveries.deliveries_for_notifications(rows))
    return len(rows)


def notification_read(*, actor, notification) -> None:
    """Mark one of the actor's notifications read (no audit: it changes nothing but the inbox)."""
    from django.utils import timezone

    from .models import Notification

    Notification.objects.filter(pk=notification.pk, user=actor, read_at__isnull=True).update(read_at=timezone.now())


def notifications_read_all(*, actor) -> int:
    """Mark every unread notice of the actor read (no audit, as for one)."""
    from django.utils import timezone

    return actor.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


def notification_preference_save(*, actor, email_kinds, digest: str, sms: bool = False, zalo: bool = False):
    """The actor's own choice of how notices reach them."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from nhacviec.channels import channel

    from .models import DigestFrequency, NotificationKind, NotificationPreference

    unknown = set(email_kinds) - set(NotificationKind.values)
    if unknown:
        raise ValidationError({"email_kinds": _("Choose among the kinds of notice listed.")})
    if digest not in DigestFrequency.values:
        raise ValidationError({"digest": _("Choose how often to receive e-mail.")})
    for code, wanted in (("sms", sms), ("zalo", zalo)):
        if wanted and not channel(code).configured():
            raise ValidationError({code: channel(code).not_configured_reason()})
    if (sms or zalo) and not actor.phone:
        raise ValidationError({"sms" if sms else "zalo": _("Your account has no phone number.")})
    with transaction.atomic():
        pref = NotificationPreference.objects.select_for_update().filter(user=actor).first()
        pref = pref or NotificationPreference.default_for(actor)
        before = {"email_kinds": sorted(pref.email_kinds), "digest": pref.digest, "sms": pref.sms, "zalo": pref.zalo}
        pref.email_kinds = sorted(set(email_kinds))
        pref.digest, pref.sms, pref.zalo = digest, sms, zalo
        pref.save()
        after = {"email_kinds": pref.email_kinds, "digest": digest, "sms": sms, "zalo": zalo}
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            audit_record(actor=actor, action="notification_preference.save", obj=actor, changes=changes)
    return pref


def mail_many(*, messages) -> int:
    """Send (subject, body, [addresses]) e-mails over one connection; returns how many went out."""
    from django.conf import settings
    from django.core import mail

    emails = [
        mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        for subject, body, addresses in messages
        for address in addresses
        if address
    ]
    if not emails:
        return 0
    with mail.get_connection() as connection:
        return connection.send_messages(emails) or 0


BACKUP_CODES = 10


def totp_setup_start(*, actor):
    """The unconfirmed authenticator key the user is setting up: the one already started, so that
    reloading the page (or a request the page makes in the background) does not replace a key the
    user has just scanned, else a new one (audited). Their confirmed devices keep working until
    it is confirmed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).order_by("-pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)
            audit_record(actor=actor, action="user.2fa_setup_start", obj=actor, changes={})
    return device


def totp_setup_confirm(*, actor, device, token: str) -> list[str]:
    """Confirm the authenticator with a code it shows; the old devices go and fresh one-time
    backup codes are made (returned once, to show). A wrong code raises ValidationError."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = "".join(token.split())
    if not (token.isdigit() and device.verify_token(token)):
        raise ValidationError({"token": _("The code is wrong or has expired. Enter the 6 digits the app shows now.")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user=actor).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        backup = StaticDevice.objects.create(user=actor, name="backup", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
        audit_record(actor=actor, action="user.2fa_enable", obj=actor, changes={"backup_codes": BACKUP_CODES})
    return codes


def two_factor_reset(*, actor, user, reason: str = "") -> None:
    """An administrator removes a user's authenticator and backup codes (a lost phone): at the
    next login the user sets up a new one. Only one who may change users may, and only a
    superuser resets a superuser's: whoever holds a password sets up their own authenticator
    after a reset, the very takeover two-step login is there to stop."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not actor.has_perm("taikhoan.change_user") or (user.is_superuser and not actor.is_superuser):
        raise PermissionDenied(_("You may not reset this user's two-step login."))

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(actor=actor, action="user.2fa_reset", obj=user, changes={}, reason=reason)
