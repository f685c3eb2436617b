from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms_signing import SignatoryForm, StampForm
from .permissions import can_manage_signing


@login_required
def org_tree(request):
    return render(request, "chibo/org_tree.html", {"roots": selectors.organization_roots(request.user)})


@login_required
def org_detail(request, pk):
    org = selectors.organization_get(request.user, pk)
    return render(
        request,
        "chibo/org_detail.html",
        {
            "org": org,
            "children": selectors.organization_children(request.user, org),
            "ancestors": selectors.organization_ancestors_visible(request.user, org),
            "signatories": selectors.signatories_active(org),
            "groups": org.party_groups.select_related("leader"),
            "can_sign": can_manage_signing(request.user, org),
        },
    )


@login_required
def org_children(request, pk):
    org = selectors.organization_get(request.user, pk)
    return render(request, "chibo/_org_children.html", {"children": selectors.organization_children(request.user, org)})


@login_required
def commune_search(request):
    results = selectors.commune_search(request.GET.get("q", ""))
    return render(request, "chibo/_commune_results.html", {"results": results, "target": request.GET.get("target", "")})


@login_required
@require_http_methods(["GET", "POST"])
def signing(request, pk):
    """The committee's stamp and signatories, kept by its office."""
    org = selectors.organization_get(request.user, pk)
    if not can_manage_signing(request.user, org):
        raise Http404
    stamp_form = StampForm(prefix="stamp")
    signatory_form = SignatoryForm(prefix="signer")
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "stamp":
                stamp_form = StampForm(request.POST, request.FILES, prefix="stamp")
                if stamp_form.is_valid():
                    services.organization_stamp_set(
                        actor=request.user, org=org, upload=stamp_form.cleaned_data["stamp"]
                    )
                    messages.success(request, _("The stamp image was saved."))
                    return redirect("chibo:signing", pk=org.pk)
            elif which == "signer":
                signatory_form = SignatoryForm(request.POST, request.FILES, prefix="signer")
                if signatory_form.is_valid():
                    data = signatory_form.cleaned_data
                    services.signatory_save(
                        actor=request.user,
                        org=org,
                        full_name=data["full_name"],
                        title=data["title"],
                        signature=data["signature"],
                    )
                    messages.success(request, _("The signatory was saved."))
                    return redirect("chibo:signing", pk=org.pk)
        except ValidationError as exc:
            target = stamp_form if which == "stamp" else signatory_form
            field = "stamp" if which == "stamp" else "signature"
            target.add_error(field, exc.messages)
        except PermissionDenied as exc:
            raise Http404 from exc
    return render(
        request,
        "chibo/signing.html",
        {
            "org": org,
            "stamp_form": stamp_form,
            "signatory_form": signatory_form,
            "signatories": org.signatories.order_by("-is_active", "title", "full_name"),
        },
    )


@login_required
def signing_image(request, pk, kind, item=0):
    """Show a stored stamp or signature to the people who keep them (never a public URL)."""
    from vanban.storage import private_storage

    org = selectors.organization_get(request.user, pk)
    if not can_manage_signing(request.user, org):
        raise Http404
    if kind == "stamp":
        name = org.stamp_image
    else:
        name = get_object_or_404(org.signatories, pk=item).signature_image
    if not name:
        raise Http404
    # Inline, as an image of our own making (re-encoded PNG); nosniff comes from SecurityMiddleware.
    return FileResponse(private_storage.open(name, "rb"), content_type="image/png", filename=f"{kind}-{org.pk}.png")
