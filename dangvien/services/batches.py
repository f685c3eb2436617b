"""Introduction letters for many members at once, in a Celery task, with progress."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.permissions import can_manage_members
from nhatky.services import audit_record

from ..models import LetterBatch, LinkState, Member, ResidenceLink
from .links import letter_issue

MAX_BATCH = 2000


def letter_batch_start(*, actor, member_ids, signatory=None, duties: str = "") -> LetterBatch:
    """Check the selection, record the batch, and start the task once the batch is committed."""
    ids = list(dict.fromkeys(int(i) for i in member_ids))
    if not ids:
        raise ValidationError(_("Select at least one member."))
    if len(ids) > MAX_BATCH:
        raise ValidationError(_("At most %(n)s letters at a time.") % {"n": MAX_BATCH})
    members = list(Member.objects.filter(pk__in=ids).select_related("organization"))
    if len(members) != len(ids) or not all(can_manage_members(actor, m.organization) for m in members):
        raise PermissionDenied(_("Some selected members are outside your organisations."))
    with transaction.atomic():
        batch = LetterBatch.objects.create(
            created_by=actor, signatory=signatory, duties=duties, member_ids=ids, total=len(ids)
        )
        audit_record(actor=actor, action="letters.batch_start", obj=batch, changes={"members": len(ids)})
        transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _enqueue(batch_id):
    from ..tasks import run_letter_batch

    run_letter_batch.delay(batch_id)


def _already_issued_in_batch(batch, member_id):
    """After a crash between issuing and recording, the letter exists: count it, don't issue twice."""
    return (
        ResidenceLink.objects.filter(
            member_id=member_id,
            state=LinkState.LETTER_ISSUED,
            letter__issued_by=batch.created_by,
            letter__issued_at__gte=batch.created_at,
        )
        .values_list("letter_id", flat=True)
        .first()
    )


def letter_batch_run(batch_id: int) -> LetterBatch:
    """Issue, render and archive each letter, then one combined PDF. Safe to run twice."""
    from vanban.models import Document
    from vanban.rendering import render_many
    from vanban.services import document_render

    batch = LetterBatch.objects.select_related("created_by", "signatory").get(pk=batch_id)
    for member_id in batch.member_ids:
        key = str(member_id)
        if key in batch.results:
            continue
        member = Member(pk=member_id)
        try:
            link = letter_issue(actor=batch.created_by, member=member, signatory=batch.signatory, duties=batch.duties)
            result = {"document": link.letter_id}
        except ValidationError as exc:
            existing = _already_issued_in_batch(batch, member_id)
            result = {"document": existing} if existing else {"error": " ".join(exc.messages)}
        except (PermissionDenied, Member.DoesNotExist) as exc:
            result = {"error": str(exc) or _("Not allowed.")}
        if "document" in result:
            document_render(result["document"])
        batch.results[key] = result
        LetterBatch.objects.filter(pk=batch.pk).update(results=batch.results, done=F("done") + 1)
        batch.done += 1
    if not batch.finished_at:
        document_ids = [r["document"] for r in batch.results.values() if "document" in r]
        documents = Document.objects.in_bulk(document_ids)
        if document_ids:
            from django.conf import settings

            pdf = render_many([documents[i].snapshot for i in document_ids], image_root=settings.PRIVATE_MEDIA_ROOT)
            batch.combined_pdf.save(f"letters-{batch.pk}.pdf", ContentFile(pdf), save=False)
        batch.finished_at = timezone.now()
        batch.done = len(batch.results)
        batch.save(update_fields=["combined_pdf", "finished_at", "done"])
    return batch
