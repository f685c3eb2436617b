"""The branch's work: the Front meeting, drafts (autosaved, optimistically locked), signing, corrections."""

from functools import cache

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.models import Organization
from chibo.permissions import can_manage_branch_sql
from common.db import execute_prepared
from common.text import clean
from dangvien.models import LinkState, ResidenceLink
from nhatky.models import AuditEvent
from nhatky.services import audit_record, audit_record_many
from quydinh.selectors import pack_in_force
from quydinh.services import pack_freeze

from ..models import (
    CriteriaSet,
    CriteriaUse,
    Evaluation,
    EvaluationRequest,
    EvaluationStatus,
    FrontMeeting,
)
from ..record import CONCLUSION, checks_at_signing, member_records, unexplained
from ._base import CONCLUSION_PROPOSALS, EvaluationConflict, _check_branch
from .criteria import criteria_of, criteria_of_pack, criteria_set_of, freeze_criteria
from .periods import period_for


def front_meeting_record(*, actor, branch: Organization, year: int, held_on, attendees: str, notes: str = ""):
    """The branch committee met the neighbourhood Front committee before evaluating (one record a year)."""
    _check_branch(actor, branch)
    attendees = clean(attendees, "attendees", multiline=True)
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
                "notes": clean(notes, "notes", multiline=True),
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


def _validate_content(criteria_set: CriteriaSet, answers, conclusion: str, remarks=None) -> tuple[dict, dict]:
    """(levels, remarks on answers): only criteria and levels of this version; unknown ones are
    refused at their field. A remark is kept for a criterion (or the conclusion) whatever the
    answer: the record it explains is checked when the form is signed."""
    if not isinstance(answers, dict) or not isinstance(remarks or {}, dict):
        raise ValidationError({"answers": _("The answers could not be read; reload the page.")})
    criteria = {c.code: c for c in criteria_of(criteria_set)}
    errors = {}
    levels = {}
    for code, level in answers.items():
        criterion = criteria.get(code)
        if criterion is None:
            errors[f"c_{code}"] = _("This criterion is not part of the form.")
        elif level in ("", None):
            continue
        elif not criterion.level_label(level):
            errors[f"c_{code}"] = _("Choose one of the levels of this criterion.")
        else:
            levels[code] = level
    if conclusion and conclusion not in {c["code"] for c in criteria_set.conclusions}:
        errors["conclusion"] = _("Choose a conclusion from the list.")
    kept = {}
    for code, text in (remarks or {}).items():
        if code not in criteria and code != CONCLUSION:
            errors[f"r_{code}"] = _("This criterion is not part of the form.")
            continue
        try:
            text = clean(text if isinstance(text, str) else "", f"r_{code}", multiline=True, max_length=1000)
        except ValidationError as exc:
            errors.update(exc.error_dict if hasattr(exc, "error_dict") else {f"r_{code}": exc.messages})
            continue
        if text:
            kept[code] = text
    if errors:
        raise ValidationError(errors)
    return levels, kept


def _new_form(link: ResidenceLink, year: int, period, request, criteria_set, pack) -> Evaluation:
    return Evaluation(
        member=link.member,
        link=link,
        branch=link.residence_branch,
        branch_path=link.residence_branch.path,
        # By key: the link is read without its committees (the draft autosave does not need them).
        commune_id=link.residence_committee_id,
        workplace_committee_id=link.workplace_committee_id,
        workplace_path=link.workplace_path,
        year=year,
        period=period,
        request=request,
        criteria_set=criteria_set,
        pack=pack,
    )


