"""Every write of the yearly evaluation: periods, requests, the Front meeting, drafts, signing,
confirmation, forwarding, corrections, proposals and quality ratings. Each call is one transaction
with an audit record; a refused call leaves the database as it was."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.models import Organization, Role, Side
from chibo.permissions import MEMBER_WRITE_ROLES, SIGNING_ROLES, can_manage_branch, has_role_over
from common.text import has_control_chars, normalize
from dangvien.models import LinkState, ResidenceLink
from nhatky.services import audit_record, audit_record_many

from .models import (
    CriteriaSet,
    CriteriaUse,
    Evaluation,
    EvaluationPeriod,
    EvaluationRequest,
    EvaluationStatus,
    FrontMeeting,
    PeriodScope,
    Proposal,
    ProposalAction,
    ProposalKind,
    QualityRating,
)

# Who opens a period over a committee's subtree: its office and administrators.
PERIOD_ROLES = frozenset({Role.CLERK, Role.ADMIN})
# Who records the year-end quality rating and what was done about a proposal: the workplace office.
RATING_ROLES = frozenset({Role.CLERK, Role.SIGNING_SECRETARY, Role.ADMIN})
# Conclusions that ask the workplace to act, and the proposal each becomes when forwarded.
CONCLUSION_PROPOSALS = {"commend": ProposalKind.COMMEND, "handle": ProposalKind.HANDLE}
TEMPLATE = "evaluation/qd213-v1"


class EvaluationConflict(Exception):
    """Someone saved the form since this editor loaded it; carries the form as it now is."""

    def __init__(self, evaluation):
        super().__init__("evaluation changed")
        self.evaluation = evaluation


def _text(value, field: str) -> str:
    """Multi-line text as stored: NFC, trimmed; control characters refused at the field."""
    value = normalize(value or "", multiline=True)
    if has_control_chars(value, multiline=True):
        raise ValidationError({field: _("Text must not contain control characters.")})
    return value


# ---- criteria -------------------------------------------------------------------------------


def criteria_active(use: str) -> CriteriaSet:
    criteria_set = CriteriaSet.objects.filter(use=use, is_active=True).first()
    if criteria_set is None:
        raise ValidationError(_("No criteria set is in force for this kind of evaluation; ask the administrator."))
    return criteria_set


_FROZEN_CRITERIA: dict[int, list] = {}


def criteria_of(criteria_set: CriteriaSet) -> list:
    """The set's criteria in order. A frozen set never changes, so each process reads it once
    (the draft autosave runs this on every keystroke pause); an editable one is read each time."""
    if criteria_set.pk in _FROZEN_CRITERIA:
        return _FROZEN_CRITERIA[criteria_set.pk]
    criteria = list(criteria_set.criteria.all())
    if criteria_set.is_frozen:
        _FROZEN_CRITERIA[criteria_set.pk] = criteria
    return criteria


def _freeze(criteria_set: CriteriaSet):
    """A version in use can no longer change: later changes are a new version."""
    if criteria_set.frozen_at is None:
        CriteriaSet.objects.filter(pk=criteria_set.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())
        criteria_set.frozen_at = timezone.now()


def criteria_set_new_version(*, actor, criteria_set: CriteriaSet) -> CriteriaSet:
    """A new, editable version of a set with the same criteria, to change for a new regulation."""
    from .models import Criterion

    if not (actor and actor.is_superuser):
        raise PermissionDenied(_("Only the national administrator manages criteria sets."))
    with transaction.atomic():
        latest = CriteriaSet.objects.filter(code=criteria_set.code).order_by("-version").first()
        new = CriteriaSet.objects.create(
            code=criteria_set.code,
            version=latest.version + 1,
            name=criteria_set.name,
            regulation=criteria_set.regulation,
            use=criteria_set.use,
            conclusions=criteria_set.conclusions,
            is_active=False,
        )
        Criterion.objects.bulk_create(
            Criterion(criteria_set=new, order=c.order, code=c.code, text=c.text, duty=c.duty, levels=c.levels)
            for c in criteria_set.criteria.all()
        )
        audit_record(actor=actor, action="criteria.version", obj=new, changes={"from": criteria_set.pk})
    return new


def criteria_set_activate(*, actor, criteria_set: CriteriaSet) -> CriteriaSet:
    """Put a version in force for its use (the previous one stays for the forms that used it)."""
    if not (actor and actor.is_superuser):
        raise PermissionDenied(_("Only the national administrator manages criteria sets."))
    if not criteria_set.criteria.exists():
        raise ValidationError(_("A criteria set needs at least one criterion."))
    with transaction.atomic():
        CriteriaSet.objects.filter(use=criteria_set.use, is_active=True).exclude(pk=criteria_set.pk).update(
            is_active=False
        )
        criteria_set.is_active = True
        criteria_set.save(update_fields=["is_active"])
        audit_record(actor=actor, action="criteria.activate", obj=criteria_set)
    return criteria_set


# ---- periods --------------------------------------------------------------------------------


def period_open(
    *,
    actor,
    organization: Organization,
    year: int,
    scope: str,
    branch_deadline: datetime.date,
    confirm_deadline: datetime.date,
    forward_deadline: datetime.date,
) -> EvaluationPeriod:
    if not organization.kind.is_committee or organization.side == Side.WORKPLACE:
        raise ValidationError({"organization": _("Only a residence-side committee opens an evaluation period.")})
    if actor is not None and not has_role_over(actor, organization.path, PERIOD_ROLES):
        raise PermissionDenied(_("You may not open an evaluation period for this committee."))
    errors = {}
    if scope not in PeriodScope.values:
        errors["scope"] = _("Choose a scope from the list.")
    if confirm_deadline < branch_deadline:
        errors["confirm_deadline"] = _("The commune confirms after the branches sign: pick a later date.")
    if forward_deadline < confirm_deadline:
        errors["forward_deadline"] = _("Forms are forwarded after they are confirmed: pick a later date.")
    if branch_deadline.year < year:
        errors["branch_deadline"] = _("The branches cannot finish before the year they evaluate.")
    if errors:
        raise ValidationError(errors)
    criteria_set = criteria_active(CriteriaUse.YEARLY)
    try:
        with transaction.atomic():
            period = EvaluationPeriod.objects.create(
                organization=organization,
                org_path=organization.path,
                year=year,
                scope=scope,
                criteria_set=criteria_set,
                branch_deadline=branch_deadline,
                confirm_deadline=confirm_deadline,
                forward_deadline=forward_deadline,
                opened_by=actor,
            )
            _freeze(criteria_set)
            audit_record(
                actor=actor,
                action="evaluation_period.open",
                obj=period,
                changes={"year": year, "scope": scope, "criteria_set": criteria_set.pk},
            )
    except IntegrityError:
        raise ValidationError(
            {
                "year": _("%(org)s already has an evaluation period for %(year)s.")
                % {"org": organization.name, "year": year}
            }
        ) from None
    return period


def period_for(branch_path: str, year: int) -> EvaluationPeriod | None:
    """The period that covers a branch in a year: the nearest committee above it that opened one."""
    prefixes = [branch_path[:n] for n in range(4, len(branch_path) + 1, 4)]
    return (
        EvaluationPeriod.objects.filter(year=year, org_path__in=prefixes)
        .select_related("criteria_set", "organization")
        .order_by("-org_path")
        .first()
    )


# ---- requests from the workplace ------------------------------------------------------------


def request_create(*, actor, member, purpose: str, details: str, due_date: datetime.date) -> EvaluationRequest:
    """The workplace asks the residence side for an opinion on a member (appointment, award, discipline)."""
    from taikhoan.services import notify_many

    from .selectors import branch_office_users

    if actor is not None and not has_role_over(actor, member.org_path, MEMBER_WRITE_ROLES):
        raise PermissionDenied(_("You may not ask about this member."))
    today = timezone.localdate()
    if due_date < today:
        raise ValidationError({"due_date": _("The answer date cannot be in the past.")})
    with transaction.atomic():
        link = (
            ResidenceLink.objects.select_for_update()
            .select_related("residence_branch", "workplace_committee")
            .filter(member=member, state__in=[LinkState.RECEIVED, LinkState.ACTIVE], residence_branch__isnull=False)
            .first()
        )
        if link is None:
            raise ValidationError(
                {
                    "member": _(
                        "%(name)s has no residence branch yet: the residence side must receive the letter first."
                    )
                    % {"name": member.full_name}
                }
            )
        request = EvaluationRequest.objects.create(
            member=member,
            link=link,
            workplace_committee=link.workplace_committee,
            workplace_path=link.workplace_path,
            residence_path=link.residence_branch.path,
            year=today.year,
            purpose=purpose,
            details=_text(details, "details"),
            due_date=due_date,
            requested_by=actor,
        )
        audit_record(
            actor=actor, action="evaluation_request.create", obj=request, changes={"purpose": purpose, "due": due_date}
        )
        url = reverse("nhanxet:request_form", args=[request.pk])
        notify_many(
            items=[
                (
                    user,
                    f"eval-request-{request.pk}",
                    _("Evaluation requested: %(name)s") % {"name": member.full_name},
                    _("%(org)s asks for the residence branch's opinion by %(due)s.")
                    % {"org": link.workplace_committee.name, "due": due_date.strftime("%d/%m/%Y")},
                    url,
                )
                for user in branch_office_users(link.residence_branch)
            ]
        )
    return request


# ---- the branch's work ----------------------------------------------------------------------


def _check_branch(actor, branch: Organization):
    if actor is not None and not can_manage_branch(actor, branch):
        raise PermissionDenied(_("You may not manage this branch."))


def front_meeting_record(*, actor, branch: Organization, year: int, held_on, attendees: str, notes: str = ""):
    """The branch committee met the neighbourhood Front committee before evaluating (one record a year)."""
    _check_branch(actor, branch)
    attendees = _text(attendees, "attendees")
    errors = {}
    if not attendees:
        errors["attendees"] = _("Write who took part (branch committee and Front committee).")
    if held_on > timezone.localdate():
        errors["held_on"] = _("The meeting date cannot be in the future.")
    elif held_on.year != year:
        errors["held_on"] = _("The meeting must be held in %(year)s.") % {"year": year}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting, created = FrontMeeting.objects.update_or_create(
            branch=branch,
            year=year,
            defaults={
                "branch_path": branch.path,
                "held_on": held_on,
                "attendees": attendees,
                "notes": _text(notes, "notes"),
                "recorded_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="front_meeting.record",
            obj=meeting,
            changes={"held_on": held_on, "attendees": attendees, "created": created},
        )
    return meeting


def _validate_content(criteria_set: CriteriaSet, answers, conclusion: str) -> dict:
    """Only criteria and levels of this version; unknown ones are refused at their field."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("The answers could not be read; reload the page.")})
    criteria = {c.code: c for c in criteria_of(criteria_set)}
    errors = {}
    clean = {}
    for code, level in answers.items():
        criterion = criteria.get(code)
        if criterion is None:
            errors[f"c_{code}"] = _("This criterion is not part of the form.")
        elif level in ("", None):
            continue
        elif not criterion.level_label(level):
            errors[f"c_{code}"] = _("Choose one of the levels of this criterion.")
        else:
            clean[code] = level
    if conclusion and conclusion not in {c["code"] for c in criteria_set.conclusions}:
        errors["conclusion"] = _("Choose a conclusion from the list.")
    if errors:
        raise ValidationError(errors)
    return clean


