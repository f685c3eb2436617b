"""Official documents: gap-free numbers, issue from a snapshot, render once, revoke."""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import hangdoi
from chibo.models import Organization, Signatory
from chibo.selectors import signatories_active
from common.dates import vn_place_date
from common.text import clean
from nhatky.services import audit_record, audit_record_many
from quydinh.selectors import pack_in_force
from quydinh.services import pack_freeze
from quydinh.wording import resolve as wording_resolve

from .models import TYPE_CODES, Document, DocumentStatus, NumberRegister

log = logging.getLogger(__name__)

# Printed titles are Vietnamese whatever the interface language.
SIGNER_TITLES = {"secretary": "BÍ THƯ", "deputy": "PHÓ BÍ THƯ"}
# The template each new document of a type is issued with (vanban.rendering.TEMPLATES has them
# all: the earlier ones stay for the documents issued with them). Their wording is the pack's.
CURRENT_TEMPLATES = {
    "introduction": "introduction/v2",
    "acknowledgement": "acknowledgement/v2",
    "change_notice": "change_notice/v2",
    "invitation": "invitation/v2",
    "absence_notice": "absence_notice/v2",
    "evaluation": "evaluation/v2",
    "report": "report/v2",
}


def numbers_take(*, issuer: Organization, doc_type: str, year: int, count: int = 1) -> list[tuple[int, str]]:
    """The next `count` numbers and their printed symbols. Call inside the issuing transaction:
    the register row stays locked until it commits, and a rollback gives the numbers back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers must be taken inside the issuing transaction")
    NumberRegister.objects.bulk_create(
        [NumberRegister(issuer=issuer, doc_type=doc_type, year=year)], ignore_conflicts=True
    )
    register = NumberRegister.objects.select_for_update().get(issuer=issuer, doc_type=doc_type, year=year)
    first = register.last_number + 1
    register.last_number += count
    register.save(update_fields=["last_number"])
    return [
        (n, issuer.doc_symbol_format.format(number=n, code=TYPE_CODES[doc_type], abbr=issuer.doc_abbreviation))
        for n in range(first, first + count)
    ]


def number_take(*, issuer: Organization, doc_type: str, year: int) -> tuple[int, str]:
    return numbers_take(issuer=issuer, doc_type=doc_type, year=year)[0]


def signer_for(issuer: Organization, signatory: Signatory | None = None) -> Signatory:
    """The signatory to use, checked: active, of this issuer, with a signature; a committee has a stamp."""
    if signatory is None:
        signatory = signatories_active(issuer).first()
    if signatory is None or signatory.organization_id != issuer.pk or not signatory.is_active:
        raise ValidationError(
            {
                "signer": _("%(org)s has no signatory configured. Add the secretary or a deputy first.")
                % {"org": issuer.name}
            }
        )
    if not signatory.signature_image:
        raise ValidationError(
            {"signer": _("The signatory %(name)s has no signature image yet.") % {"name": signatory.full_name}}
        )
    # A committee stamps its documents; a branch under a commune committee has no stamp of its own.
    if issuer.kind.is_committee and not issuer.stamp_image:
        raise ValidationError({"signer": _("%(org)s has no stamp image yet.") % {"org": issuer.name}})
    return signatory


def verify_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("vanban:verify", args=[token])


def header(issuer: Organization, number_symbol: str, day) -> dict:
    """The HD 36 header fields of a document issued by `issuer`."""
    return {
        "superior_name": issuer.superior_name.upper(),
        "issuer_name": (issuer.short_name or issuer.name).upper(),
        "symbol": f"Số {number_symbol}",
        "place_date": vn_place_date(issuer.place_name, day),
    }


def document_snapshot(*, doc_type, issuer, symbol, issued_at, content, pack, signer, verify_url) -> dict:
    """What a document is rendered from, then and on every re-render: the HD 36 header, the
    content, the signer and the regulation's paragraphs of its type under `pack`, filled with the
    content's "wording" values. A re-render never reads the pack, so a later pack cannot change an
    issued document. (Also the pack editor's preview and the benchmarks, with no number taken.)"""
    content = dict(content)
    reserved = set(content) & {"template", "pack", "issued_at", "signer", "verify_url"}
    if reserved:  # what binds a document to its regulation and its signer is never content's to say
        raise ValueError(f"content may not set {sorted(reserved)}")
    wording = wording_resolve(pack, doc_type, content.pop("wording", None))
    if wording.get("subtitle"):
        content["subtitle"] = wording["subtitle"]
    return {
        "template": CURRENT_TEMPLATES[doc_type],
        **header(issuer, symbol, timezone.localtime(issued_at).date()),
        "issued_at": timezone.localtime(issued_at).isoformat(timespec="seconds"),
        "pack": pack.stamp(),
        "wording": wording,
        **content,
        "signer": signer,
        "verify_url": verify_url,
    }


def _build(
    *, actor, doc_type, issuer, signatory, subject, template, content, member, issued_at, number, symbol, pack
) -> Document:
    day = timezone.localtime(issued_at).date()
    document = Document(
        doc_type=doc_type,
        issuer=issuer,
        year=day.year,
        number=number,
        symbol=symbol,
        subject=subject[:255],
        template=template,
        pack=pack,
        snapshot={},
        issued_at=issued_at,
        issued_by=actor,
        signer_name=signatory.full_name,
        member=member,
    )
    document.snapshot = document_snapshot(
        doc_type=doc_type,
        issuer=issuer,
        symbol=symbol,
        issued_at=issued_at,
        content=content,
        pack=pack,
        signer={
            "on_behalf": "T/M ĐẢNG ỦY" if issuer.kind.is_committee else "T/M CHI BỘ",
            "title": SIGNER_TITLES[signatory.title],
            "name": signatory.full_name,
            "signature_image": signatory.signature_image or None,
            "stamp_image": issuer.stamp_image or None,
        },
        verify_url=verify_url(document.token),
    )
    return document


def document_issue(
    *,
    actor,
    doc_type: str,
    issuer: Organization,
    signatory: Signatory,
    subject: str,
    content: dict,
    member=None,
    issued_at=None,
    pack=None,
) -> Document:
    """Number and record a document (inside the caller's transaction); rendering follows on commit."""
    return documents_issue_many(
        actor=actor,
        doc_type=doc_type,
        issuer=issuer,
        signatory=signatory,
        items=[(member, subject, content)],
        issued_at=issued_at,
        pack=pack,
    )[0]


def documents_issue_many(
    *, actor, doc_type: str, issuer: Organization, signatory: Signatory, items, issued_at=None, pack=None
) -> list[Document]:
    """Number and record several documents of one issuer in one go: consecutive numbers, one
    insert, one audit insert; each PDF renders in the background once the transaction commits.
    Each item's content may carry "wording": the values of its type's paragraphs' placeholders.
    `pack`: the regulation pack they are issued under (an evaluation form's own); by default the
    one in force on the day of issue. It is frozen from then on."""
    with transaction.atomic():
        issued_at = issued_at or timezone.now()
        day = timezone.localtime(issued_at).date()
        pack = pack or pack_in_force(day)
        pack_freeze(pack)
        template = CURRENT_TEMPLATES[doc_type]
        numbers = numbers_take(issuer=issuer, doc_type=doc_type, year=day.year, count=len(items))
        documents = [
            _build(
                actor=actor,
                doc_type=doc_type,
                issuer=issuer,
                signatory=signatory,
                subject=subject,
                template=template,
                content=content,
                member=member,
                issued_at=issued_at,
                number=number,
                symbol=symbol,
                pack=pack,
            )
            for (member, subject, content), (number, symbol) in zip(items, numbers, strict=True)
        ]
        documents = Document.objects.bulk_create(documents)
        audit_record_many(
            actor=actor,
            action="document.issue",
            entries=[(d, {"symbol": d.symbol, "doc_type": doc_type, "member": d.member_id}) for d in documents],
        )
        ids = [d.pk for d in documents]
        _enqueue_render_many(ids)
        return documents


def _enqueue_render_many(ids, chunk: int = 10):
    from .tasks import render_documents

    hangdoi.enqueue_many(render_documents, ([ids[start : start + chunk]] for start in range(0, len(ids), chunk)))


def document_render(document_id: int) -> Document:
    """Render and archive the PDF once; a second call (a retried task) finds it done and returns."""
    from .rendering import render_pdf

    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.sha256:
            return document
        pdf = render_pdf(document.snapshot, image_root=settings.PRIVATE_MEDIA_ROOT)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        filename = f"{document.doc_type}-{document.year}-{document.issuer_id}-{document.number}.pdf"
        # A file under this name with the row still unrendered was written by a worker killed
        # before its commit: replace it rather than keep it beside a second copy.
        stored = document.pdf.field.generate_filename(document, filename)
        if document.pdf.storage.exists(stored):
            document.pdf.storage.delete(stored)
        document.pdf.save(filename, ContentFile(pdf), save=False)
        document.rendered_at = timezone.now()
        document.save(update_fields=["pdf", "sha256", "rendered_at"])
    return document


def document_revoke(*, actor, document: Document, reason: str, replaced_by: Document | None = None) -> Document:
    """Revoke an issued document; only its issuer's office may (a re-issue takes a new number,
    named in `replaced_by` when it is known)."""
    from chibo.permissions import can_manage_signing

    if actor is not None and not can_manage_signing(actor, document.issuer):
        raise PermissionDenied(_("You may not revoke documents of this organisation."))
    reason = clean(reason, "reason", multiline=True)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the document.")})
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status == DocumentStatus.REVOKED:
            raise ValidationError({"reason": _("This document is already revoked.")})
        document.status = DocumentStatus.REVOKED
        document.revoked_at = timezone.now()
        document.revoke_reason = reason
        document.replaced_by = replaced_by
        document.save(update_fields=["status", "revoked_at", "revoke_reason", "replaced_by"])
        audit_record(
            actor=actor,
            action="document.revoke",
            obj=document,
            changes={"replaced_by": replaced_by.symbol} if replaced_by else {},
            reason=reason,
        )
    return document