def form_context(*, link, year, request):
    """(period, criteria set, regulation pack) of a new form, or the reason there can be none. A
    yearly form is the period's; a form on request follows the regulation in force today."""
    from dangvien.selectors import meeting_exemptions_on

    exempt = meeting_exemptions_on(timezone.localdate()).filter(member=link.member_id).exists()
    if request is not None:
        pack = pack_in_force()
        return None, criteria_of_pack(pack, CriteriaUse.EXEMPT if exempt else CriteriaUse.YEARLY), pack
    if exempt:
        raise ValidationError(
            _("%(name)s is exempt from residence meetings (HD 33 §1.1): evaluated only on request.")
            % {"name": link.member.full_name}
        )
    period = period_for(link.residence_branch.path, year)
    if period is None:
        raise ValidationError(_("No evaluation period is open for %(year)s over this branch.") % {"year": year})
    return period, period.criteria_set, period.pack


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
    criterion_remarks: dict | None = None,
) -> Evaluation:
    """Save a draft (the form autosaves): creates it on the first save. `lock_version` is the
    version the editor loaded (0 for a new form); if someone saved since, nothing is written and
    EvaluationConflict carries what they saved."""
    branch = link.residence_branch
    if branch is None or link.state not in (LinkState.RECEIVED, LinkState.ACTIVE):
        raise ValidationError(_("This member is not assigned to a residence branch."))
    if request is None or request.link_id == link.pk:
        # The common case (a draft saved again by whoever holds its latest version), the right
        # over the branch checked in its first statement; anything else goes the way below.
        saved = _draft_update(
            actor=actor,
            link=link,
            year=year,
            lock_version=lock_version,
            answers=answers,
            remarks=remarks,
            conclusion=conclusion,
            conclusion_details=conclusion_details,
            request=request,
            criterion_remarks=criterion_remarks,
        )
        if saved is not None:
            return saved
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
            period, criteria_set, pack = form_context(link=link, year=year, request=request)
            current = _new_form(link, year, period, request, criteria_set, pack)
        else:
            if current.branch_id != branch.pk:
                raise ValidationError(_("This member's form belongs to another branch."))
            if current.lock_version != lock_version:
                raise EvaluationConflict(current)
            if not current.is_draft:
                raise ValidationError(_("This form is signed and can no longer be changed; make a correction instead."))
            # The same member row the link carries: the audit record's text needs no query of its own.
            current.member = link.member
        current.answers, current.criterion_remarks = _validate_content(
            current.criteria_set, answers, conclusion, criterion_remarks
        )
        current.remarks = clean(remarks, "remarks", multiline=True)
        current.conclusion = conclusion
        current.conclusion_details = clean(conclusion_details, "conclusion_details", multiline=True)
        current.lock_version += 1
        current.updated_by = actor
        created = current.pk is None
        if not created:
            # The row is locked: a plain update, no savepoint.
            current.save(
                update_fields=[
                    "answers",
                    "criterion_remarks",
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
            freeze_criteria(current.criteria_set)
            pack_freeze(current.pack)
        audit_record(
            actor=actor,
            action="evaluation.create" if created else "evaluation.save",
            obj=current,
            changes={
                "answers": current.answers,
                "criterion_remarks": current.criterion_remarks,
                "conclusion": conclusion,
                "lock_version": current.lock_version,
            },
        )
    return current


# ---- the autosave's common case in two statements -------------------------------------------


@cache
def _read_fields() -> list:
    """The form's columns as read before a save, less the four the save replaces."""
    written = {"answers", "criterion_remarks", "remarks", "conclusion", "conclusion_details"}
    return [f for f in Evaluation._meta.concrete_fields if f.name not in written]


def _draft_update(
    *, actor, link, year, lock_version, answers, remarks, conclusion, conclusion_details, request, criterion_remarks
) -> Evaluation | None:
    """The autosave of a draft that exists, by an editor holding its latest version, in two
    statements: one read of the form with the actor's right over the branch, then the update and
    its audit row in one statement that writes only if the form is still that version (the row
    lock of the general path, as a condition of the update). Returns None for anything else (no
    form yet, a newer version, another branch, signed, no right, a race lost between the two):
    evaluation_save's locked path then decides, with its errors in its order. Content errors are
    raised here: by then the general path would have passed every check before them."""
    if connection.vendor != "postgresql" or lock_version < 1:
        return None
    branch = link.residence_branch
    manages, manage_params = can_manage_branch_sql(actor, path=branch.path)
    table = Evaluation._meta.db_table
    read = _read_fields()
    which = "request_id = %s" if request is not None else "request_id IS NULL AND year = %s"
    with connection.cursor() as cursor:
        execute_prepared(
            cursor,
            f"SELECT {', '.join(f.column for f in read)}, {manages} FROM {table}"  # noqa: S608 (names from the models)
            f" WHERE member_id = %s AND is_current AND {which}",
            [*manage_params, link.member_id, request.pk if request is not None else year],
        )
        row = cursor.fetchone()
    if row is None or not row[-1]:
        return None
    current = Evaluation.from_db(connection.alias, [f.attname for f in read], row[:-1])
    if current.branch_id != branch.pk or current.lock_version != lock_version or not current.is_draft:
        return None
    criteria_set = criteria_set_of(current.criteria_set_id)
    current.answers, current.criterion_remarks = _validate_content(criteria_set, answers, conclusion, criterion_remarks)
    current.remarks = clean(remarks, "remarks", multiline=True)
    current.conclusion = conclusion
    current.conclusion_details = clean(conclusion_details, "conclusion_details", multiline=True)
    current.lock_version += 1
    current.updated_by = actor
    current.updated_at = timezone.now()
    current.member, current.link, current.branch, current.criteria_set = link.member, link, branch, criteria_set
    field = Evaluation._meta.get_field
    audit = AuditEvent._meta
    # The row audit_record writes (nhatky.services), in the statement of the update.
    event = {
        "at": current.updated_at,
        "actor_id": actor.pk if actor is not None and actor.pk else None,
        "action": "evaluation.save",
        "object_type": Evaluation._meta.label_lower,
        "object_id": str(current.pk),
        "object_repr": str(current)[:255],
        "changes": audit.get_field("changes").get_db_prep_value(
            {
                "answers": current.answers,
                "criterion_remarks": current.criterion_remarks,
                "conclusion": conclusion,
                "lock_version": current.lock_version,
            },
            connection,
        ),
        "reason": "",
    }
    with connection.cursor() as cursor:
        execute_prepared(
            cursor,
            f"WITH saved AS (UPDATE {table} SET answers = %s, criterion_remarks = %s, remarks = %s,"  # noqa: S608 (names from the models)
            " conclusion = %s, conclusion_details = %s, lock_version = %s, updated_by_id = %s, updated_at = %s"
            " WHERE id = %s AND lock_version = %s AND is_current AND status = %s RETURNING id)"
            f" INSERT INTO {audit.db_table} ({', '.join(audit.get_field(name).column for name in event)})"
            f" SELECT {', '.join(['%s'] * len(event))} FROM saved",
            [
                field("answers").get_db_prep_value(current.answers, connection),
                field("criterion_remarks").get_db_prep_value(current.criterion_remarks, connection),
                current.remarks,
                current.conclusion,
                current.conclusion_details,
                current.lock_version,
                current.updated_by_id,
                current.updated_at,
                current.pk,
                lock_version,
                EvaluationStatus.DRAFT,
                *event.values(),
            ],
        )
        written = cursor.rowcount
    return current if written == 1 else None


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


def _fill_seconds(form: Evaluation) -> int | None:
    """From the form's first save to its last change before signing (None when the first is unknown).
    A correction starts from the signed form it replaces, so its time says nothing about filling: None."""
    if form.version > 1 or form.created_at is None or form.updated_at is None:
        return None
    return max(0, int((form.updated_at - form.created_at).total_seconds()))


def _answer_name(code: str, criteria) -> str:
    if code == CONCLUSION:
        return _("the conclusion")
    return _("criterion %(n)s") % {"n": next(c.order for c in criteria if c.code == code)}


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
        # What the system knows of each member's year: an answer it contradicts needs a remark.
        records = {
            year: member_records([form.member_id for form in forms if form.year == year], year)
            for year in {form.year for form in forms}
        }
        problems = []
        checks = {}
        for form in forms:
            if not form.is_draft:
                problems.append(_("%(name)s: already signed.") % {"name": form.member.full_name})
                continue
            if missing := missing_answers(form):
                problems.append(
                    _("%(name)s: answer %(missing)s first.")
                    % {"name": form.member.full_name, "missing": ", ".join(missing)}
                )
            criteria = criteria_of(form.criteria_set)
            record = records[form.year][form.member_id]
            for code, message in unexplained(form, criteria, record).items():
                problems.append(
                    _("%(name)s, %(what)s: %(warning)s Write a remark on it before signing.")
                    % {"name": form.member.full_name, "what": _answer_name(code, criteria), "warning": message}
                )
            checks[form.pk] = checks_at_signing(form, criteria, record)
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
            form.record_checks = checks[form.pk]
            form.fill_seconds = _fill_seconds(form)
            form.lock_version += 1
        Evaluation.objects.bulk_update(
            forms, ["status", "signed_by", "signed_at", "signer_name", "record_checks", "fill_seconds", "lock_version"]
        )
        audit_record_many(
            actor=actor,
            action="evaluation.sign",
            entries=[(f, {"signer": signatory.full_name, "record_checks": f.record_checks}) for f in forms],
        )
    return forms


def evaluation_correct(*, actor, evaluation: Evaluation, reason: str) -> Evaluation:
    """A signed form is never changed: its correction is a new draft version with a reason."""
    _check_branch(actor, evaluation.branch)
    reason = clean(reason, "reason", multiline=True)
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
                    "pack",
                    "answers",
                    "criterion_remarks",
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
