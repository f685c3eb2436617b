"""Evaluation pages: periods, the branch's list and fast form, the commune's confirmation queue,
the workplace's incoming forms with the year-end rating, requests and proposals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chibo.permissions import BRANCH_WRITE_ROLES, SIGNING_ROLES, can_manage_branch
from chibo.selectors import branch_get, branches_visible
from common import xlsx
from common.forms import run_service as _run
from common.http import next_url
from dangvien.selectors import member_get
from nhatky.access import AccessAction, access_logged
from quydinh.selectors import pack_of_year

from . import exports, record, selectors, services
from .forms import (
    CorrectionForm,
    FrontMeetingForm,
    PeriodForm,
    ProposalActionForm,
    ProposalForm,
    RatingForm,
    RequestForm,
)
from .models import EvaluationStatus
from .permissions import PERIOD_ROLES, can_manage_regulations


def _year(request, default=None) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default or timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def index(request):
    """Where each side starts: the periods, the branches to fill, the communes to confirm, what came in."""
    year = _year(request)
    return render(
        request,
        "nhanxet/index.html",
        {
            "year": year,
            "periods": selectors.periods_visible(request.user).filter(year=year)[:50],
            "branches": branches_visible(request.user, BRANCH_WRITE_ROLES)[:200],
            "communes": selectors.residence_committees(request.user, SIGNING_ROLES)[:50],
            "can_open": selectors.residence_committees(request.user, PERIOD_ROLES).exists(),
            "pack": pack_of_year(year),
            "scheme": selectors.rating_scheme(year),
            "can_manage_regulations": can_manage_regulations(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def period_new(request):
    committees = selectors.residence_committees(request.user, PERIOD_ROLES)
    if not committees.exists():
        raise Http404
    form = PeriodForm(request.POST or None, committees=committees)
    if request.method == "POST" and form.is_valid():
        period = _run(form, lambda: services.period_open(actor=request.user, **form.cleaned_data))
        if period:
            messages.success(
                request,
                _("The %(year)s evaluation period of %(org)s is open.")
                % {"year": period.year, "org": period.organization.name},
            )
            return redirect(reverse("nhanxet:index") + f"?year={period.year}")
    return render(request, "nhanxet/period_form.html", {"form": form})


# ---- the branch -----------------------------------------------------------------------------


@login_required
def branch(request, pk, year):
    branch = branch_get(request.user, pk)
    period, rows, front = selectors.branch_rows(branch, year)
    can_manage = can_manage_branch(request.user, branch)
    return render(
        request,
        "nhanxet/branch.html",
        {
            "branch": branch,
            "year": year,
            "period": period,
            "rows": rows,
            "counts": selectors.branch_counts(rows),
            "front": front,
            "front_form": FrontMeetingForm(
                initial={"held_on": front.held_on, "attendees": front.attendees, "notes": front.notes}
                if front
                else None
            ),
            "can_manage": can_manage,
        },
    )


def _managed_branch(request, pk):
    branch = branch_get(request.user, pk)
    if not can_manage_branch(request.user, branch):
        raise Http404
    return branch


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def branch_xlsx(request, pk, year):
    branch = branch_get(request.user, pk)
    _period, rows, _front = selectors.branch_rows(branch, year)
    return xlsx.response(exports.branch_xlsx(branch, year, rows), f"nhan-xet-{year}-{branch.name}")


@login_required
@require_POST
def front_meeting(request, pk, year):
    branch = _managed_branch(request, pk)
    form = FrontMeetingForm(request.POST)
    if form.is_valid():
        try:
            services.front_meeting_record(actor=request.user, branch=branch, year=year, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("The meeting with the Front committee was recorded."))
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()))
    return redirect("nhanxet:branch", pk=branch.pk, year=year)


@login_required
@require_POST
def sign(request, pk, year):
    branch = _managed_branch(request, pk)
    try:
        signed = services.evaluations_sign(actor=request.user, branch=branch, ids=request.POST.getlist("forms"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except ValueError:
        messages.error(request, _("The request is incomplete; reload the page."))
    else:
        messages.success(request, _("%(count)s forms signed (T/M CHI BỘ).") % {"count": len(signed)})
    return redirect("nhanxet:branch", pk=branch.pk, year=year)


def _form_page(request, *, branch, link, year, eval_request=None):
    """The fast form: GET shows it, POST saves a draft (JSON for the autosave, a redirect otherwise)."""
    if request.method == "POST":
        return _form_post(request, branch=branch, link=link, year=year, eval_request=eval_request)
    evaluation = selectors.form_current(link, year, eval_request)
    if evaluation is not None:
        criteria_set = evaluation.criteria_set
    else:
        try:
            _period, criteria_set, _pack = services.form_context(link=link, year=year, request=eval_request)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect("nhanxet:branch", pk=branch.pk, year=year)
    if evaluation is not None and not evaluation.is_draft:
        return redirect("nhanxet:evaluation", pk=evaluation.pk)
    criteria = services.criteria_of(criteria_set)
    following, position = selectors.form_neighbours(branch, link) if eval_request is None else (None, None)
    member_record = selectors.form_record(link, year)
    answers = evaluation.answers if evaluation else {}
    conclusion = evaluation.conclusion if evaluation else ""
    remarks = evaluation.criterion_remarks if evaluation else {}
    conflicts = record.answer_conflicts(criteria, criteria_set.conclusions, member_record)
    rows = [
        {
            "criterion": c,
            "evidence": record.summary(c, member_record),
            "conflicts": conflicts[c.code],
            "warning": conflicts[c.code].get(answers.get(c.code, ""), ""),
            "remark": remarks.get(c.code, ""),
        }
        for c in criteria
    ]
    return render(
        request,
        "nhanxet/form.html",
        {
            "branch": branch,
            "link": link,
            "member": link.member,
            "year": year,
            "eval_request": eval_request,
            "evaluation": evaluation,
            "criteria_set": criteria_set,
            "criteria": criteria,
            "rows": rows,
            "record": member_record,
            "conclusion_conflicts": conflicts[record.CONCLUSION],
            "conclusion_warning": conflicts[record.CONCLUSION].get(conclusion, ""),
            "conclusion_remark": remarks.get(record.CONCLUSION, ""),
            "answers": answers,
            "next_url": reverse("nhanxet:form", args=[branch.pk, year, following]) if following else None,
            "position": position,
        },
    )


def _form_json(evaluation):
    return {
        "id": evaluation.pk,
        "lock_version": evaluation.lock_version,
        "answers": evaluation.answers,
        "remarks": evaluation.remarks,
        "conclusion": evaluation.conclusion,
        "conclusion_details": evaluation.conclusion_details,
        "criterion_remarks": evaluation.criterion_remarks,
        "by": str(evaluation.updated_by or ""),
        "at": timezone.localtime(evaluation.updated_at).strftime("%H:%M:%S"),
        "missing": services.missing_answers(evaluation),
    }


def _form_post(request, *, branch, link, year, eval_request):
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        lock_version = int(request.POST.get("lock_version", ""))
    except ValueError:
        return JsonResponse({"error": _("The request is incomplete; reload the page.")}, status=400)
    answers = {key[2:]: value for key, value in request.POST.items() if key.startswith("c_")}
    criterion_remarks = {key[2:]: value for key, value in request.POST.items() if key.startswith("r_")}
    try:
        evaluation = services.evaluation_save(
            actor=request.user,
            link=link,
            year=year,
            lock_version=lock_version,
            answers=answers,
            remarks=request.POST.get("remarks", ""),
            conclusion=request.POST.get("conclusion", ""),
            conclusion_details=request.POST.get("conclusion_details", ""),
            request=eval_request,
            criterion_remarks=criterion_remarks,
        )
    except services.EvaluationConflict as conflict:
        theirs = conflict.evaluation
        message = _("%(who)s saved this form at %(at)s. Their answers are shown; check and change again if needed.") % {
            "who": theirs.updated_by or _("Someone"),
            "at": timezone.localtime(theirs.updated_at).strftime("%H:%M:%S"),
        }
        if wants_json:
            return JsonResponse({"conflict": True, "error": message, **_form_json(theirs)}, status=409)
        messages.error(request, message)
        return redirect(request.path)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        if wants_json:
            return JsonResponse({"error": _errors(exc), "fields": fields}, status=400)
        messages.error(request, _errors(exc))
        return redirect(request.path)
    except PermissionDenied as exc:
        raise Http404 from exc
    if wants_json:
        return JsonResponse({"ok": True, **_form_json(evaluation)})
    messages.success(request, _("The form of %(name)s was saved.") % {"name": link.member.full_name})
    return redirect(next_url(request, reverse("nhanxet:branch", args=[branch.pk, year])))


@login_required
@require_http_methods(["GET", "POST"])
def form(request, pk, year, link_pk):
    # The link, its member and branch and the user's right over the branch in one query: the
    # autosave runs this on every pause in typing, the page on every member opened.
    if request.method == "POST":
        link = selectors.link_for_editing(request.user, pk, link_pk)
        return _form_post(request, branch=link.residence_branch, link=link, year=year, eval_request=None)
    link = selectors.link_for_editing(request.user, pk, link_pk, workplace=True)
    return _form_page(request, branch=link.residence_branch, link=link, year=year)


@login_required
@require_http_methods(["GET", "POST"])
def request_form(request, pk):
    eval_request = selectors.request_get_residence(request.user, pk)
    branch = eval_request.link.residence_branch
    if branch is None or not can_manage_branch(request.user, branch):
        raise Http404
    link = selectors.link_in_branch(branch, eval_request.link_id)
    return _form_page(request, branch=branch, link=link, year=eval_request.year, eval_request=eval_request)


@login_required
@access_logged(AccessAction.MEMBER_VIEW)
def evaluation(request, pk):
    evaluation = selectors.evaluation_get(request.user, pk)
    request.access_member_id = evaluation.member_id
    rows = [
        (c, c.level_label(evaluation.answers.get(c.code, ""))) for c in services.criteria_of(evaluation.criteria_set)
    ]
    branch_side = can_manage_branch(request.user, evaluation.branch)
    return render(
        request,
        "nhanxet/evaluation.html",
        {
            "evaluation": evaluation,
            "rows": rows,
            "history": selectors.form_history(evaluation),
            "can_correct": branch_side and evaluation.is_current and not evaluation.is_draft,
            "correction_form": CorrectionForm(),
            "branch_side": branch_side,
        },
    )


@login_required
@require_POST
def correct(request, pk):
    evaluation = selectors.evaluation_get(request.user, pk)
    if not can_manage_branch(request.user, evaluation.branch):
        raise Http404
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the correction."))
        return redirect("nhanxet:evaluation", pk=evaluation.pk)
    try:
        new = services.evaluation_correct(actor=request.user, evaluation=evaluation, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("nhanxet:evaluation", pk=evaluation.pk)
    messages.success(request, _("Version %(n)s was created as a draft; change it and sign again.") % {"n": new.version})
    if new.request_id:
        return redirect("nhanxet:request_form", pk=new.request_id)
    return redirect("nhanxet:form", pk=new.branch_id, year=new.year, link_pk=new.link_id)


# ---- the commune ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def commune(request, pk):
    committee = selectors.commune_get(request.user, pk)
    if request.method == "POST":
        ids = request.POST.getlist("forms")
        action = request.POST.get("action")
        try:
            if action == "forward":
                done = services.evaluations_forward(actor=request.user, commune=committee, ids=ids)
                messages.success(request, _("%(count)s forms forwarded to the workplaces.") % {"count": len(done)})
            else:
                done = services.evaluations_confirm(actor=request.user, commune=committee, ids=ids)
                messages.success(
                    request, _("%(count)s forms confirmed; their PDFs are being made.") % {"count": len(done)}
                )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except ValueError:
            messages.error(request, _("The request is incomplete; reload the page."))
        return redirect("nhanxet:commune", pk=committee.pk)
    return render(
        request,
        "nhanxet/commune.html",
        {
            "committee": committee,
            "signed": list(selectors.confirm_queue(committee, EvaluationStatus.SIGNED)[:1000]),
            "confirmed": list(selectors.confirm_queue(committee, EvaluationStatus.CONFIRMED)[:1000]),
        },
    )


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def commune_xlsx(request, pk):
    committee = selectors.commune_get(request.user, pk)
    data = exports.commune_xlsx(
        committee,
        signed=selectors.confirm_queue(committee, EvaluationStatus.SIGNED),
        confirmed=selectors.confirm_queue(committee, EvaluationStatus.CONFIRMED),
    )
    return xlsx.response(data, f"xac-nhan-{committee.name}")


# ---- the workplace --------------------------------------------------------------------------


@login_required
def incoming(request):
    year = _year(request)
    forms, ratings = selectors.incoming(request.user, year)
    return render(
        request,
        "nhanxet/incoming.html",
        {
            "year": year,
            "forms": forms,
            "ratings": ratings,
            "scheme": selectors.rating_scheme(year),
            "proposals": selectors.proposals_workplace(request.user).filter(action="")[:100],
        },
    )


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def incoming_xlsx(request):
    year = _year(request)
    forms = selectors.incoming_forms(request.user, year)
    ratings = selectors.incoming_ratings(forms.values("member_id"), year)
    return xlsx.response(exports.incoming_xlsx(year, forms, ratings), f"phieu-nhan-xet-{year}")


@login_required
@require_http_methods(["GET", "POST"])
@access_logged(AccessAction.MEMBER_VIEW, "member_pk")
def rating(request, member_pk, year):
    """The year-end rating of one member: the residence form beside it, the scheme of the year, the
    score and the level; "save and next" goes on to the next member of the list not yet rated."""
    page = selectors.rating_page(request.user, member_pk, year)
    form = RatingForm(request.POST or None, scheme=page.scheme, initial=page.initial)
    if request.method == "POST" and form.is_valid():
        done = _run(
            form,
            lambda: services.rating_record(
                actor=request.user, member=page.member, year=year, **form.service_arguments()
            ),
        )
        if done:
            messages.success(
                request,
                _("The rating of %(name)s was recorded: %(level)s.")
                % {"name": page.member.full_name, "level": done.level_label},
            )
            if request.POST.get("then") == "next":
                following = selectors.next_unrated(request.user, year, after=page.member)
                if following is not None:
                    return redirect("nhanxet:rating", member_pk=following, year=year)
            return redirect(reverse("nhanxet:incoming") + f"?year={year}#m{page.member.pk}")
    return render(request, "nhanxet/rating_form.html", {"page": page, "form": form, "year": year})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_act(request, pk):
    proposal = selectors.proposal_get_workplace(request.user, pk)
    form = ProposalActionForm(
        request.POST or None, initial={"action": proposal.action, "action_note": proposal.action_note}
    )
    if request.method == "POST" and form.is_valid():
        done = _run(
            form,
            lambda: services.proposal_act(
                actor=request.user,
                proposal=proposal,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["action_note"],
            ),
        )
        if done:
            messages.success(request, _("What was done about the proposal was recorded."))
            return redirect("nhanxet:incoming")
    return render(request, "nhanxet/proposal_act.html", {"proposal": proposal, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request, pk, link_pk):
    branch = _managed_branch(request, pk)
    link = selectors.link_in_branch(branch, link_pk)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.proposal_create(actor=request.user, link=link, **form.cleaned_data))
        if done:
            messages.success(request, _("The proposal was sent to %(org)s.") % {"org": link.workplace_committee.name})
            return redirect("chibo:branch", pk=branch.pk)
    return render(request, "nhanxet/proposal_form.html", {"branch": branch, "link": link, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request, member_pk):
    member = member_get(request.user, member_pk)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.request_create(actor=request.user, member=member, **form.cleaned_data))
        if done:
            messages.success(request, _("The request was sent to the residence branch."))
            return redirect("nhanxet:requests")
    return render(request, "nhanxet/request_form.html", {"member": member, "form": form})


@login_required
def requests(request):
    return render(
        request,
        "nhanxet/requests.html",
        {
            "sent": selectors.requests_workplace(request.user)[:200],
            "received": selectors.requests_received(request.user)[:200],
        },
    )


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def requests_xlsx(request):
    data = exports.requests_xlsx(
        received=selectors.requests_received(request.user), sent=selectors.requests_workplace(request.user)
    )
    return xlsx.response(data, "xin-y-kien")
