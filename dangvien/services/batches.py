"""Introduction letters for many members at once, in a Celery task, with progress."""

import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import hangdoi
from chibo.permissions import can_manage_members
from common.text import clean
from nhatky.services import audit_record

from ..models import LetterBatch, LinkState, Member, ResidenceLink
from .links import letters_issue_many

MAX_BATCH = 2000
# Members issued per transaction: one block of numbers, one insert of letters and links.
CHUNK = 50


def letter_batch_start(*, actor, member_ids, signatory=None, duties: str = "") -> LetterBatch:
    """Check the selection, record the batch, and start the task once the batch is committed."""
    ids = list(dict.fromkeys(int(i) for i in member_ids))
    duties = clean(duties, "duties", max_length=LetterBatch._meta.get_field("duties").max_length)
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
        from ..tasks import run_letter_batch

        hangdoi.enqueue(run_letter_batch, batch.pk)
    return batch


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
    """Issue each letter (numbers are taken one by one); every letter's PDF renders in its own
    task as soon as it commits, so all workers render while this one keeps issuing. Safe to
    run twice: members already handled are skipped, a letter issued just before a crash is found."""
    batch = LetterBatch.objects.select_related("created_by", "signatory").get(pk=batch_id)
    todo = [i for i in batch.member_ids if str(i) not in batch.results]
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        try:
            links, refusals = letters_issue_many(
                actor=batch.created_by,
                members=[Member(pk=i) for i in chunk],
                signatory=batch.signatory,
                duties=batch.duties,
            )
        except (PermissionDenied, ValidationError) as exc:
            links, refusals = [], {i: exc for i in chunk}
        issued = {link.member_id: link.letter_id for link in links}
        for member_id in chunk:
            if member_id in issued:
                result = {"document": issued[member_id]}
            else:
                existing = _already_issued_in_batch(batch, member_id)
                error = refusals.get(member_id)
                messages = getattr(error, "messages", None) or [str(error) or _("Not allowed.")]
                result = {"document": existing} if existing else {"error": " ".join(messages)}
            batch.results[str(member_id)] = result
        batch.done = len(batch.results)
        LetterBatch.objects.filter(pk=batch.pk).update(results=batch.results, done=batch.done)
    from ..tasks import finish_letter_batch

    hangdoi.enqueue(finish_letter_batch, batch.pk)
    return batch


def letter_batch_rendered(batch: LetterBatch) -> int:
    from vanban.models import Document

    ids = [r["document"] for r in batch.results.values() if "document" in r]
    return Document.objects.filter(pk__in=ids).exclude(sha256="").count()


def letter_batch_finish(batch_id: int) -> bool:
    """Join the archived letters into one file for printing once all are rendered; False = not yet."""
    import pikepdf

    from vanban.models import Document

    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().get(pk=batch_id)
        if batch.finished_at:
            return True
        ids = [r["document"] for r in batch.results.values() if "document" in r]
        documents = Document.objects.in_bulk(ids)
        if len(batch.results) < batch.total or any(not documents[i].sha256 for i in ids):
            return False
        if ids:
            joined = pikepdf.Pdf.new()
            for i in ids:
                with documents[i].pdf.open("rb") as handle:
                    joined.pages.extend(pikepdf.open(io.BytesIO(handle.read())).pages)
            out = io.BytesIO()
            joined.save(out)
            batch.combined_pdf.save(f"letters-{batch.pk}.pdf", ContentFile(out.getvalue()), save=False)
        batch.finished_at = timezone.now()
        batch.save(update_fields=["combined_pdf", "finished_at"])
    return True
