from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanban.storage import private_storage_callable


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Columns to check")
    CHECKING = "checking", _("Checking (dry run)")
    CHECKED = "checked", _("Checked, ready to write")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Written")
    FAILED = "failed", _("Failed")


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", _("Skip members already in the system")
    UPDATE = "update", _("Update members already in the system with the file's values")


class CommitMode(models.TextChoices):
    VALID = "valid", _("Write every valid row; list the others")
    ALL = "all", _("Write nothing if any row has a problem")


class ImportJob(models.Model):
    """One uploaded member list, from the upload through the dry run to what it wrote."""

    organization = models.ForeignKey(
        "chibo.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "taikhoan.User", verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file = models.FileField(storage=private_storage_callable, upload_to="imports/%Y/")
    # The rows as the dry run read them (gzipped JSON), written from without reading the file again.
    parsed = models.FileField(storage=private_storage_callable, upload_to="imports/%Y/", blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_kind = models.CharField(max_length=8)
    sheet_name = models.CharField(max_length=100, blank=True)
    header_row = models.PositiveIntegerField(default=1)
    headers = models.JSONField(default=list)
    sample = models.JSONField(default=list)  # a few rows as text, for choosing the columns
    mapping = models.JSONField(default=dict)  # column index (as text) → field key
    duplicates = models.CharField(
        _("members already in the system"), max_length=8, choices=DuplicatePolicy.choices, default=DuplicatePolicy.SKIP
    )
    mode = models.CharField(
        _("when some rows have problems"), max_length=8, choices=CommitMode.choices, default=CommitMode.VALID
    )
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    empty_rows = models.PositiveIntegerField(default=0)  # between the data rows: read, not members
    counts = models.JSONField(default=dict)  # create / update / skip / error (the last dry run or the write)
    problems = models.JSONField(default=list)  # [{row, column, message}], the first IMPORT_PROBLEMS_KEPT
    notes = models.JSONField(default=list)  # [{row, column, message}]: values read differently from how they were typed
    legacy = models.CharField(max_length=8, blank=True)  # tcvn3 / vni when the text was converted
    legacy_examples = models.JSONField(default=list)
    communes = models.JSONField(default=dict)  # commune text not matched → [[code, label], …] suggestions
    commune_texts = models.JSONField(default=dict)  # the same keys → the commune as the file has it
    error = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    written_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="import_org_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="import_status_valid"),
            models.CheckConstraint(
                condition=Q(duplicates__in=DuplicatePolicy.values, mode__in=CommitMode.values),
                name="import_choices_valid",
            ),
            # What the sniffing found, never what the file's name said.
            models.CheckConstraint(condition=Q(file_kind__in=["xlsx", "csv"]), name="import_file_kind_valid"),
            models.CheckConstraint(condition=Q(file_sha256__regex=r"^[0-9a-f]{64}$"), name="import_sha256_hex"),
            models.CheckConstraint(condition=Q(header_row__gte=1), name="import_header_row_positive"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(written_at__isnull=False), name="import_done_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})" if self.created_at else self.file_name

    @property
    def audit_reason(self) -> str:
        return _("Imported from file #%(n)s (%(name)s)") % {"n": self.pk, "name": self.file_name}


class ImportSettings(models.Model):
    """What an organisation chose before: its columns' meanings and its old commune names' units."""

    organization = models.OneToOneField("chibo.Organization", on_delete=models.CASCADE, related_name="+")
    columns = models.JSONField(default=dict)  # folded header → field key
    communes = models.JSONField(default=dict)  # folded commune text → commune code

    class Meta:
        verbose_name = _("import settings")
        verbose_name_plural = _("import settings")

    def __str__(self):
        return str(self.organization_id)


class ImportChange(models.Model):
    """What one row of an import did to one member: the import log an administrator reads."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="changes")
    row = models.PositiveIntegerField(_("row"))
    member = models.ForeignKey("dangvien.Member", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=8)  # create / update
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        ordering = ["job", "row"]
        indexes = [models.Index(fields=["job", "row"], name="import_change_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=["create", "update"]), name="import_change_action_valid"),
        ]

    def __str__(self):
        return f"{self.job_id}:{self.row} {self.action}"
