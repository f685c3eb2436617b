"""Scoped reads of documents; the public verification read shows no personal data."""

import hashlib

from django.shortcuts import get_object_or_404

from chibo.permissions import path_q, scope_paths

from .models import Document


def document_visible(user):
    """Documents the user's organisations issued, or about members in their scope."""
    paths = scope_paths(user)
    return Document.objects.filter(path_q(paths, "issuer__path") | path_q(paths, "member__org_path"))


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


def matches_document(document: Document, data: bytes) -> bool:
    return bool(document.sha256) and hashlib.sha256(data).hexdigest() == document.sha256
