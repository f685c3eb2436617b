"""Pages of the residence-contact workflow: letters, exemptions, notices, inboxes, receipts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from chibo.permissions import can_manage_members, has_role_over
from chibo.selectors import absence_notices_workplace
from common import xlsx
from common.forms import run_service as _run
from nhatky.access import AccessAction, access_logged

from . import exports, link_selectors, selectors, services
from .link_forms import ChangeNoticeForm, ExemptionForm, LetterForm, ManualReceiptForm, ReceiveForm
from .models import LinkState


def _managed_member(request, pk):
    member = selectors.member_get(request.user, pk)
    if not can_manage_members(request.user, member.organization):
        raise Http404
    return member


@login_required
@require_http_methods(["GET", "POST"])
def letter_issue(request, pk):
    member = _managed_member(request, pk)
    issuer = services.links.workplace_committee(member)
    form = LetterForm(request.POST or None, issuer=issuer)
    if request.method == "POST" and form.is_valid():
        link = _run(
            form,
            lambda: services.letter_issue(
                actor=request.user,
                member=member,
                signatory=form.cleaned_data["signatory"],
                duties=form.cleaned_data["duties"],
            ),
        )
        if link:
            messages.success(request, _("Introduction letter %(symbol)s issued.") % {"symbol": link.letter.symbol})
            return redirect("dangvien:detail", pk=member.pk)
    return render(
        request,
        "dangvien/link_form.html",
        {
            "member": member,
            "form": form,
            "title": _("Introduction letter"),
            "issuer": issuer,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemption_add(request, pk):
    member = _managed_member(request, pk)
    form = ExemptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _run(form, lambda: services.exemption_record(actor=request.user, member=member, **form.cleaned_data)):
            messages.success(request, _("The exemption was recorded."))
            return redirect("dangvien:detail", pk=member.pk)
    return render(request, "dangvien/link_form.html", {"member": member, "form": form, "title": _("Exemption")})


@login_required
@require_http_methods(["GET", "POST"])
def change_notice(request, pk):
    member = _managed_member(request, pk)
    form = ChangeNoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        notice = _run(
            form, lambda: services.change_notice_issue(actor=request.user, member=member, **form.cleaned_data)
        )
        if notice:
            messages.success(request, _("Change notice %(symbol)s issued.") % {"symbol": notice.document.symbol})
            return redirect("dangvien:detail", pk=member.pk)
    return render(request, "dangvien/link_form.html", {"member": member, "form": form, "title": _("Change notice")})


def _inbox_state(request) -> str:
    return request.GET.get("state", LinkState.LETTER_ISSUED)


@login_required
def workplace_inbox(request):
    state = _inbox_state(request)
    tab, rows = link_selectors.inbox(request.user, link_selectors.WORKPLACE, state)
    notices = link_selectors.notices_workplace(request.user)
    absences = absence_notices_workplace(request.user)
    return render(
        request,
        "dangvien/link_inbox.html",
        {
            "side": "workplace",
            "links": rows[:200] if tab == link_selectors.LINKS else [],
            "notices": rows[:200] if tab == link_selectors.NOTICES else [],
            "notice_count": notices.count(),
            "absences": rows[:100] if tab == link_selectors.ABSENCES else [],
            "absence_count": absences.count(),
            "state": state,
            "states": LinkState.choices,
            "counts": link_selectors.state_counts(link_selectors.links_workplace(request.user)),
        },
    )


@login_required
def residence_inbox(request):
    state = _inbox_state(request)
    tab, rows = link_selectors.inbox(request.user, link_selectors.RESIDENCE, state)
    notices = link_selectors.notices_residence(request.user)
    links = list(rows[:200]) if tab == link_selectors.LINKS else []
    # Board viewers see the inbox; only the commune office records receipts.
    for link in links:
        link.can_receive = has_role_over(request.user, link.residence_path, services.links.RESIDENCE_OFFICE_ROLES)
    return render(
        request,
        "dangvien/link_inbox.html",
        {
            "side": "residence",
            "links": links,
            "notices": rows[:200] if tab == link_selectors.NOTICES else [],
            "notice_count": notices.count(),
            "state": state,
            "states": LinkState.choices,
            "counts": link_selectors.state_counts(link_selectors.links_residence(request.user)),
        },
    )


INBOX_TITLES = {
    link_selectors.WORKPLACE: gettext_lazy("Residence contact of your members"),
    link_selectors.RESIDENCE: gettext_lazy("Introduction letters addressed to your commune"),
}


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def inbox_xlsx(request, side):
    """The inbox tab on screen (its state, the notices or the absences), every row of it."""
    state = _inbox_state(request)
    tab, rows = link_selectors.inbox(request.user, side, state)
    data = exports.inbox_xlsx(title=str(INBOX_TITLES[side]), tab=tab, state=state, rows=rows)
    return xlsx.response(data, f"lien-he-{side}-{state}")


@login_required
@require_http_methods(["GET", "POST"])
def link_receive(request, pk):
    link = link_selectors.link_for_residence(request.user, pk)
    form = ReceiveForm(request.POST or None, committee=link.residence_committee)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.link_receive(actor=request.user, link=link, **form.cleaned_data))
        if done:
            messages.success(
                request,
                _("Receipt recorded; acknowledgement %(symbol)s sent to the workplace.")
                % {"symbol": done.acknowledgement.symbol},
            )
            return redirect("dangvien:residence_inbox")
    return render(request, "dangvien/link_receive.html", {"link": link, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def link_receive_manual(request, pk):
    link = link_selectors.link_for_workplace(request.user, pk)
    _managed_member(request, link.member_id)
    form = ManualReceiptForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():

        def action():
            return services.link_receive_manual(
                actor=request.user,
                link=link,
                received_date=form.cleaned_data["received_date"],
                scan=form.cleaned_data["scan"],
            )

        if _run(form, action):
            messages.success(request, _("The receipt was recorded."))
            return redirect("dangvien:workplace_inbox")
    return render(request, "dangvien/link_receive.html", {"link": link, "form": form, "manual": True})


@login_required
@require_http_methods(["POST"])
def batch_new(request):
    """Confirm a selection from the member list, then start issuing in the background."""
    from .link_forms import BatchForm
    from .services.batches import letter_batch_start
    from .services.links import workplace_committee

    ids = [i for i in request.POST.getlist("member") if i.isascii() and i.isdigit()]
    members = list(selectors.member_visible(request.user).filter(pk__in=ids).select_related("organization"))
    issuers = {workplace_committee(m) for m in {m.organization_id: m for m in members}.values()}
    form = BatchForm(
        request.POST if "confirm" in request.POST else None, issuer=next(iter(issuers)) if len(issuers) == 1 else None
    )
    if form.is_bound and form.is_valid():
        batch = _run(
            form,
            lambda: letter_batch_start(
                actor=request.user,
                member_ids=[m.pk for m in members],
                signatory=form.cleaned_data.get("signatory"),
                duties=form.cleaned_data["duties"],
            ),
        )
        if batch:
            return redirect("dangvien:batch", pk=batch.pk)
    return render(request, "dangvien/batch_new.html", {"form": form, "members": members, "issuers": issuers})


def _batch(request, pk):
    return link_selectors.batch_get(request.user, pk)


@login_required
def batch(request, pk):
    batch = _batch(request, pk)
    template = "dangvien/_batch_progress.html" if request.headers.get("HX-Request") else "dangvien/batch.html"
    if batch.finished_at:
        # The per-member results are shown once the batch is done; the poll before that
        # reads only the batch row and a count.
        members = {m.pk: m for m in selectors.member_visible(request.user).filter(pk__in=batch.member_ids)}
        rows, rendered = [(members.get(int(k)), r) for k, r in batch.results.items()], None
    else:
        rows, rendered = [], services.batches.letter_batch_rendered(batch)
    return render(request, template, {"batch": batch, "rows": rows, "rendered": rendered})


@login_required
@access_logged(AccessAction.DOCUMENT_DOWNLOAD)
def batch_pdf(request, pk):
    from django.http import FileResponse

    batch = _batch(request, pk)
    if not batch.combined_pdf:
        raise Http404
    return FileResponse(
        batch.combined_pdf.open("rb"), content_type="application/pdf", filename=f"giay-gioi-thieu-{batch.pk}.pdf"
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_revoke(request, pk):
    from .link_forms import RevokeForm

    link = link_selectors.link_for_workplace(request.user, pk)
    member = _managed_member(request, link.member_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _run(
            form, lambda: services.letter_revoke(actor=request.user, link=link, reason=form.cleaned_data["reason"])
        ):
            messages.success(
                request,
                _("Letter %(symbol)s revoked; a new letter will take a new number.") % {"symbol": link.letter.symbol},
            )
            return redirect("dangvien:detail", pk=member.pk)
    return render(
        request,
        "dangvien/link_form.html",
        {"member": member, "form": form, "title": _("Revoke letter %(symbol)s") % {"symbol": link.letter.symbol}},
    )


@login_required
@access_logged(AccessAction.DOCUMENT_DOWNLOAD)
def link_scan(request, pk):
    """The scanned acknowledgement of a receipt recorded on paper (workplace side only)."""
    from django.http import FileResponse

    from vanban.storage import private_storage

    link = link_selectors.link_for_workplace(request.user, pk)
    if not link.acknowledgement_scan:
        raise Http404
    pdf = link.acknowledgement_scan.endswith(".pdf")
    return FileResponse(
        private_storage.open(link.acknowledgement_scan, "rb"),
        content_type="application/pdf" if pdf else "image/png",
        filename=f"phieu-bao-{link.pk}.{'pdf' if pdf else 'png'}",
    )
