from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chibo.permissions import can_export_subject_data, can_manage_members
from chibo.selectors import organization_get, organization_member_choices
from common import xlsx
from common.forms import run_service
from nhatky.access import AccessAction, access_logged

from . import exports, link_selectors, selectors, services
from .forms import MemberFilterForm, MemberForm

COVERED_CHOICES = {"1": True, "0": False, selectors.AWAITING_LETTER: selectors.AWAITING_LETTER}


def _member_filters(request):
    """(form, filters) of the member list's query string, the organisation read through the
    user's scope (404 outside it): the list and its export filter alike."""
    form = MemberFilterForm(request.GET or None)
    filters = {"organization": None}
    if form.is_valid():
        data = form.cleaned_data
        if data["org"]:
            filters["organization"] = organization_get(request.user, data["org"])
        filters.update(q=data["q"], status=data["status"], covered=COVERED_CHOICES.get(data["covered"]))
    return form, filters


@login_required
def member_list(request):
    form, filters = _member_filters(request)
    organization = filters["organization"]
    page = selectors.member_find(
        request.user,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        **filters,
    )
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("before", None)
    context = {
        "form": form,
        "page": page,
        "organization": organization,
        "query_string": params.urlencode(),
        "can_create": organization_member_choices(request.user).exists(),
    }
    template = "dangvien/_member_rows.html" if request.headers.get("HX-Request") else "dangvien/member_list.html"
    return render(request, template, context)


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def member_xlsx(request):
    form, filters = _member_filters(request)
    organization = filters["organization"]
    members = selectors.member_export(request.user, **filters)
    data = exports.members_xlsx(members, organization=organization, notes=[exports.filters_of(form)])
    return xlsx.response(data, f"dang-vien-{organization.name}" if organization else "dang-vien")


@login_required
@access_logged(AccessAction.MEMBER_VIEW, "pk")
def member_detail(request, pk):
    member = selectors.member_get(request.user, pk)
    records, audits = selectors.member_history(member)
    return render(
        request,
        "dangvien/member_detail.html",
        {
            "member": member,
            "history": records,
            "links": link_selectors.member_links(member),
            "exemptions": selectors.exemptions_labelled(member.exemptions.all()),
            "audits": audits,
            "can_edit": can_manage_members(request.user, member.organization),
            "can_export_all": can_export_subject_data(request.user, member.organization),
        },
    )


@login_required
@access_logged(AccessAction.SUBJECT_EXPORT, "pk")
def member_subject_export(request, pk):
    """Everything held about the member, as one .zip (see dangvien/subject_export.py)."""
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse

    from .subject_export import subject_export

    member = selectors.member_get(request.user, pk)
    if not can_export_subject_data(request.user, member.organization):
        raise PermissionDenied
    response = HttpResponse(subject_export(member=member), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="du-lieu-dang-vien-{member.pk}.zip"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request):
    organizations = organization_member_choices(request.user)
    initial = {}
    if org_id := request.GET.get("org"):
        initial["organization"] = org_id
    form = MemberForm(request.POST or None, organizations=organizations, initial=initial)
    if request.method == "POST" and form.is_valid():
        member = run_service(form, lambda: services.member_create(actor=request.user, data=form.service_data()))
        if member:
            messages.success(request, _("Member %(name)s was added.") % {"name": member.full_name})
            return redirect("dangvien:detail", pk=member.pk)
    return render(request, "dangvien/member_form.html", {"form": form, "member": None})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    member = selectors.member_get(request.user, pk)
    if not can_manage_members(request.user, member.organization):
        raise Http404
    form = MemberForm(
        request.POST or None,
        instance=member,
        organizations=organization_member_choices(request.user),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            lambda: services.member_update(
                actor=request.user, member=member, data=form.service_data(), reason=form.cleaned_data["reason"]
            ),
        )
        if saved:
            messages.success(request, _("The changes were saved."))
            if "position" in form.changed_data and link_selectors.notifiable_link(member) is not None:
                messages.info(request, _("The position changed: tell the residence side with a change notice."))
                return redirect("dangvien:change_notice", pk=member.pk)
            return redirect("dangvien:detail", pk=member.pk)
    return render(request, "dangvien/member_form.html", {"form": form, "member": member})
