from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from common.forms import apply_errors, run_service

from . import reading, selectors, services, template_file
from .forms import ColumnsForm, UploadForm
from .models import ImportStatus


@login_required
def index(request):
    jobs = selectors.imports_visible(request.user)[:50]
    return render(
        request,
        "nhapdulieu/index.html",
        {"jobs": jobs, "can_import": selectors.import_organizations(request.user).exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    organizations = selectors.import_organizations(request.user)
    if not organizations.exists():
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        job = run_service(
            form,
            lambda: services.import_upload(
                actor=request.user, organization=form.cleaned_data["organization"], uploaded=form.cleaned_data["file"]
            ),
        )
        if job is not None:
            return redirect("nhapdulieu:job", pk=job.pk)
    limits = reading.limits()
    return render(
        request,
        "nhapdulieu/upload.html",
        {"form": form, "limit_mb": limits["bytes"] // 1_048_576, "limit_rows": f"{limits['rows']:,}".replace(",", ".")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def job(request, pk):
    job = selectors.import_get(request.user, pk)
    form = ColumnsForm(request.POST or None, job=job)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "check" and form.is_valid():
                services.import_columns(
                    actor=request.user,
                    job=job,
                    mapping=form.mapping(),
                    duplicates=form.cleaned_data["duplicates"],
                    mode=form.cleaned_data["mode"],
                )
                return redirect("nhapdulieu:job", pk=job.pk)
            if action == "communes":
                choices = {key: request.POST.get(f"commune_{n}", "") for n, key in enumerate(job.communes)}
                services.import_communes(actor=request.user, job=job, choices=choices)
                return redirect("nhapdulieu:job", pk=job.pk)
            if action == "write":
                services.import_write(actor=request.user, job=job)
                return redirect("nhapdulieu:job", pk=job.pk)
        except ValidationError as exc:
            if action == "check":
                apply_errors(form, exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("nhapdulieu:job", pk=job.pk)
        except PermissionDenied as exc:
            raise Http404 from exc
    context = _context(job, form)
    if request.headers.get("HX-Request"):
        response = render(request, "nhapdulieu/_progress.html", context)
        if not context["busy"]:
            # Done: the whole page (problems, communes to confirm, the write button) loads again.
            response["HX-Refresh"] = "true"
        return response
    return render(request, "nhapdulieu/job.html", context)


def _context(job, form):
    progress = cache.get(services.progress_key(job.pk)) or {}
    done, total = progress.get("done", 0), progress.get("total") or job.total_rows or 1
    return {
        "job": job,
        "form": form,
        "busy": job.status in (ImportStatus.CHECKING, ImportStatus.WRITING),
        "percent": min(100, round(100 * done / total)),
        "done": done,
        "communes": [
            (n, job.commune_texts.get(key, key), suggestions)
            for n, (key, suggestions) in enumerate(job.communes.items())
        ],
        "problem_rows": len({p["row"] for p in job.problems}),
    }


@login_required
def changes(request, pk):
    job = selectors.import_get(request.user, pk)
    return render(request, "nhapdulieu/changes.html", {"job": job, "changes": selectors.import_changes(job)})


@login_required
def template(request):
    response = HttpResponse(template_file.build(), content_type=template_file.XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-dang-vien.xlsx"'
    return response