def _new_form(link: ResidenceLink, year: int, period, request, criteria_set) -> Evaluation:
    return Evaluation(
        member=link.member,
        link=link,
        branch=link.residence_branch,
        branch_path=link.residence_branch.path,
        commune=link.residence_committee,
        workplace_committee=link.workplace_committee,
        workplace_path=link.workplace_path,
        year=year,
        period=period,
        request=request,
        criteria_set=criteria_set,
    )


def _form_context(*, link, year, request):
    """(period, criteria set) of a new form, or the reason there can be none."""
    from dangvien.selectors import meeting_exemptions_on

    exempt = meeting_exemptions_on(timezone.localdate()).filter(member=link.member_id).exists()
    if request is not None:
        return None, criteria_active(CriteriaUse.EXEMPT if exempt else CriteriaUse.YEARLY)
    if exempt:
        raise ValidationError(
            _("%(name)s is exempt from residence meetings (HD 33 §1.1): evaluated only on request.")
            % {"name": link.member.full_name}
        )
    period = period_for(link.residence_branch.path, year)
    if period is None:
        raise ValidationError(_("No evaluation period is open for %(year)s over this branch.") % {"year": year})
    return period, period.criteria_set


def evaluation_save(
    *,
    actor,
    link: ResidenceLink,
    year: int,
    lock_version: int,
    answers: dict,
    remarks: str = "",
    conclusion: str = "",
    conclusion_details: str = "",
    request: EvaluationRequest | None = None,
) -> Evaluation:
    """Save a draft (the form autosaves): creates it on the first save. `lock_version` is the
    version the editor loaded (0 for a new form); if someone saved since, nothing is written and
    EvaluationConflict carries what they saved."""
    branch = link.residence_branch
    if branch is None or link.state not in (LinkState.RECEIVED, LinkState.ACTIVE):
        raise ValidationError(_("This member is not assigned to a residence branch."))
    _check_branch(actor, branch)
    if request is not None and request.link_id != link.pk:
        raise ValidationError(_("The request is about another member."))
    with transaction.atomic():
        # The criteria set comes in the same query (only the form's row is locked, as before).
        current = (
            Evaluation.objects.select_for_update(of=("self",))
            .select_related("criteria_set")
            .filter(member=link.member_id, is_current=True)
            .filter(Q(request=request) if request else Q(request__isnull=True, year=year))
            .first()
        )
        if current is None:
            if lock_version != 0:
                raise ValidationError(_("This form no longer exists; reload the page."))
            period, criteria_set = _form_context(link=link, year=year, request=request)
            current = _new_form(link, year, period, request, criteria_set)
        else:
            if current.branch_id != branch.pk:
                raise ValidationError(_("This member's form belongs to another branch."))
            if current.lock_version != lock_version:
                raise EvaluationConflict(current)
            if not current.is_draft:
                raise ValidationError(_("This form is signed and can no longer be changed; make a correction instead."))
            # The same member row the link carries: the audit record's text needs no query of its own.
            current.member = link.member
        clean = _validate_content(current.criteria_set, answers, conclusion)
        current.answers = clean
        current.remarks = _text(remarks, "remarks")
        current.conclusion = conclusion
        current.conclusion_details = _text(conclusion_details, "conclusion_details")
        current.lock_version += 1
        current.updated_by = actor
        created = current.pk is None
        if not created:
            # The row is locked: a plain update, no savepoint.
            current.save(
                update_fields=[
                    "answers",
                    "remarks",
                    "conclusion",
                    "conclusion_details",
                    "lock_version",
                    "updated_by",
                    "updated_at",
                ]
            )
        else:
            try:
                with transaction.atomic():
                    current.save()
            except IntegrityError:
                # Another editor created the form a moment ago: their save wins, this one reloads.
                raise EvaluationConflict(
                    Evaluation.objects.get(
                        Q(request=request) if request else Q(request__isnull=True, year=year),
                        member=link.member_id,
                        is_current=True,
                    )
                ) from None
        if created:
            _freeze(current.criteria_set)
        audit_record(
            actor=actor,
            action="evaluation.create" if created else "evaluation.save",
            obj=current,
            changes={"answers": clean, "conclusion": conclusion, "lock_version": current.lock_version},
        )
    return current


