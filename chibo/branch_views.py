"""Residence-branch pages: members and groups, meetings, the phone attendance screen, exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common import xlsx
from common.forms import run_service as _run
from nhatky.access import AccessAction, access_logged

from . import exports, selectors, services
from .branch_forms import CloseForm, CorrectionForm, GroupForm, MeetingForm, MoveForm
from .models import AttendanceStatus, MeetingStatus, PartyGroup
from .permissions import can_manage_branch


def _managed_branch(request, pk):
    branch = selectors.branch_get(request.user, pk)
    if not can_manage_branch(request.user, branch):
        raise Http404
    return branch


@login_required
def branch_list(request):
    branches = list(
        selectors.branches_visible(request.user).annotate(
            next_meeting=Count("meetings", filter=Q(meetings__status=MeetingStatus.SCHEDULED)),
        )[:500]
    )
    if len(branches) == 1:
        return redirect("chibo:branch", pk=branches[0].pk)
    return render(request, "chibo/branch_list.html", {"branches": branches})


@login_required
def branch_home(request, pk):
    branch = selectors.branch_get(request.user, pk)
    links = list(selectors.branch_links(branch))
    return render(
        request,
        "chibo/branch_home.html",
        {
            "branch": branch,
            "links": links,
            "groups": selectors.branch_groups(branch),
            "meetings": branch.meetings.order_by("-starts_at")[:20],
            "can_manage": can_manage_branch(request.user, branch),
            "move_form": MoveForm(branch=branch),
            "group_form": GroupForm(branch=branch),
            "flagged": sum(link.absence_flagged for link in links),
            "year": timezone.localdate().year,
        },
    )


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def branch_xlsx(request, pk):
    branch = selectors.branch_get(request.user, pk)
    links = selectors.branch_links(branch).select_related("residence_commune__province")
    return xlsx.response(exports.branch_members_xlsx(branch, links), f"dang-vien-{branch.name}")


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk, group_pk=None):
    branch = _managed_branch(request, pk)
    group = get_object_or_404(PartyGroup, pk=group_pk, branch=branch) if group_pk else None
    initial = {"name": group.name, "leader": group.leader_id} if group else None
    form = GroupForm(request.POST or None, branch=branch, initial=initial)
    if request.method == "POST" and request.POST.get("delete") and group:
        services.party_group_delete(actor=request.user, group=group)
        messages.success(
            request, _("Group %(name)s was removed; its members have no group now.") % {"name": group.name}
        )
        return redirect("chibo:branch", pk=branch.pk)
    if request.method == "POST" and form.is_valid():
        saved = _run(
            form,
            lambda: services.party_group_save(
                actor=request.user,
                branch=branch,
                name=form.cleaned_data["name"],
                leader=form.cleaned_data["leader"],
                group=group,
            ),
        )
        if saved:
            messages.success(request, _("Group %(name)s was saved.") % {"name": saved.name})
            return redirect(reverse("chibo:branch", args=[branch.pk]) + "#groups")
    return render(request, "chibo/group_form.html", {"branch": branch, "group": group, "form": form})


@login_required
@require_POST
def members_move(request, pk):
    branch = _managed_branch(request, pk)
    form = MoveForm(request.POST, branch=branch)
    if form.is_valid():
        try:
            moved = services.members_group_set(
                actor=request.user,
                branch=branch,
                link_ids=request.POST.getlist("links"),
                group=form.cleaned_data["group"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            group = form.cleaned_data["group"]
            messages.success(
                request,
                _("%(count)s members moved to %(group)s.")
                % {"count": moved, "group": group.name if group else _("no group")},
            )
    else:
        messages.error(request, _("Choose a group from the list."))
    return redirect("chibo:branch", pk=branch.pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk=None, meeting_pk=None):
    """Schedule a meeting of branch `pk`, or change scheduled meeting `meeting_pk`."""
    meeting = selectors.meeting_get(request.user, meeting_pk) if meeting_pk else None
    branch = _managed_branch(request, meeting.branch_id if meeting else pk)
    if meeting and meeting.is_closed:
        raise Http404
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        if meeting:
            saved = _run(
                form, lambda: services.meeting_update(actor=request.user, meeting=meeting, **form.service_data())
            )
        else:
            saved = _run(
                form, lambda: services.meeting_schedule(actor=request.user, branch=branch, **form.service_data())
            )
        if saved:
            messages.success(request, _("The meeting was saved; invitations are on their way."))
            return redirect("chibo:meeting", pk=saved.pk)
    return render(request, "chibo/meeting_form.html", {"branch": branch, "meeting": meeting, "form": form})


@login_required
def meeting_list(request):
    status = request.GET.get("status", "")
    meetings = selectors.meeting_list(request.user, status)
    return render(request, "chibo/meeting_list.html", {"meetings": meetings[:200], "status": status})


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def meetings_xlsx(request):
    status = request.GET.get("status", "")
    data = exports.meetings_xlsx(selectors.meeting_list(request.user, status), status=status)
    return xlsx.response(data, f"sinh-hoat-{status}" if status in MeetingStatus.values else "sinh-hoat")


@login_required
def meeting_detail(request, pk):
    meeting = selectors.meeting_get(request.user, pk)
    rows = list(selectors.meeting_attendance_for(request.user, meeting))
    counts = {status or "unmarked": 0 for status in AttendanceStatus.values}
    for row in rows:
        counts[row.status or "unmarked"] += 1
    can_manage = can_manage_branch(request.user, meeting.branch)
    return render(
        request,
        "chibo/meeting_detail.html",
        {
            "meeting": meeting,
            "rows": rows,
            "counts": counts,
            "can_manage": can_manage,
            "close_form": CloseForm(),
            "notices": selectors.meeting_absence_notices_for(request.user, meeting),
            "attachments": meeting.attachments.all(),
            "corrections": selectors.meeting_corrections(meeting) if can_manage else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request, pk):
    """The phone screen: one tap per member, each saved at once (POST returns JSON)."""
    meeting = selectors.meeting_get(request.user, pk)
    if not can_manage_branch(request.user, meeting.branch):
        raise Http404
    if request.method == "POST":
        return _attendance_post(request, meeting)
    rows = list(selectors.meeting_attendance(meeting))
    return render(
        request,
        "chibo/meeting_attendance.html",
        {"meeting": meeting, "rows": rows, "statuses": [c for c in AttendanceStatus.choices if c[0]]},
    )


def _row_json(row):
    return {
        "member": row.member_id,
        "status": row.status,
        "reason": row.reason,
        "version": row.version,
        "by": str(row.updated_by) if row.updated_by_id else "",
        "at": timezone.localtime(row.updated_at).strftime("%H:%M:%S") if row.updated_at else "",
    }


def _attendance_post(request, meeting):
    try:
        member_id = int(request.POST.get("member", ""))
        version = int(request.POST.get("version", ""))
    except ValueError:
        return JsonResponse({"error": _("The request is incomplete; reload the page.")}, status=400)
    try:
        row = services.attendance_mark(
            actor=request.user,
            meeting=meeting,
            member_id=member_id,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            version=version,
        )
    except services.AttendanceConflict as conflict:
        row = conflict.attendance
        message = _("%(who)s changed this member at %(at)s: %(status)s. Check and tap again if needed.") % {
            "who": row.updated_by or _("Someone"),
            "at": timezone.localtime(row.updated_at).strftime("%H:%M:%S") if row.updated_at else "",
            "status": row.get_status_display(),
        }
        return JsonResponse({"conflict": True, "error": message, **_row_json(row)}, status=409)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    except PermissionDenied as exc:
        raise Http404 from exc
    return JsonResponse({"ok": True, **_row_json(row)})


@login_required
@require_POST
def meeting_close(request, pk):
    meeting = selectors.meeting_get(request.user, pk)
    if not can_manage_branch(request.user, meeting.branch):
        raise Http404
    form = CloseForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.meeting_close(
                actor=request.user,
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                attachment=form.cleaned_data["attachment"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The meeting is closed; absence notices were sent to the workplaces."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("chibo:meeting", pk=meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def attendance_correct(request, pk, member_pk):
    meeting = selectors.meeting_get(request.user, pk)
    if not can_manage_branch(request.user, meeting.branch) or not meeting.is_closed:
        raise Http404
    row = get_object_or_404(selectors.meeting_attendance(meeting), member_id=member_pk)
    form = CorrectionForm(request.POST or None, initial={"status": row.status, "reason": row.reason})
    if request.method == "POST" and form.is_valid():
        done = _run(
            form,
            lambda: services.attendance_correct(
                actor=request.user, meeting=meeting, member_id=row.member_id, **form.cleaned_data
            ),
        )
        if done:
            messages.success(request, _("Attendance of %(name)s was corrected.") % {"name": row.member.full_name})
            return redirect("chibo:meeting", pk=meeting.pk)
    return render(request, "chibo/attendance_correct.html", {"meeting": meeting, "row": row, "form": form})


@login_required
@require_POST
def meeting_invitation(request, pk):
    meeting = selectors.meeting_get(request.user, pk)
    if not can_manage_branch(request.user, meeting.branch):
        raise Http404
    try:
        document = services.meeting_invitation_issue(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("chibo:meeting", pk=meeting.pk)
    messages.success(request, _("Invitation %(symbol)s issued.") % {"symbol": document.symbol})
    return redirect("chibo:meeting", pk=meeting.pk)


@login_required
@access_logged(AccessAction.LIST_EXPORT)
def meeting_export(request, pk, fmt):
    meeting = selectors.meeting_get(request.user, pk)
    rows = list(selectors.meeting_attendance_for(request.user, meeting))
    name = f"diem-danh-{timezone.localtime(meeting.starts_at):%Y-%m-%d}-{meeting.pk}"
    if fmt == "xlsx":
        return xlsx.response(exports.attendance_xlsx(meeting, rows), name)
    response = HttpResponse(exports.attendance_pdf(meeting, rows), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@login_required
def my_groups(request):
    """A group leader's page: their groups' members and the meetings to come."""
    groups = selectors.groups_led_with_members(request.user)
    upcoming = (
        selectors.meetings_visible(request.user)
        .filter(status=MeetingStatus.SCHEDULED, branch__in={group.branch_id for group, _links in groups})
        .order_by("starts_at")[:20]
    )
    return render(request, "chibo/my_groups.html", {"groups": groups, "upcoming": upcoming})


@login_required
@access_logged(AccessAction.DOCUMENT_DOWNLOAD)
def meeting_attachment(request, pk, item):
    """A file kept with the minutes, to those who see the meeting (404 outside their scope)."""
    from django.http import FileResponse

    from vanban.storage import private_storage

    meeting = selectors.meeting_get(request.user, pk)
    attachment = get_object_or_404(meeting.attachments, pk=item)
    pdf = attachment.path.endswith(".pdf")
    # The stored bytes are our re-written PDF or re-encoded PNG; the user's file name is not used.
    return FileResponse(
        private_storage.open(attachment.path, "rb"),
        content_type="application/pdf" if pdf else "image/png",
        filename=f"bien-ban-{meeting.pk}-{attachment.pk}.{'pdf' if pdf else 'png'}",
    )
