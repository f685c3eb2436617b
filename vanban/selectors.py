"""Scoped reads of documents; the public verification read shows no personal data."""

import hashlib

from django.db.models import Q
from django.shortcuts import get_object_or_404

from chibo.permissions import path_q, scope_paths

from .models import Document


def document_visible(user):
    """Documents the user's organisations issued, about members in their scope, or addressed
    to them: letters and change notices of residence links in their subtree, absence notices
    to their workplace committees."""
    from chibo.models import AbsenceNotice
    from dangvien.models import ChangeNotice, ResidenceLink

    paths = scope_paths(user)
    if paths is None:
        # A national administrator: path_q gives an empty Q, which an OR would drop.
        return Document.objects.all()
    addressed = ResidenceLink.objects.exclude(residence_path="").filter(path_q(paths, "residence_path"))
    return Document.objects.filter(
        path_q(paths, "issuer__path")
        | path_q(paths, "member__org_path")
        | Q(pk__in=addressed.values("letter_id"))
        | Q(pk__in=ChangeNotice.objects.filter(link__in=addressed).values("document_id"))
        | Q(pk__in=AbsenceNotice.objects.filter(path_q(paths, "workplace_path")).values("document_id"))
    )


def document_get(user, pk) -> Document:
    return get_object_or_404(document_visible(user).select_related("issuer"), pk=pk)


def document_by_token(token: str) -> Document:
    return get_object_or_404(Document.objects.select_related("issuer", "member"), token=token)


def masked_name(full_name: str) -> str:
    """'Nguyễn Văn Đức' → 'N. V. Đức': enough to match the paper, not enough to identify."""
    words = full_name.split()
    if len(words) < 2:
        return full_name[:1] + "."
    return " ".join(w[0] + "." for w in words[:-1]) + " " + words[-1]


def matches_document(document: Document, upload) -> bool:
    """Whether an uploaded file is byte for byte the archived PDF (hashed in chunks, not read whole)."""
    if not document.sha256 or not document.pdf or upload.size != document.pdf.size:
        return False
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest() == document.sha256