def missing_answers(evaluation: Evaluation) -> list[str]:
    """What still stops the form being signed, as the secretary should read it."""
    missing = [
        _("criterion %(n)s") % {"n": c.order}
        for c in criteria_of(evaluation.criteria_set)
        if not evaluation.answers.get(c.code)
    ]
    if not evaluation.conclusion:
        missing.append(_("the conclusion"))
    elif evaluation.conclusion in CONCLUSION_PROPOSALS and not evaluation.conclusion_details:
        missing.append(_("the facts behind the proposal"))
    return missing


def evaluations_sign(*, actor, branch: Organization, ids) -> list[Evaluation]:
    """Sign one or many drafts of the branch (T/M CHI BỘ); all or none."""
    from chibo.selectors import signatories_active

    _check_branch(actor, branch)
    ids = {int(i) for i in ids}
    if not ids:
        raise ValidationError(_("Choose at least one form to sign."))
    signatory = signatories_active(branch).first()
    if signatory is None:
        raise ValidationError(
            _("%(org)s has no secretary recorded as signatory; add one on the branch's signing page.")
            % {"org": branch.name}
        )
    with transaction.atomic():
        forms = list(
            Evaluation.objects.select_for_update()
            .filter(pk__in=ids, branch=branch, is_current=True)
            .select_related("member", "criteria_set")
            .order_by("member__sort_key", "pk")
        )
        if len(forms) != len(ids):
            raise ValidationError(_("Some of the chosen forms are not this branch's current forms; reload the page."))
        problems = []
        for form in forms:
            if not form.is_draft:
                problems.append(_("%(name)s: already signed.") % {"name": form.member.full_name})
            elif missing := missing_answers(form):
                problems.append(
                    _("%(name)s: answer %(missing)s first.")
                    % {"name": form.member.full_name, "missing": ", ".join(missing)}
                )
        if (
            any(form.period_id for form in forms)
            and not FrontMeeting.objects.filter(
                branch=branch, year__in={form.year for form in forms if form.period_id}
            ).exists()
        ):
            problems.insert(0, _("Record the meeting with the Front committee before signing the yearly forms."))
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        for form in forms:
            form.status = EvaluationStatus.SIGNED
            form.signed_by = actor
            form.signed_at = now
            form.signer_name = signatory.full_name
            form.lock_version += 1
        Evaluation.objects.bulk_update(forms, ["status", "signed_by", "signed_at", "signer_name", "lock_version"])
        audit_record_many(
            actor=actor, action="evaluation.sign", entries=[(f, {"signer": signatory.full_name}) for f in forms]
        )
    return forms


