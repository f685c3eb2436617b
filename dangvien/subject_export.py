"""A data-subject request (Law 91/2025/QH15, Art. on the right to access): everything the system
holds about one member, as one .zip an administrator hands over.

The contents are found from the models, not listed by hand, so a table added later that points at
a member is included without anyone remembering to: every model with a foreign key to Member, the
rows that point at those (attendance corrections), the member's change history, the audit records
of writes to any of them, the access log of reads of the member's data, and the PDFs of the
documents issued about the member.
"""

import io
import json
import zipfile

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
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


def subject_export(*, member) -> bytes:
    from nhatky.models import AccessEvent, AuditEvent
    from vanban.models import Document

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
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("du-lieu.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1))
        for document in Document.objects.filter(member=member).exclude(pdf="").order_by("pk"):
            with document.pdf.open("rb") as handle:
                archive.writestr(f"van-ban/{document.pk}.pdf", handle.read())
        archive.writestr(
            "DOC-TRUOC.txt",
            _(
                "All data held about party member %(name)s (id %(id)s) on %(date)s.\n"
                "du-lieu.json: the member's record, its change history, every record that refers to the "
                "member (residence links, letters, attendance, evaluations, ratings, proposals, notices, "
                "documents), the audit of changes and the log of who read the member's data.\n"
                "van-ban/: the PDFs of the documents issued about the member.\n"
            )
            % {"name": member.full_name, "id": member.pk, "date": timezone.localdate().strftime("%d/%m/%Y")},
        )
    return buffer.getvalue()
