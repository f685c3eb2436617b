from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A task to publish: pending until the broker has it (delivered), then tracked until a worker
    finishes it, so the work of a worker that died can be handed out again."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Not before: a countdown counts from the enqueue, not from a late delivery.
    eta = models.DateTimeField(_("not before"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received by the worker"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    recoveries = models.PositiveIntegerField(_("handed out again"), default=0)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(delivered_at__isnull=True), name="outbox_pending"),
            models.Index(
                fields=["worker"],
                condition=models.Q(delivered_at__isnull=False, finished_at__isnull=True),
                name="outbox_unfinished",
            ),
        ]

    def __str__(self):
        return f"{self.task} #{self.pk}"