def evaluation_correct(*, actor, evaluation: Evaluation, reason: str) -> Evaluation:
    """A signed form is never changed: its correction is a new draft version with a reason."""
    _check_branch(actor, evaluation.branch)
    reason = _text(reason, "reason")
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    with transaction.atomic():
        old = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if not old.is_current:
            raise ValidationError(_("A newer version of this form exists; correct that one."))
        if old.is_draft:
            raise ValidationError(_("A draft can be changed directly; it needs no correction."))
        old.is_current = False
        old.save(update_fields=["is_current"])
        new = Evaluation.objects.create(
            **{
                f.name: getattr(old, f.name)
                for f in Evaluation._meta.concrete_fields
                if f.name
                in {
                    "member",
                    "link",
                    "branch",
                    "branch_path",
                    "commune",
                    "workplace_committee",
                    "workplace_path",
                    "year",
                    "period",
                    "request",
                    "criteria_set",
                    "answers",
                    "remarks",
                    "conclusion",
                    "conclusion_details",
                }
            },
            version=old.version + 1,
            supersedes=old,
            correction_reason=reason,
            updated_by=actor,
        )
        audit_record(actor=actor, action="evaluation.correct", obj=new, changes={"supersedes": old.pk}, reason=reason)
    return new


# ---- the commune: confirm and forward -------------------------------------------------------


