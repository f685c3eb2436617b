"""Notices leaving the app: which deliveries a notice needs, and sending them exactly once.

A delivery is a row before it is a message: created in the same transaction as its notice, keyed
so it exists once (channel, key), and sent after the commit by a task that claims it first. The
only window for a double send is a worker dying between the server accepting a message and the
row being marked sent; the recovery sweep then sends it again with the same Message-ID.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

import hangdoi
from nhatky.services import audit_record
from taikhoan.models import DigestFrequency, Notification, NotificationKind, NotificationPreference

from ..channels import PermanentFailure, TemporaryFailure, channel
from ..models import Channel, Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SEND_CHUNK = 100
# A claim older than this belongs to a worker that died: the recovery sweep hands it out again.
STALE_CLAIM = datetime.timedelta(minutes=15)


def absolute(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def _footer() -> str:
    from django.urls import reverse

    return _("Change how you receive notices: %(url)s") % {"url": absolute(reverse("taikhoan:notification_settings"))}


def email_body(notification, footer: str) -> str:
    lines = [notification.body.strip()] if notification.body.strip() else []
    if notification.url:
        lines.append(_("Open: %(url)s") % {"url": absolute(notification.url)})
    lines += ["", "--", footer]
    return "\n".join(lines)


def preferences_of(user_ids) -> dict:
    """{user id: preference}, the defaults for users who never chose."""
    user_ids = set(user_ids)
    found = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids)}
    return {
        uid: found.get(uid) or NotificationPreference(user_id=uid, email_kinds=list(NotificationKind.values))
        for uid in user_ids
    }


def deliveries_for_notifications(notifications) -> list[int]:
    """Deliveries the users asked for, for notices just created (call inside their transaction).
    A user with no e-mail address still has the notice in the app."""
    notifications = [n for n in notifications if n.pk]
    if not notifications:
        return []
    prefs = preferences_of(n.user_id for n in notifications)
    footer = _footer()
    rows = []
    for notification in notifications:
        pref, user = prefs[notification.user_id], notification.user
        wanted = []
        if pref.digest == DigestFrequency.IMMEDIATE and notification.kind in pref.email_kinds:
            wanted.append(Channel.EMAIL)
        if pref.sms:
            wanted.append(Channel.SMS)
        if pref.zalo:
            wanted.append(Channel.ZALO)
        for code in wanted:
            address = channel(code).address_of(user=user)
            if not address:
                continue
            body = email_body(notification, footer) if code == Channel.EMAIL else notification.body
            rows.append(
                Delivery(
                    channel=code,
                    key=f"n{notification.pk}",
                    user_id=notification.user_id,
                    notification=notification,
                    address=address[:254],
                    subject=notification.title[:200],
                    body=body,
                )
            )
    return _insert(rows)


def _insert(rows) -> list[int]:
    """Create deliveries, skipping keys that exist, and return the ids of the new ones."""
    if not rows:
        return []
    rows = list({(row.channel, row.key): row for row in rows}.values())
    # One that exists already keeps its state (the no-op update only hands back its id) and is
    # handed out again, which is harmless: only a pending one can be claimed, and only once.
    Delivery.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["channel", "key"], update_fields=["key"], batch_size=1000
    )
    return [row.pk for row in rows]


def enqueue(ids) -> None:
    """Send after the commit, in chunks; nothing is sent for a transaction that rolls back."""
    ids = sorted(ids)
    if not ids:
        return
    from ..tasks import send_deliveries

    hangdoi.enqueue_many(
        send_deliveries, ([ids[start : start + SEND_CHUNK]] for start in range(0, len(ids), SEND_CHUNK))
    )


def member_deliveries(items) -> list[int]:
    """E-mails to party members who are not users: (member, key, subject, body)."""
    rows = [
        Delivery(
            channel=Channel.EMAIL,
            key=key,
            member=member,
            address=member.email.strip()[:254],
            subject=subject[:200],
            body=body,
        )
        for member, key, subject, body in items
        if member.email and member.email.strip()
    ]
    return _insert(rows)


def _claim(ids) -> list[Delivery]:
    """Mark the pending ones as being sent, in a transaction of their own: a second worker given
    the same ids finds nothing to send."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True).filter(pk__in=ids, status=DeliveryStatus.PENDING)
        )
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, tried_at=now
        )
    for delivery in claimed:
        delivery.attempts += 1
    return claimed


def _finish(delivery, status, error=""):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        error=error[:2000],
        sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
    )


