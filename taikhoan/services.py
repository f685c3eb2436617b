"""User accounts: creation goes through here so it is audited like every other write."""

from django.db import transaction

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


def notify_many(*, items) -> int:
    """In-app notifications, each (user, key, title, body, url); a key a user already has is skipped.

    Email goes out separately (see `mail_many`): a notification is a row, not a side effect.
    """
    from .models import Notification

    rows = [
        Notification(user=user, key=key[:120], title=title[:200], body=body, url=url[:300])
        for user, key, title, body, url in items
    ]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def notification_read(*, actor, notification) -> None:
    """Mark one of the actor's notifications read (no audit: it changes nothing but the inbox)."""
    from django.utils import timezone

    from .models import Notification

    Notification.objects.filter(pk=notification.pk, user=actor, read_at__isnull=True).update(read_at=timezone.now())


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
