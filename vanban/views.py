from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import selectors


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(label=gettext_lazy("The PDF you hold"))

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is too large (at most 20 MB)."))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("This file is not a PDF."))
        return upload


@require_http_methods(["GET", "POST"])
def verify(request, token):
    """Public: anyone holding the paper confirms it; a masked name is the only personal data."""
    document = selectors.document_by_token(token)
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    match = None
    if request.method == "POST" and form.is_valid():
        match = selectors.matches_document(document, form.cleaned_data["pdf"].read())
    return render(
        request,
        "vanban/verify.html",
        {
            "document": document,
            "form": form,
            "match": match,
            "masked_name": selectors.masked_name(document.member.full_name) if document.member else "",
        },
    )


@login_required
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
