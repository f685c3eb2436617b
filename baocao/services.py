"""Writes of the reports app: recomputing the stored figures (a derived table; FiguresRefresh is
its log, so no audit event per run)."""

import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.models import Organization

from .figures import Context, compute
from .models import FiguresRefresh, OrgFigures
from .permissions import can_issue_report

BATCH = 5000


def figures_refresh(*, year: int, today=None) -> FiguresRefresh:
    """Recompute every organisation's figures for a year and replace the stored ones at once
    (readers keep seeing the previous figures until the new ones are committed)."""
    started = time.monotonic()
    counts = compute(Context.of(year, today))
    ids = dict(Organization.objects.values_list("path", "id"))
    rows = [
        OrgFigures(organization_id=ids[path], year=year, data={k: v for k, v in data.items() if v})
        for path, data in counts.items()
        if path in ids and any(data.values())
    ]
    with transaction.atomic():
        OrgFigures.objects.filter(year=year).delete()
        OrgFigures.objects.bulk_create(rows, batch_size=BATCH)
        refresh, _ = FiguresRefresh.objects.update_or_create(
            year=year,
            defaults={
                "computed_at": timezone.now(),
                "seconds": round(time.monotonic() - started, 2),
                "organizations": len(rows),
            },
        )
    return refresh


def years_to_refresh(today=None) -> list[int]:
    """This year, and last year while its forms are still being confirmed and rated (to March)."""
    today = today or timezone.localdate()
    return [today.year - 1, today.year] if today.month <= 3 else [today.year]


# The report's table: fewer columns than the screen's, to fit an A4 page.
REPORT_COLUMNS = [
    ("covered", "Thuộc diện"),
    ("introduced_pct", "Đã giới thiệu (%)"),
    ("intro_overdue", "Chậm giới thiệu"),
    ("met_pct", "Chi bộ đã sinh hoạt (%)"),
    ("expected_total", "Phiếu phải lập"),
    ("signed_pct", "Đã ký (%)"),
    ("overdue", "Quá hạn"),
]
ROMAN = ["I", "II", "III", "IV", "V", "VI"]


def report_content(board) -> dict:
    """The formal report's wording and tables (Vietnamese whatever the interface language, as on
    every official document)."""
    from django.utils import translation

    from .tables import number, sections

    org = board.org
    with translation.override("vi"):
        period = (
            f"6 tháng {'đầu' if board.half == 1 else 'cuối'} năm {board.year}" if board.half else f"năm {board.year}"
        )
        parent = Organization.objects.get_parent(org) if org.pk else None
        parts = sections(board)
        computed_at = (
            timezone.localtime(board.refreshed.computed_at).strftime("%H giờ %M, ngày %d/%m/%Y")
            if board.refreshed
            else ""
        )
        return {
            "doc_type_label": "BÁO CÁO",
            "wording": {"organization": org.name, "period": period, "computed_at": computed_at},
            "recipients": [
                f"Ban Tổ chức {parent.name}" if parent else "Ban Tổ chức Trung ương",
                "Lưu văn phòng cấp ủy",
            ],
            "extra": {
                "org_name": org.name,
                "period_label": period,
                "computed_at": computed_at,
                "sections": [
                    {
                        "number": ROMAN[i],
                        "title": str(title),
                        "items": [(str(item.label), item.text, item.note) for item in items],
                    }
                    for i, (title, items) in enumerate(parts)
                ],
                "ratings_number": ROMAN[len(parts)] if board.ratings else "",
                "ratings": [_rating_section(block) for block in board.ratings],
                "formality_number": ROMAN[len(parts) + (1 if board.ratings else 0)],
                "formality": _formality_section(board),
                "table_number": ROMAN[len(parts) + (1 if board.ratings else 0) + 1],
                "headers": ["Tổ chức", *[label for _key, label in REPORT_COLUMNS]],
                "rows": [
                    (child.org.name, [number(child.f[key]) for key, _label in REPORT_COLUMNS])
                    for child in board.children
                ],
                "total": [number(board.f[key]) for key, _label in REPORT_COLUMNS],
            },
        }


def _formality_section(board) -> dict:
    """The formality flags as the report states them: per sign, the branches where its share of
    the forms reached the threshold, among the branches judged (enough signed forms)."""
    from django.conf import settings

    from .tables import number

    lines = board.formality
    return {
        "judged": number(lines[0].judged if lines else 0),
        "min_forms": settings.FORMALITY_MIN_FORMS,
        "lines": [
            (str(line.flag.label), line.threshold_pct, number(line.branches), number(line.forms)) for line in lines
        ],
    }


def _rating_section(block) -> dict:
    """The year's ratings under one scheme as the report prints them: the regulation, each level
    with its count and share, and for a scored scheme the spread of the scores."""
    from .tables import number

    total = block.total
    return {
        "scheme": block.scheme.short_name,
        "regulation": block.scheme.regulation,
        "total": number(total),
        "levels": [
            (label, number(n), f"{number(round(100 * n / total, 1))} %" if total else "")
            for _key, label, n, _row in block.rows
        ],
        "scores": [(label, number(n)) for _key, label, n, _pct in block.scores if n],
    }


def report_issue(*, actor, board) -> "Document":  # noqa: F821 (vanban.models.Document)
    """The formal report (HD 36 layout) of a dashboard: numbered as a document of the dashboard's
    organisation, signed by its configured signatory; the PDF renders once the transaction commits."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from quydinh.selectors import pack_of_year
    from quydinh.wording import resolve as wording_resolve
    from vanban.models import DocumentType
    from vanban.services import document_issue, signer_for

    org = board.org
    if not org.pk:
        raise ValidationError(_("A report is issued by one organisation: open its own dashboard."))
    if not can_issue_report(actor, org):
        raise PermissionDenied(_("Only the committee's office issues its reports."))
    if board.refreshed is None:
        raise ValidationError(_("The figures for this year have not been computed yet."))
    content = report_content(board)
    # The regulation of the year reported: its citation and wording head the report.
    pack = pack_of_year(board.year)
    subject = wording_resolve(pack, DocumentType.REPORT, content["wording"])["subtitle"]
    with transaction.atomic():
        signatory = signer_for(org)
        return document_issue(
            actor=actor,
            doc_type=DocumentType.REPORT,
            issuer=org,
            signatory=signatory,
            subject=subject,
            content=content,
            pack=pack,
        )