def _check_commune(actor, commune: Organization):
    if actor is not None and not has_role_over(actor, commune.path, SIGNING_ROLES):
        raise PermissionDenied(_("You may not confirm forms of this committee."))


def _snapshot(form: Evaluation, criteria) -> dict:
    member = form.member
    request = form.request
    return {
        "doc_type_label": "PHIẾU NHẬN XÉT",
        "subtitle": "Đảng viên đang công tác giữ mối liên hệ với chi ủy, tổ chức đảng và nhân dân nơi cư trú",
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
                {"order": c.order, "text": c.text, "level": c.level_label(form.answers.get(c.code, ""))}
                for c in criteria
            ],
            "remarks": [line for line in form.remarks.splitlines() if line.strip()],
            "conclusion": form.criteria_set.conclusion_label(form.conclusion),
            "conclusion_details": form.conclusion_details,
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


def evaluations_confirm(*, actor, commune: Organization, ids, signatory=None) -> list[Evaluation]:
    """The commune committee confirms signed forms of its branches (signature and stamp): each gets
    its numbered Mẫu 3-213 PDF. All or none."""
    from vanban.models import DocumentType
    from vanban.services import document_revoke, documents_issue_many, signer_for

    _check_commune(actor, commune)
    ids = {int(i) for i in ids}
    if not ids:
        raise ValidationError(_("Choose at least one form to confirm."))
    commune = Organization.objects.select_related("kind").get(pk=commune.pk)  # its stamp as it is now
    signatory = signer_for(commune, signatory)
    with transaction.atomic():
        forms = list(
            Evaluation.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, is_current=True, branch_path__startswith=commune.path)
            .select_related(
                "member",
                "link__residence_commune",
                "branch",
                "commune",
                "workplace_committee",
                "criteria_set",
                "request__workplace_committee",
                "supersedes__document",
            )
            .order_by("branch_path", "member__sort_key", "pk")
        )
        if len(forms) != len(ids):
            raise ValidationError(_("Some of the chosen forms are not current forms of this committee's branches."))
        problems = [
            _("%(name)s: %(status)s, not waiting for confirmation.")
            % {"name": f.member.full_name, "status": f.get_status_display()}
            for f in forms
            if f.status != EvaluationStatus.SIGNED
        ]
        if problems:
            raise ValidationError(problems)
        criteria = {}
        for form in forms:
            if form.criteria_set_id not in criteria:
                criteria[form.criteria_set_id] = list(form.criteria_set.criteria.all())
        documents = documents_issue_many(
            actor=actor,
            doc_type=DocumentType.EVALUATION,
            issuer=commune,
            signatory=signatory,
            template=TEMPLATE,
            items=[
                (
                    f.member,
                    f"Phiếu nhận xét đảng viên năm {f.year}: {f.member.full_name}",
                    _snapshot(f, criteria[f.criteria_set_id]),
                )
                for f in forms
            ],
        )
        now = timezone.now()
        for form, document in zip(forms, documents, strict=True):
            form.status = EvaluationStatus.CONFIRMED
            form.confirmed_by = actor
            form.confirmed_at = now
            form.document = document
            old = form.supersedes
            if old is not None and old.document_id and old.document.status == "issued":
                document_revoke(actor=None, document=old.document, reason=f"Thay bằng phiếu {document.symbol}")
                old.document.replaced_by = document
                old.document.save(update_fields=["replaced_by"])
        Evaluation.objects.bulk_update(forms, ["status", "confirmed_by", "confirmed_at", "document"])
        audit_record_many(
            actor=actor, action="evaluation.confirm", entries=[(f, {"document": f.document.symbol}) for f in forms]
        )
    return forms


