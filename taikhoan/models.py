from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.text import validate_single_line


class User(AbstractUser):
    """A person who logs in. What they may see comes from their RoleAssignment rows."""

    full_name = models.CharField(_("full name"), max_length=120, blank=True, validators=[validate_single_line])
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username


class NotificationKind(models.TextChoices):
    """What a notice is about: a user chooses e-mail per kind."""

    LETTER = "letter", _("Introduction letters and receipts")
    MEETING = "meeting", _("Branch meetings")
    EVALUATION = "evaluation", _("Yearly evaluation")
    DIGEST = "digest", _("Weekly summary for the board")
    GENERAL = "general", _("Other notices")


class DigestFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("One e-mail per notice, at once")
    DAILY = "daily", _("One e-mail a day with the day's notices")
    WEEKLY = "weekly", _("One e-mail a week (Monday) with the week's notices")


class Notification(models.Model):
    """A message in a user's in-app inbox; `key` makes sending it twice a no-op."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(
        _("kind"), max_length=12, choices=NotificationKind.choices, default=NotificationKind.GENERAL
    )
    key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx")]

    def __str__(self):
        return self.title


class NotificationPreference(models.Model):
    """How a user wants notices by e-mail (and SMS or Zalo where configured); no row means the
    defaults: every kind by e-mail, one e-mail per notice."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="notification_preference"
    )
    email_kinds = models.JSONField(_("notices by e-mail"), default=list, blank=True)
    digest = models.CharField(
        _("e-mail frequency"), max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.IMMEDIATE
    )
    sms = models.BooleanField(_("also by SMS"), default=False)
    zalo = models.BooleanField(_("also by Zalo"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digest__in=DigestFrequency.values), name="notification_digest_valid"
            ),
        ]

    def __str__(self):
        return str(self.user)

    @classmethod
    def default_for(cls, user) -> "NotificationPreference":
        return cls(user=user, email_kinds=list(NotificationKind.values), digest=DigestFrequency.IMMEDIATE)
