"""The commune committee confirms signed forms (a numbered Mẫu 3-213 each) and forwards them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.models import Organization, Role
from chibo.permissions import SIGNING_ROLES, has_role_over
from nhatky.services import audit_record_many

from ..models import (
    Evaluation,
    EvaluationStatus,
    Proposal,
)
from ._base import CONCLUSION_PROPOSALS
from .criteria import criteria_of


def _check_commune(actor, commune: Organization):
    if actor is not None and not has_role_over(actor, commune.path, SIGNING_ROLES):
        raise PermissionDenied(_("You may not confirm forms of this committee."))


def _snapshot(form: Evaluation, criteria) -> dict:
    member = form.member
    request = form.request
    # The branch's remark on an answer the record contradicted is printed under it.
    remarks = {check["criterion"]: check["remark"] for check in form.record_checks or []}
    return {
        "doc_type_label": "PHIẾU NHẬN XÉT",
        "wording": {"branch": form.branch.name},
        "addressee": [form.workplace_committee.name],
        "body": [],
        "extra": {
            "year": form.year,
            "version": form.version,
            "correction_reason": form.correction_reason,
            "branch": form.branch.name,
            "member": {
                "full_name": member.full_name,
                "birth_date": member.birth_date.strftime("%d/%m/%Y"),
                "position": member.position,
                "workplace_unit": member.workplace_unit,
                "residence_address": form.link.residence_address,
            },
            "request": (
                {"purpose": request.get_purpose_display(), "workplace": request.workplace_committee.name}
                if request
                else None
            ),
            "criteria": [
                {
                    "order": c.order,
                    "text": c.text,
                    "level": c.level_label(form.answers.get(c.code, "")),
                    **({"remark": remarks[c.code]} if c.code in remarks else {}),
                }
                for c in criteria
            ],
            "remarks": [line for line in form.remarks.splitlines() if line.strip()],
            "conclusion": form.criteria_set.conclusion_label(form.conclusion),
            "conclusion_details": form.conclusion_details,
            **({"conclusion_remark": remarks["conclusion"]} if "conclusion" in remarks else {}),
            "branch_signer": {
                "on_behalf": "T/M CHI BỘ",
                "title": "BÍ THƯ",
                "name": form.signer_name,
                "signed_on": timezone.localtime(form.signed_at).strftime("%d/%m/%Y"),
            },
            "confirm_label": f"XÁC NHẬN CỦA {(form.commune.short_name or form.commune.name).upper()}",
        },
        "recipients": [],
    }


def _commune_forms(commune: Organization, ids, *, status: str, problem: str, related=()) -> list[Evaluation]:
    """The chosen current forms of the commune's branches, locked, all at `status`; else nothing
    is done and each form out of place is named (`problem` takes the name and the status)."""
    ids = {int(i) for i in ids}
    forms = list(
        Evaluation.objects.select_for_update(of=("self",))
        # The forms this committee received the members of: a branch or a higher committee
        # given as `commune` confirms none (its stamp is not the commune's).
        .filter(pk__in=ids, is_current=True, commune=commune, branch_path__startswith=commune.path)
        .select_related("member", "workplace_committee", *related)
        .order_by("branch_path", "member__sort_key", "pk")
    )
    if len(forms) != len(ids):
        raise ValidationError(_("Some of the chosen forms are not current forms of this committee's branches."))
    problems = [
        problem % {"name": f.member.full_name, "status": f.get_status_display()} for f in forms if f.status != status
    ]
    if problems:
        raise ValidationError(problems)
    return forms


def evaluations_confirm(*, actor, commune: Organization, ids, signatory=None) -> list[Evaluation]:
    """The commune committee confirms signed forms of its branches (signature and stamp): each gets
    its numbered Mẫu 3-213 PDF. All or none."""
    from vanban.models import DocumentStatus, DocumentType
    from vanban.services import document_revoke, documents_issue_many, signer_for

    _check_commune(actor, commune)
    ids = {int(i) for i in ids}
    if not ids:
        raise ValidationError(_("Choose at least one form to confirm."))
    commune = Organization.objects.select_related("kind").get(pk=commune.pk)  # its stamp as it is now
    signatory = signer_for(commune, signatory)
    with transaction.atomic():
        forms = _commune_forms(
            commune,
            ids,
            status=EvaluationStatus.SIGNED,
            problem=_("%(name)s: %(status)s, not waiting for confirmation."),
            related=(
                "link__residence_commune",
                "branch",
                "commune",
                "criteria_set",
                "request__workplace_committee",
                "supersedes__document",
                "pack",
            ),
        )
        # Each form's PDF is worded by the pack it was made under: one batch of numbers per pack.
        by_pack = {}
        for form in forms:
            by_pack.setdefault(form.pack_id, []).append(form)
        documents = {}
        for pack_forms in by_pack.values():
            issued = documents_issue_many(
                actor=actor,
                doc_type=DocumentType.EVALUATION,
                issuer=commune,
                signatory=signatory,
                pack=pack_forms[0].pack,
                items=[
                    (
                        f.member,
                        f"Phiếu nhận xét đảng viên năm {f.year}: {f.member.full_name}",
                        _snapshot(f, criteria_of(f.criteria_set)),
                    )
                    for f in pack_forms
                ],
            )
            documents.update({f.pk: d for f, d in zip(pack_forms, issued, strict=True)})
        now = timezone.now()
        for form in forms:
            document = documents[form.pk]
            form.status = EvaluationStatus.CONFIRMED
            form.confirmed_by = actor
            form.confirmed_at = now
            form.document = document
            old = form.supersedes
            if old is not None and old.document_id and old.document.status == DocumentStatus.ISSUED:
                # The commune's own earlier confirmation gives way to the corrected one.
                document_revoke(
                    actor=None, document=old.document, reason=f"Thay bằng phiếu {document.symbol}", replaced_by=document
                )
        Evaluation.objects.bulk_update(forms, ["status", "confirmed_by", "confirmed_at", "document"])
        audit_record_many(
            actor=actor, action="evaluation.confirm", entries=[(f, {"document": f.document.symbol}) for f in forms]
        )
    return forms


def evaluations_forward(*, actor, commune: Organization, ids) -> list[Evaluation]:
    """Send confirmed forms to each member's workplace committee; a form that proposes commendation
    or handling becomes a proposal the workplace answers."""
    from chibo.selectors import role_holders
    from taikhoan.models import NotificationKind
    from taikhoan.services import notify_many

    _check_commune(actor, commune)
    ids = {int(i) for i in ids}
    if not ids:
        raise ValidationError(_("Choose at least one form to forward."))
    with transaction.atomic():
        forms = _commune_forms(
            commune, ids, status=EvaluationStatus.CONFIRMED, problem=_("%(name)s: %(status)s, not confirmed yet.")
        )
        now = timezone.now()
        for form in forms:
            form.status = EvaluationStatus.FORWARDED
            form.forwarded_by = actor
            form.forwarded_at = now
        Evaluation.objects.bulk_update(forms, ["status", "forwarded_by", "forwarded_at"])
        Proposal.objects.bulk_create(
            [
                Proposal(
                    member=f.member,
                    link_id=f.link_id,
                    branch_path=f.branch_path,
                    workplace_committee=f.workplace_committee,
                    workplace_path=f.workplace_path,
                    kind=CONCLUSION_PROPOSALS[f.conclusion],
                    facts=f.conclusion_details,
                    evaluation=f,
                    created_by=actor,
                )
                for f in forms
                if f.conclusion in CONCLUSION_PROPOSALS
            ],
            ignore_conflicts=True,
        )
        audit_record_many(actor=actor, action="evaluation.forward", entries=[(f, {}) for f in forms])
        by_committee = {}
        for form in forms:
            by_committee.setdefault(form.workplace_committee, []).append(form)
        clerks = role_holders([committee.pk for committee in by_committee], [Role.CLERK])
        url = reverse("nhanxet:incoming")
        notify_many(
            items=[
                (
                    user,
                    # A form is forwarded once: its first id names the message.
                    f"eval-forward-{min(f.pk for f in committee_forms)}",
                    _("%(count)s evaluation forms received") % {"count": len(committee_forms)},
                    _("%(commune)s forwarded the residence evaluation of %(names)s.")
                    % {"commune": commune.name, "names": ", ".join(f.member.full_name for f in committee_forms[:5])},
                    url,
                )
                for committee, committee_forms in by_committee.items()
                for user in clerks[committee.pk]
            ],
            kind=NotificationKind.EVALUATION,
        )
    return forms