def evaluations_forward(*, actor, commune: Organization, ids) -> list[Evaluation]:
    """Send confirmed forms to each member's workplace committee; a form that proposes commendation
    or handling becomes a proposal the workplace answers."""
    from taikhoan.services import notify_many

    from .selectors import committee_office_users

    _check_commune(actor, commune)
    ids = {int(i) for i in ids}
    if not ids:
        raise ValidationError(_("Choose at least one form to forward."))
    with transaction.atomic():
        forms = list(
            Evaluation.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, is_current=True, branch_path__startswith=commune.path)
            .select_related("member", "workplace_committee")
        )
        if len(forms) != len(ids):
            raise ValidationError(_("Some of the chosen forms are not current forms of this committee's branches."))
        problems = [
            _("%(name)s: %(status)s, not confirmed yet.")
            % {"name": f.member.full_name, "status": f.get_status_display()}
            for f in forms
            if f.status != EvaluationStatus.CONFIRMED
        ]
        if problems:
            raise ValidationError(problems)
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
        url = reverse("nhanxet:incoming")
        notify_many(
            items=[
                (
                    user,
                    f"eval-forward-{committee.pk}-{now:%Y%m%d%H%M%S}",
                    _("%(count)s evaluation forms received") % {"count": len(committee_forms)},
                    _("%(commune)s forwarded the residence evaluation of %(names)s.")
                    % {"commune": commune.name, "names": ", ".join(f.member.full_name for f in committee_forms[:5])},
                    url,
                )
                for committee, committee_forms in by_committee.items()
                for user in committee_office_users(committee)
            ]
        )
    return forms


