"""Reminder rules and their settings, the record of each reminder sent, and each delivery of a
notice outside the app (e-mail, SMS, Zalo)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quydinh.models import REMINDER_RULES


class RuleCode(models.TextChoices):
    # The codes and labels are the regulation pack's (a pack sets each rule's days).
    LETTER_MISSING = "letter_missing", REMINDER_RULES["letter_missing"]
    LETTER_UNRECEIVED = "letter_unreceived", REMINDER_RULES["letter_unreceived"]
    MEETING_UPCOMING = "meeting_upcoming", REMINDER_RULES["meeting_upcoming"]
    EVALUATION_UNFILLED = "evaluation_unfilled", REMINDER_RULES["evaluation_unfilled"]
    EVALUATION_UNCONFIRMED = "evaluation_unconfirmed", REMINDER_RULES["evaluation_unconfirmed"]
    EVALUATION_UNRECEIVED = "evaluation_unreceived", REMINDER_RULES["evaluation_unreceived"]
    BOARD_DIGEST = "board_digest", REMINDER_RULES["board_digest"]


class ReminderRule(models.Model):
    """One rule's settings, edited by an administrator; the sweep reads them each time it runs."""

    code = models.CharField(_("rule"), max_length=30, choices=RuleCode.choices, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The days come from the regulation pack in force unless the administrator set them here.
    follows_pack = models.BooleanField(_("days of the regulation in force"), default=True)
    first_days = models.PositiveSmallIntegerField(_("first reminder (days)"))
    second_days = models.PositiveSmallIntegerField(_("second reminder (days)"), null=True, blank=True)
    description = models.TextField(_("what the days mean"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(code__in=RuleCode.values), name="reminder_rule_code_valid")]

    def __str__(self):
        return self.get_code_display()

    def with_pack_days(self, pack) -> "ReminderRule":
        """The rule with the days it runs with: the pack's for its code when it follows the pack
        (the days stored here are then what the pack said when they were last written)."""
        days = (pack.reminder_days or {}).get(self.code) if self.follows_pack else None
        if days:
            self.first_days, self.second_days = days[0], days[1]
        return self


class Reminder(models.Model):
    """A reminder that went out: one per (rule, object, stage, date), enforced here, so a sweep run
    twice, a beat firing twice or a retried task never reminds twice. `due_date` is the date the
    clock runs from (admission, the letter, the meeting, the deadline): when it moves, a new
    reminder is owed."""

    rule = models.ForeignKey(ReminderRule, on_delete=models.PROTECT, related_name="+")
    stage = models.PositiveSmallIntegerField()
    object_id = models.BigIntegerField()
    due_date = models.DateField()
    # The organisation path where the people to tell are looked for (nearest holder of the role).
    path = models.CharField(max_length=255)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["rule", "object_id", "stage", "due_date"], name="reminder_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="reminder_created_idx")]

    def __str__(self):
        return f"{self.rule_id}:{self.stage}:{self.object_id}:{self.due_date}"


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNCONFIGURED = "unconfigured", _("Channel not configured")


class Delivery(models.Model):
    """One notice (or one digest of notices) on its way out through one channel to one address."""

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    key = models.CharField(max_length=160)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    # A party member who is not a user (a meeting reminder goes to their own e-mail).
    member = models.ForeignKey(
        "dangvien.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    notification = models.ForeignKey(
        "taikhoan.Notification", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    tried_at = models.DateTimeField(_("last tried"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="delivery_once"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="delivery_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
            # "Sent" is never claimed without the time it went out.
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="delivery_sent_has_time"
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "tried_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="delivery_open_idx",
            ),
            models.Index(fields=["address", "status"], name="delivery_address_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.address}: {self.subject}"
