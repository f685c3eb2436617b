from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from nhatky.access import AccessAction, access_logged

from . import selectors
from .uploads import is_pdf, too_large


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(label=gettext_lazy("The PDF you hold"))

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        limit = settings.UPLOAD_SCAN_MAX_BYTES
        if upload.size > limit:
            raise too_large(limit)
        if not is_pdf(upload):
            raise forms.ValidationError(_("This file is not a PDF."))
        return upload


@require_http_methods(["GET", "POST"])
def verify(request, token):
    """Public: anyone holding the paper confirms it; a masked name is the only personal data."""
    document = selectors.document_by_token(token)
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    match = None
    if request.method == "POST" and form.is_valid():
        match = selectors.matches_document(document, form.cleaned_data["pdf"])
    return render(
        request,
        "vanban/verify.html",
        {
            "document": document,
            "form": form,
            "match": match,
            "masked_name": selectors.masked_name(document.member.full_name) if document.member else "",
            # The reason is free text: only people who may see the document read it.
            "show_reason": selectors.document_visible(request.user).filter(pk=document.pk).exists(),
        },
    )


@login_required
@access_logged(AccessAction.DOCUMENT_DOWNLOAD)
def document_pdf(request, pk):
    document = selectors.document_get(request.user, pk)
    if not document.pdf:
        raise Http404(_("The PDF is still being prepared."))
    return FileResponse(
        document.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=f"{document.symbol.replace('/', '-')}.pdf",
    )