# ---- proposals and the year-end rating ------------------------------------------------------


def proposal_create(*, actor, link: ResidenceLink, kind: str, facts: str) -> Proposal:
    """The residence side proposes commendation, a reminder or handling, at any time."""
    if link.residence_branch is None or link.state not in (LinkState.RECEIVED, LinkState.ACTIVE):
        raise ValidationError(_("This member is not assigned to a residence branch."))
    _check_branch(actor, link.residence_branch)
    facts = _text(facts, "facts")
    errors = {}
    if kind not in ProposalKind.values:
        errors["kind"] = _("Choose a proposal from the list.")
    if not facts:
        errors["facts"] = _("Write the facts behind the proposal.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            member=link.member,
            link=link,
            branch_path=link.residence_path or link.residence_branch.path,
            workplace_committee=link.workplace_committee,
            workplace_path=link.workplace_path,
            kind=kind,
            facts=facts,
            created_by=actor,
        )
        audit_record(actor=actor, action="proposal.create", obj=proposal, changes={"kind": kind})
    return proposal


def proposal_act(*, actor, proposal: Proposal, action: str, note: str = "") -> Proposal:
    """The workplace records what it did about a residence proposal (once; later changes are audited too)."""
    if actor is not None and not has_role_over(actor, proposal.workplace_path, RATING_ROLES):
        raise PermissionDenied(_("You may not answer proposals for this committee."))
    note = _text(note, "action_note")
    if action not in ProposalAction.values:
        raise ValidationError({"action": _("Choose what was done from the list.")})
    if action == ProposalAction.NONE and not note:
        raise ValidationError({"action_note": _("Say why nothing was done.")})
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before = {"action": proposal.action, "action_note": proposal.action_note}
        proposal.action = action
        proposal.action_note = note
        proposal.action_by = actor
        proposal.action_at = timezone.now()
        proposal.save(update_fields=["action", "action_note", "action_by", "action_at"])
        audit_record(
            actor=actor, action="proposal.act", obj=proposal, changes={"before": before, "action": action, "note": note}
        )
    return proposal


def rating_record(*, actor, member, year: int, level: str, notes: str = "") -> QualityRating:
    """The workplace's year-end quality rating (QĐ 124), kept next to the residence form it saw."""
    from dangvien.services.links import workplace_committee

    committee = workplace_committee(member)
    if actor is not None and not has_role_over(actor, member.org_path, RATING_ROLES):
        raise PermissionDenied(_("You may not rate this member."))
    if level not in QualityRating.Level.values:
        raise ValidationError({"level": _("Choose a rating from the list.")})
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("A year that has not come cannot be rated.")})
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.filter(member=member, year=year, request__isnull=True, status=EvaluationStatus.FORWARDED)
            .order_by("-version")
            .first()
        )
        rating = QualityRating.objects.select_for_update().filter(member=member, year=year).first()
        before = {"level": rating.level, "notes": rating.notes} if rating else {}
        if rating is None:
            rating = QualityRating(member=member, year=year)
        rating.workplace_committee = committee
        rating.workplace_path = committee.path
        rating.level = level
        rating.notes = _text(notes, "notes")
        rating.evaluation = evaluation
        rating.rated_by = actor
        rating.save()
        audit_record(
            actor=actor,
            action="quality_rating.record",
            obj=rating,
            changes={"before": before, "level": level, "evaluation": evaluation},
        )
    return rating