def deliveries_send(ids) -> list[int]:
    """Send these deliveries once; returns the ids to try again later (temporary failures)."""
    retry = []
    claimed = _claim(ids)
    by_channel = {}
    for delivery in claimed:
        by_channel.setdefault(delivery.channel, []).append(delivery)
    for code, deliveries in by_channel.items():
        way = channel(code)
        if not way.configured():
            for delivery in deliveries:
                _finish(delivery, DeliveryStatus.UNCONFIGURED, way.not_configured_reason())
            continue
        try:
            conn_context = way.open()
        except OSError as exc:
            conn_context = None
            logger.warning("%s channel unavailable: %s", code, exc)
        if conn_context is None:
            for delivery in deliveries:
                retry += _temporary(delivery, _("The channel could not be opened."))
            continue
        settled = set()  # ids whose outcome is recorded
        try:
            with conn_context as conn:
                for delivery in deliveries:
                    try:
                        way.check(delivery.address)
                        way.send(delivery, conn)
                    except PermanentFailure as exc:
                        _finish(delivery, DeliveryStatus.FAILED, str(exc))
                    except TemporaryFailure as exc:
                        retry += _temporary(delivery, str(exc))
                    else:
                        _finish(delivery, DeliveryStatus.SENT)
                    settled.add(delivery.pk)
        except OSError as exc:
            # The connection itself failed (open or close): whatever is still being sent goes back.
            for delivery in deliveries:
                if delivery.pk not in settled:
                    retry += _temporary(delivery, str(exc))
    return retry


def _temporary(delivery, error) -> list[int]:
    if delivery.attempts >= MAX_ATTEMPTS:
        _finish(
            delivery,
            DeliveryStatus.FAILED,
            _("Gave up after %(n)s attempts: %(error)s") % {"n": delivery.attempts, "error": error},
        )
        return []
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, error=error[:2000])
    return [delivery.pk]


def deliveries_recover(now=None) -> int:
    """Hand out again what a dead worker claimed and what was never handed out (the broker was
    down at the commit): nothing created is lost. Run by beat every few minutes."""
    now = now or timezone.now()
    stale = now - STALE_CLAIM
    with transaction.atomic():
        Delivery.objects.filter(status=DeliveryStatus.SENDING, tried_at__lt=stale).update(status=DeliveryStatus.PENDING)
        ids = list(
            Delivery.objects.filter(status=DeliveryStatus.PENDING)
            .filter(
                Q(tried_at__isnull=True, created_at__lt=now - datetime.timedelta(minutes=5)) | Q(tried_at__lt=stale)
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:10000]
        )
        enqueue(ids)
    return len(ids)


def delivery_mark_bounced(*, actor, delivery, reason: str) -> Delivery:
    """A bounce reported later (a returned message read by the administrator): failed, not retried."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.status = DeliveryStatus.FAILED
        delivery.error = (_("Bounced: %(reason)s") % {"reason": reason})[:2000]
        delivery.save(update_fields=["status", "error"])
        audit_record(actor=actor, action="delivery.bounced", obj=delivery, changes={"address": delivery.address})
    return delivery


def deliveries_retry(*, actor, ids) -> int:
    """Send failed deliveries again (the administrator corrected an address or a setting)."""
    with transaction.atomic():
        retried = list(
            Delivery.objects.select_for_update()
            .filter(pk__in=ids, status__in=[DeliveryStatus.FAILED, DeliveryStatus.UNCONFIGURED])
            .order_by("pk")
        )
        for delivery in retried:
            if delivery.user_id or delivery.member_id:
                fresh = channel(delivery.channel).address_of(user=delivery.user, member=delivery.member)
                delivery.address = (fresh or delivery.address)[:254]
            delivery.status, delivery.attempts, delivery.error = DeliveryStatus.PENDING, 0, ""
        Delivery.objects.bulk_update(retried, ["address", "status", "attempts", "error"])
        for delivery in retried:
            audit_record(actor=actor, action="delivery.retry", obj=delivery, changes={"address": delivery.address})
        enqueue([d.pk for d in retried])
    return len(retried)


def digests_build(today: datetime.date) -> list[int]:
    """The e-mail digests due today: daily ones every day, weekly ones on Mondays, each covering
    the notices of its window that the user gets by e-mail. One delivery per user and day."""
    frequencies = [DigestFrequency.DAILY] + ([DigestFrequency.WEEKLY] if today.weekday() == 0 else [])
    ids = []
    for frequency in frequencies:
        days = 1 if frequency == DigestFrequency.DAILY else 7
        end = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        start = end - datetime.timedelta(days=days)
        prefs = {
            p.user_id: p
            for p in NotificationPreference.objects.filter(digest=frequency, user__is_active=True).select_related(
                "user"
            )
        }
        if not prefs:
            continue
        by_user = {}
        for notification in (
            Notification.objects.filter(user_id__in=list(prefs), created_at__gte=start, created_at__lt=end)
            .order_by("user_id", "created_at", "pk")
            .only("user_id", "kind", "title", "url", "created_at")
        ):
            if notification.kind in prefs[notification.user_id].email_kinds:
                by_user.setdefault(notification.user_id, []).append(notification)
        rows, footer = [], _footer()
        for user_id, notices in by_user.items():
            user = prefs[user_id].user
            if not user.email:
                continue
            lines = [
                f"- {timezone.localtime(n.created_at):%d/%m %H:%M} {n.title}"
                + (f"\n  {absolute(n.url)}" if n.url else "")
                for n in notices
            ]
            rows.append(
                Delivery(
                    channel=Channel.EMAIL,
                    key=f"digest:u{user_id}:{today.isoformat()}",
                    user_id=user_id,
                    address=user.email[:254],
                    subject=_("%(n)s notices since %(date)s") % {"n": len(notices), "date": start.strftime("%d/%m/%Y")},
                    body="\n".join(lines + ["", "--", footer]),
                )
            )
        ids += _insert(rows)
    return ids
