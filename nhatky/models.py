from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One write done by a service: who, when, what, why. Append-only."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"


class AccessAction(models.TextChoices):
    MEMBER_VIEW = "member_view", _("Read a member's record")
    LIST_EXPORT = "list_export", _("Exported a list")
    DOCUMENT_DOWNLOAD = "document_download", _("Downloaded a document")
    SUBJECT_EXPORT = "subject_export", _("Exported all data on a member")


class AccessEvent(models.Model):
    """One read of personal data: who read whose record, exported which list, downloaded which
    document, when and from where. Append-only; kept ACCESS_LOG_RETENTION_DAYS."""

    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=24, choices=AccessAction.choices)
    # The member whose data was read, when there is one (a plain id: the log outlives the record).
    member_id = models.BigIntegerField(_("member id"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=300)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("data access record")
        verbose_name_plural = _("data access log")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=AccessAction.values), name="access_action_valid")
        ]
        indexes = [
            models.Index(fields=["-at"], name="access_at_idx"),
            models.Index(
                fields=["member_id", "-at"], name="access_member_idx", condition=models.Q(member_id__isnull=False)
            ),
            models.Index(fields=["actor", "-at"], name="access_actor_idx"),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_action_display()} {self.path}"
