import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chibo.models import Organization
from common.constraints import year_in_range

from .storage import private_storage_callable


class DocumentType(models.TextChoices):
    INTRODUCTION = "introduction", _("Introduction letter (Mẫu 1-213)")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt")
    CHANGE_NOTICE = "change_notice", _("Change notice")
    INVITATION = "invitation", _("Meeting invitation")
    ABSENCE_NOTICE = "absence_notice", _("Absence notice")
    EVALUATION = "evaluation", _("Evaluation form (Mẫu 3-213)")
    REPORT = "report", _("Report on carrying out QĐ 213")


# The code in the document symbol (Số 15-GGT/ĐU), per type (HD 36 abbreviations).
TYPE_CODES = {
    DocumentType.INTRODUCTION: "GGT",
    DocumentType.ACKNOWLEDGEMENT: "PB",
    DocumentType.CHANGE_NOTICE: "TB",
    DocumentType.INVITATION: "GM",
    DocumentType.ABSENCE_NOTICE: "TB",
    DocumentType.EVALUATION: "PNX",
    DocumentType.REPORT: "BC",
}


class DocumentStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")


class NumberRegister(models.Model):
    """The last number used per issuer, document type and year; locked row by row when issuing."""

    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    doc_type = models.CharField(max_length=20, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "doc_type", "year"], name="number_register_unique"),
            models.CheckConstraint(condition=Q(doc_type__in=DocumentType.values), name="number_register_type_valid"),
            models.CheckConstraint(condition=year_in_range(), name="number_register_year_range"),
        ]

    def __str__(self):
        return f"{self.issuer_id}/{self.doc_type}/{self.year}: {self.last_number}"


def _token():
    return secrets.token_urlsafe(24)


class Document(models.Model):
    """An issued official document: numbered, rendered from its stored snapshot, archived, verifiable."""

    doc_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    issuer = models.ForeignKey(Organization, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    symbol = models.CharField(_("number and symbol"), max_length=60)
    subject = models.CharField(_("subject"), max_length=255)
    template = models.CharField(_("template"), max_length=60)
    # The regulation pack it was issued under (its wording is in the snapshot; a re-render never reads the pack).
    pack = models.ForeignKey(
        "quydinh.RegulationPack", verbose_name=_("regulation pack"), on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.JSONField(_("snapshot"))
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.ISSUED)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(_("signer"), max_length=120)
    member = models.ForeignKey(
        "dangvien.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    pdf = models.FileField(_("PDF"), storage=private_storage_callable, upload_to="documents/%Y/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    token = models.CharField(max_length=40, unique=True, default=_token, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "doc_type", "year", "number"], name="document_number_unique"),
            models.CheckConstraint(
                condition=Q(status="issued") | Q(revoked_at__isnull=False), name="document_revoked_has_time"
            ),
            models.CheckConstraint(condition=Q(doc_type__in=DocumentType.values), name="document_type_valid"),
            models.CheckConstraint(condition=year_in_range() & Q(number__gte=1), name="document_year_number_valid"),
            # A revoked document says why; an issued one carries no revocation. With the
            # constraint above, no status but issued and revoked can be stored.
            models.CheckConstraint(
                condition=Q(status="revoked", revoke_reason__regex=r"\S")
                | (~Q(status="revoked") & Q(revoked_at__isnull=True, revoke_reason="")),
                name="document_revoked_has_reason",
                violation_error_message=_("Give the reason for revoking the document."),
            ),
            models.CheckConstraint(condition=~Q(symbol="") & ~Q(signer_name=""), name="document_symbol_signer_set"),
            # The archive's fingerprint: empty until the PDF is rendered, then 64 hex digits with a time.
            models.CheckConstraint(
                condition=Q(sha256="", rendered_at__isnull=True) | Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="document_sha256_hex",
            ),
        ]
        indexes = [models.Index(fields=["member", "-issued_at"], name="document_member_idx")]

    def __str__(self):
        return f"{self.get_doc_type_display()} {self.symbol}"
