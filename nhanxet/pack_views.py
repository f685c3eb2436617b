"""The national administrator's regulation packs: the list, a pack with its preview of each
document, a new version, its citation and defaults, wording, criteria and exemption categories
while it is a draft, and putting it in force from a date. Anyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.forms import run_service as _run
from quydinh.models import RegulationPack
from quydinh.selectors import pack_in_force, packs
from quydinh.wording import BY_TYPE, DOCUMENTS

from . import pack_preview
from .models import CriteriaSet, CriteriaUse
from .pack_forms import CategoriesForm, CriteriaForm, InForceForm, PackForm, WordingForm
from .permissions import can_manage_regulations
from .selectors import rating_schemes
from .services import packs as pack_services


def _pack(request, pk) -> RegulationPack:
    if not can_manage_regulations(request.user):
        raise Http404
    return get_object_or_404(RegulationPack, pk=pk)


@login_required
def pack_list(request):
    if not can_manage_regulations(request.user):
        raise Http404
    return render(request, "nhanxet/packs/list.html", {"packs": packs(), "in_force": pack_in_force()})


@login_required
@require_http_methods(["GET", "POST"])
def pack_detail(request, pk):
    pack = _pack(request, pk)
    form = InForceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(
            form, lambda: pack_services.pack_put_in_force(actor=request.user, pack=pack, day=form.cleaned_data["day"])
        )
        if done:
            messages.success(
                request,
                _("%(pack)s is in force from %(day)s.")
                % {"pack": done, "day": done.in_force_from.strftime("%d/%m/%Y")},
            )
            return redirect("nhanxet:pack", pk=pack.pk)
    sets = list(CriteriaSet.objects.filter(pack=pack).prefetch_related("criteria").order_by("use"))
    return render(
        request,
        "nhanxet/packs/detail.html",
        {
            "pack": pack,
            "in_force": pack_in_force(),
            "form": form,
            "documents": DOCUMENTS,
            "sets": sets,
            "uses": CriteriaUse.choices,
            "schemes": rating_schemes(),
        },
    )


@login_required
@require_POST
def pack_new_version(request, pk):
    pack = _pack(request, pk)
    new = pack_services.pack_new_version(actor=request.user, pack=pack)
    messages.success(
        request, _("%(pack)s was made as a draft: edit it, look at its documents, put it in force.") % {"pack": new}
    )
    return redirect("nhanxet:pack", pk=new.pk)


def _edit(request, pack, form, action, template, extra=None):
    if request.method == "POST" and form.is_valid():
        if _run(form, action):
            messages.success(request, _("The pack was saved."))
            return redirect("nhanxet:pack", pk=pack.pk)
    return render(request, template, {"pack": pack, "form": form, **(extra or {})})


@login_required
@require_http_methods(["GET", "POST"])
def pack_edit(request, pk):
    pack = _pack(request, pk)
    form = PackForm(request.POST or None, pack=pack)
    return _edit(
        request,
        pack,
        form,
        lambda: pack_services.pack_update(actor=request.user, pack=pack, data=form.cleaned_data),
        "nhanxet/packs/edit.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def pack_wording(request, pk):
    pack = _pack(request, pk)
    form = WordingForm(request.POST or None, pack=pack)
    return _edit(
        request,
        pack,
        form,
        lambda: pack_services.pack_wording_update(actor=request.user, pack=pack, wording=form.wording()),
        "nhanxet/packs/wording.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def pack_criteria(request, pk, use):
    pack = _pack(request, pk)
    if use not in CriteriaUse.values:
        raise Http404
    criteria_set = get_object_or_404(CriteriaSet.objects.prefetch_related("criteria"), pack=pack, use=use)
    form = CriteriaForm(
        request.POST or None,
        initial={
            "criteria": pack_services.criteria_lines(criteria_set),
            "conclusions": pack_services.conclusion_lines(criteria_set),
        },
    )
    return _edit(
        request,
        pack,
        form,
        lambda: pack_services.pack_criteria_update(actor=request.user, pack=pack, use=use, **form.cleaned_data),
        "nhanxet/packs/criteria.html",
        {"criteria_set": criteria_set},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pack_categories(request, pk):
    pack = _pack(request, pk)
    form = CategoriesForm(request.POST or None, initial={"categories": pack_services.category_lines(pack)})
    return _edit(
        request,
        pack,
        form,
        lambda: pack_services.pack_categories_update(actor=request.user, pack=pack, **form.cleaned_data),
        "nhanxet/packs/categories.html",
    )


@login_required
def pack_preview_pdf(request, pk, doc_type):
    pack = _pack(request, pk)
    if doc_type not in BY_TYPE:
        raise Http404
    response = HttpResponse(pack_preview.preview_pdf(pack, doc_type), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="xem-truoc-{doc_type}-{pack.code}-{pack.version}.pdf"'
    return response
