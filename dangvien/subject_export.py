"""A data-subject request (Law 91/2025/QH15, Art. on the right to access): everything the system
holds about one member, as one .zip an administrator hands over.

The contents are found from the models, not listed by hand, so a table added later that points at
a member is included without anyone remembering to: every model with a foreign key to Member, the
rows that point at those (attendance corrections), the member's change history, the audit records
of writes to any of them, the access log of reads of the member's data, the PDFs of the
documents issued about the member and the scans of paper acknowledgements; and, found by a query
of their own (a notice names no member), the absence notices that told the workplace.
"""

import io
import json
import zipfile
from pathlib import Path

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Member

# Derived or internal tables: the search index of a name is the name itself; deliveries hold the
# text of notices that are exported with their notification rows.
_SKIP = {"dangvien.membernameword"}


def _rows(queryset):
    return serializers.serialize("python", queryset.order_by("pk"))


def _related(member):
    """{model label: rows} for every model pointing at the member, and those pointing at them."""
    out, ids = {}, {}
    first = [r for r in Member._meta.related_objects if r.one_to_many or r.one_to_one]
    for rel in first:
        model = rel.related_model
        label = model._meta.label_lower
        if label in _SKIP or label.startswith("dangvien.historical"):
            continue
        queryset = model._default_manager.filter(**{rel.field.name: member})
        out.setdefault(label, []).extend(_rows(queryset))
        ids.setdefault(model, set()).update(queryset.values_list("pk", flat=True))
    direct = set(ids)
    for model, pks in list(ids.items()):
        for rel in model._meta.related_objects:
            child = rel.related_model
            if child in direct or not (rel.one_to_many or rel.one_to_one) or not pks:
                continue
            label = child._meta.label_lower
            if label in _SKIP or ".historical" in label:
                continue
            queryset = child._default_manager.filter(**{f"{rel.field.name}__in": pks})
            out.setdefault(label, []).extend(_rows(queryset))
            ids.setdefault(child, set()).update(queryset.values_list("pk", flat=True))
    return out, ids


def _absence_notices(member) -> list[dict]:
    """The notices that told a workplace committee of the member's absences. Not found from the
    models: a notice names no member (one per meeting and committee, listing its absent members),
    so they are the notices of meetings the member missed sent to the committee of the member's
    link. The rows and the document's number and date; not the PDF, which names the others too."""
    from chibo.models import ABSENT_STATUSES, AbsenceNotice

    notices = (
        AbsenceNotice.objects.filter(
            meeting__attendance__member=member,
            meeting__attendance__status__in=ABSENT_STATUSES,
            workplace_committee=F("meeting__attendance__link__workplace_committee"),
        )
        .select_related("document")
        .distinct()
        .order_by("pk")
    )
    return [
        {**row, "document_symbol": notice.document.symbol, "document_issued_at": notice.document.issued_at}
        for notice, row in zip(notices, _rows(notices), strict=True)
    ]


def subject_export(*, member) -> bytes:
    from nhatky.models import AccessEvent, AuditEvent
    from vanban.models import Document
    from vanban.storage import private_storage

    related, ids = _related(member)
    audits = list(AuditEvent.objects.filter(object_type="dangvien.member", object_id=str(member.pk)))
    for model, pks in ids.items():
        if pks:
            audits += AuditEvent.objects.filter(
                object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in pks]
            )
    data = {
        "generated_at": timezone.now(),
        "member": _rows(Member.objects.filter(pk=member.pk))[0],
        "history": _rows(member.history.all()),
        "related": related,
        "audit": _rows(AuditEvent.objects.filter(pk__in=[a.pk for a in audits])),
        "access_log": _rows(AccessEvent.objects.filter(member_id=member.pk)),
        "absence_notices": _absence_notices(member),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("du-lieu.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1))
        for document in Document.objects.filter(member=member).exclude(pdf="").order_by("pk"):
            with document.pdf.open("rb") as handle:
                archive.writestr(f"van-ban/{document.pk}.pdf", handle.read())
        links = member.residence_links.exclude(acknowledgement_scan="").order_by("pk")
        for link in links.values_list("pk", "acknowledgement_scan"):
            with private_storage.open(link[1], "rb") as handle:
                archive.writestr(f"phieu-bao/{link[0]}{Path(link[1]).suffix}", handle.read())
        archive.writestr(
            "DOC-TRUOC.txt",
            _(
                "All data held about party member %(name)s (id %(id)s) on %(date)s.\n"
                "du-lieu.json: the member's record, its change history, every record that refers to the "
                "member (residence links, letters, attendance, evaluations, ratings, proposals, notices, "
                "documents), the notices of the member's absences sent to the workplace, the audit of changes "
                "and the log of who read the member's data.\n"
                "van-ban/: the PDFs of the documents issued about the member.\n"
                "phieu-bao/: the scanned acknowledgements of receipts recorded on paper.\n"
            )
            % {"name": member.full_name, "id": member.pk, "date": timezone.localdate().strftime("%d/%m/%Y")},
        )
    return buffer.getvalue()
