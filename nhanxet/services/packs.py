"""Regulation packs as the national administrator keeps them: a new version copied from one (with
its criteria sets), its citation and defaults, its documents' wording, its criteria and exemption
categories edited while it is a draft, then put in force from a date (and frozen). Every change
is one transaction with an audit record; a pack in use cannot change."""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.text import clean
from nhatky.services import audit_record
from quydinh.models import REMINDER_RULES, RegulationPack
from quydinh.wording import problems as wording_problems
from quydinh.wording import trial as wording_trial

from ..models import CriteriaSet, CriteriaUse, Criterion, Evidence
from ..permissions import can_manage_regulations
from ..record import CONCLUSION
from .criteria import freeze_criteria

LEVEL_CODES = ["good", "fair", "poor", "level4", "level5", "level6"]
SLUG = re.compile(r"^[a-z0-9_-]{1,40}$")
# How an administrator may write a criterion's evidence and a category's kind in the text forms.
EVIDENCE_WORDS = {
    "": "",
    "không": "",
    "attendance": Evidence.ATTENDANCE,
    "điểm danh": Evidence.ATTENDANCE,
    "conduct": Evidence.CONDUCT,
    "đề nghị": Evidence.CONDUCT,
}
KIND_WORDS = {
    "exempt_meetings": "exempt_meetings",
    "miễn sinh hoạt": "exempt_meetings",
    "not_introduced": "not_introduced",
    "không giới thiệu": "not_introduced",
}
EVIDENCE_TEXT = {"": "", Evidence.ATTENDANCE: "điểm danh", Evidence.CONDUCT: "đề nghị"}
KIND_TEXT = {"exempt_meetings": "miễn sinh hoạt", "not_introduced": "không giới thiệu"}


def _check(actor, pack: RegulationPack | None = None):
    if actor is not None and not can_manage_regulations(actor):
        raise PermissionDenied(_("Only the national administrator manages the regulation packs."))
    if pack is not None:
        locked = RegulationPack.objects.select_for_update().get(pk=pack.pk)
        if locked.is_frozen:
            raise ValidationError(
                _("%(pack)s is in force or in use, so it can no longer change: make a new version and edit that.")
                % {"pack": locked}
            )
        return locked
    return None


# ---- a new version ----------------------------------------------------------------------------


def pack_new_version(*, actor, pack: RegulationPack) -> RegulationPack:
    """A draft copy of `pack` (its criteria sets copied too), to edit for a new regulation."""
    _check(actor)
    with transaction.atomic():
        latest = RegulationPack.objects.filter(code=pack.code).order_by("-version").first()
        fields = {
            f.name: getattr(pack, f.name)
            for f in RegulationPack._meta.concrete_fields
            if f.name not in {"id", "version", "in_force_from", "frozen_at", "created_at"}
        }
        # Who made it is in the audit record (a row pointing at the users would go with them in a reset).
        new = RegulationPack.objects.create(**fields, version=latest.version + 1)
        for criteria_set in CriteriaSet.objects.filter(pack=pack).prefetch_related("criteria"):
            last = CriteriaSet.objects.filter(code=criteria_set.code).order_by("-version").first()
            copy = CriteriaSet.objects.create(
                pack=new,
                code=criteria_set.code,
                version=last.version + 1,
                name=criteria_set.name,
                regulation=criteria_set.regulation,
                use=criteria_set.use,
                conclusions=criteria_set.conclusions,
            )
            Criterion.objects.bulk_create(
                Criterion(
                    criteria_set=copy,
                    order=c.order,
                    code=c.code,
                    text=c.text,
                    duty=c.duty,
                    evidence=c.evidence,
                    levels=c.levels,
                )
                for c in criteria_set.criteria.all()
            )
        audit_record(actor=actor, action="regulation_pack.new_version", obj=new, changes={"from": pack.pk})
    return new


# ---- the citation and the defaults -----------------------------------------------------------

CITATION_FIELDS = [
    "short_name",
    "number",
    "signed_on",
    "issuer",
    "title",
    "guidance_number",
    "guidance_signed_on",
    "guidance_issuer",
]


def _month_day(value, field, errors):
    """A deadline as month-day, a day every year has (so not 02-29)."""
    text = (value or "").strip()
    try:
        day = datetime.datetime.strptime(f"2023-{text}", "%Y-%m-%d").date()  # not a leap year
    except ValueError:
        errors[field] = _("Write the day as month-day, e.g. 12-10 (a day every year has).")
        return None
    return day.strftime("%m-%d"), day


def _days(value, field, errors, *, optional=False):
    if value in (None, "") and optional:
        return None
    try:
        days = int(str(value).strip())
    except ValueError:
        errors[field] = _("Write a number of days.")
        return None
    if not 0 <= days <= 366:
        errors[field] = _("A number of days from 0 to 366.")
        return None
    return days


def pack_update(*, actor, pack: RegulationPack, data: dict) -> RegulationPack:
    """The citation (number, date, issuer, subject, guidance), the default deadlines and the
    reminder days of a draft pack. `data` has the citation fields, deadline_<name> and
    reminder_<rule>_first / _second."""
    errors = {}
    values = {}
    for name in ("short_name", "number", "issuer", "title", "guidance_number", "guidance_issuer"):
        try:
            values[name] = clean(data.get(name, ""), name, max_length=RegulationPack._meta.get_field(name).max_length)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    for name in ("short_name", "number", "issuer", "title"):
        if name not in errors and not values.get(name):
            errors[name] = _("This is printed on every document: fill it in.")
    for name in ("signed_on", "guidance_signed_on"):
        values[name] = data.get(name)
    if not values["signed_on"]:
        errors["signed_on"] = _("Enter the date the regulation was signed.")
    if values.get("guidance_number") and not (values["guidance_signed_on"] and values.get("guidance_issuer")):
        errors["guidance_signed_on"] = _("A guidance is cited with its number, date and issuer: fill in all three.")
    deadlines = {}
    parsed = {}
    for name in ("branch", "confirm", "forward"):
        found = _month_day(data.get(f"deadline_{name}"), f"deadline_{name}", errors)
        if found:
            deadlines[name], parsed[name] = found
    if len(parsed) == 3 and not parsed["branch"] <= parsed["confirm"] <= parsed["forward"]:
        errors["deadline_forward"] = _("The deadlines must be in order: branches, then commune, then forwarding.")
    request_days = _days(data.get("deadline_request_days"), "deadline_request_days", errors)
    if request_days is not None:
        deadlines["request_days"] = request_days
    reminders = {}
    for code in REMINDER_RULES:
        first = _days(data.get(f"reminder_{code}_first"), f"reminder_{code}_first", errors)
        second = _days(data.get(f"reminder_{code}_second"), f"reminder_{code}_second", errors, optional=True)
        reminders[code] = [first, second]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pack = _check(actor, pack)
        before = {name: str(getattr(pack, name)) for name in CITATION_FIELDS}
        for name in CITATION_FIELDS:
            setattr(pack, name, values[name] or (None if name == "guidance_signed_on" else ""))
        pack.deadlines = deadlines
        pack.reminder_days = reminders
        pack.save()
        audit_record(
            actor=actor,
            action="regulation_pack.update",
            obj=pack,
            changes={
                "before": before,
                "after": {name: str(getattr(pack, name)) for name in CITATION_FIELDS},
                "deadlines": deadlines,
                "reminder_days": reminders,
            },
        )
    return pack


# ---- wording ------------------------------------------------------------------------------------


def pack_wording_update(*, actor, pack: RegulationPack, wording: dict) -> RegulationPack:
    """The paragraphs of each document type; each must keep the placeholders of its data. The
    errors are keyed "<doc type>__<paragraph>" (the form's fields)."""
    cleaned = {}
    errors = {}
    for doc_type, paragraphs in (wording or {}).items():
        for key, text in (paragraphs or {}).items():
            field = f"{doc_type}__{key}"
            try:
                cleaned.setdefault(doc_type, {})[key] = clean(text, field, max_length=2000)
            except ValidationError as exc:
                errors.update(exc.error_dict)
    errors.update({where.replace(".", "__"): message for where, message in wording_problems(cleaned).items()})
    if errors:
        raise ValidationError(errors)
    draft = RegulationPack(**{f.name: getattr(pack, f.name) for f in RegulationPack._meta.concrete_fields})
    draft.wording = cleaned
    errors = {where.replace(".", "__"): message for where, message in wording_trial(draft).items()}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pack = _check(actor, pack)
        before = pack.wording
        pack.wording = cleaned
        pack.save(update_fields=["wording"])
        changed = {
            f"{t}.{k}": text
            for t, ps in cleaned.items()
            for k, text in ps.items()
            if (before.get(t) or {}).get(k) != text
        }
        audit_record(actor=actor, action="regulation_pack.wording", obj=pack, changes={"changed": changed})
    return pack


# ---- criteria and exemption categories, as lines of text ------------------------------------------


def _lines(text: str):
    for number, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            yield number, [part.strip() for part in line.split("|")]


def _labels(levels) -> list[str]:
    return [level["label"] for level in levels]


def criteria_lines(criteria_set: CriteriaSet) -> str:
    """A set's criteria as the form shows them: code | checked against | duty | criterion | levels."""
    return "\n".join(
        " | ".join(
            [
                c.code,
                EVIDENCE_TEXT.get(c.evidence, c.evidence),
                c.duty,
                c.text,
                "; ".join(lv["label"] for lv in c.levels),
            ]
        )
        for c in criteria_set.criteria.all()
    )


def conclusion_lines(criteria_set: CriteriaSet) -> str:
    return "\n".join(f"{c['code']} | {c['label']}" for c in criteria_set.conclusions)


def _parse_criteria(text: str, field: str) -> list[dict]:
    criteria, problems, seen = [], [], set()
    for number, parts in _lines(text):
        if len(parts) != 5:
            problems.append(_("Line %(n)s: write five parts separated by |.") % {"n": number})
            continue
        code, evidence, duty, criterion, levels = parts
        labels = [label.strip() for label in levels.split(";") if label.strip()]
        if not SLUG.match(code) or code in seen or code == CONCLUSION:
            problems.append(_("Line %(n)s: the code must be new letters, digits, - or _.") % {"n": number})
        elif evidence.lower() not in EVIDENCE_WORDS:
            problems.append(_("Line %(n)s: checked against “điểm danh”, “đề nghị” or nothing.") % {"n": number})
        elif not criterion:
            problems.append(_("Line %(n)s: write the criterion.") % {"n": number})
        elif not 2 <= len(labels) <= len(LEVEL_CODES):
            problems.append(
                _("Line %(n)s: write from 2 to %(max)s levels, best first, separated by ;.")
                % {"n": number, "max": len(LEVEL_CODES)}
            )
        else:
            seen.add(code)
            criteria.append(
                {
                    "code": code,
                    "evidence": EVIDENCE_WORDS[evidence.lower()],
                    "duty": duty[:40],
                    "text": criterion,
                    "levels": [{"code": c, "label": label} for c, label in zip(LEVEL_CODES, labels, strict=False)],
                }
            )
    if not problems and not criteria:
        problems.append(_("Write at least one criterion."))
    if problems:
        raise ValidationError({field: problems})
    return criteria


def _parse_conclusions(text: str, field: str) -> list[dict]:
    conclusions, problems, seen = [], [], set()
    for number, parts in _lines(text):
        if len(parts) != 2 or not SLUG.match(parts[0]) or parts[0] in seen or not parts[1]:
            problems.append(_("Line %(n)s: write a new code and its label, separated by |.") % {"n": number})
            continue
        seen.add(parts[0])
        conclusions.append({"code": parts[0], "label": parts[1]})
    if not problems and not conclusions:
        problems.append(_("Write at least one conclusion."))
    if problems:
        raise ValidationError({field: problems})
    return conclusions


def pack_criteria_update(*, actor, pack: RegulationPack, use: str, criteria: str, conclusions: str) -> CriteriaSet:
    """Replace the criteria and conclusions of the draft pack's set for `use` (lines of text)."""
    if use not in CriteriaUse.values:
        raise ValidationError({"use": _("Choose a kind of evaluation.")})
    errors = {}
    try:
        parsed = _parse_criteria(criteria, "criteria")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        options = _parse_conclusions(conclusions, "conclusions")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pack = _check(actor, pack)
        criteria_set = CriteriaSet.objects.select_for_update().filter(pack=pack, use=use).first()
        if criteria_set is None or criteria_set.is_frozen:
            raise ValidationError(_("This pack has no editable criteria for this kind of evaluation."))
        criteria_set.conclusions = options
        criteria_set.save(update_fields=["conclusions"])
        criteria_set.criteria.all().delete()
        Criterion.objects.bulk_create(
            Criterion(criteria_set=criteria_set, order=order, **c) for order, c in enumerate(parsed, start=1)
        )
        audit_record(
            actor=actor,
            action="regulation_pack.criteria",
            obj=pack,
            changes={"use": use, "criteria": [c["code"] for c in parsed], "conclusions": [c["code"] for c in options]},
        )
    return criteria_set


def category_lines(pack: RegulationPack) -> str:
    """The exemption categories as the form shows them: code | kind | basis | label | words."""
    return "\n".join(
        " | ".join(
            [
                c["code"],
                KIND_TEXT.get(c["kind"], c["kind"]),
                c.get("basis", ""),
                c["label"],
                ", ".join(c.get("words", [])),
            ]
        )
        for c in pack.exemption_categories
    )


def pack_categories_update(*, actor, pack: RegulationPack, categories: str) -> RegulationPack:
    """The exemption categories of a draft pack (HD 33 §1 in QĐ 213's pack), as lines of text."""
    parsed, problems, seen = [], [], set()
    for number, parts in _lines(categories):
        if len(parts) not in (4, 5):
            problems.append(_("Line %(n)s: write four or five parts separated by |.") % {"n": number})
            continue
        code, kind, basis, label = parts[:4]
        words = [w.strip() for w in (parts[4] if len(parts) == 5 else "").split(",") if w.strip()]
        if not SLUG.match(code) or code in seen:
            problems.append(_("Line %(n)s: the code must be new letters, digits, - or _.") % {"n": number})
        elif kind.lower() not in KIND_WORDS:
            problems.append(_("Line %(n)s: the kind is “miễn sinh hoạt” or “không giới thiệu”.") % {"n": number})
        elif not label:
            problems.append(_("Line %(n)s: write what the category is.") % {"n": number})
        else:
            seen.add(code)
            parsed.append(
                {"code": code, "label": label, "kind": KIND_WORDS[kind.lower()], "basis": basis, "words": words}
            )
    if not problems and not parsed:
        problems.append(_("Write at least one category."))
    if problems:
        raise ValidationError({"categories": problems})
    with transaction.atomic():
        pack = _check(actor, pack)
        pack.exemption_categories = parsed
        pack.save(update_fields=["exemption_categories"])
        audit_record(
            actor=actor, action="regulation_pack.categories", obj=pack, changes={"codes": [c["code"] for c in parsed]}
        )
    return pack


# ---- in force ------------------------------------------------------------------------------------


def pack_put_in_force(*, actor, pack: RegulationPack, day: datetime.date) -> RegulationPack:
    """Put a checked draft in force from `day` (today or later, after every pack already put in
    force or scheduled): from then periods, forms and documents use it. It is frozen, with its
    criteria sets. Checked and written under the pack's lock, so what is checked is what comes in force."""
    today = timezone.localdate()
    try:
        with transaction.atomic():
            pack = _check(actor, pack)
            errors = {}
            latest = RegulationPack.objects.filter(in_force_from__isnull=False).order_by("-in_force_from").first()
            if day is None:
                errors["day"] = _("Enter the date it comes in force.")
            elif day < today:
                errors["day"] = _("A pack comes in force from today or later: documents already issued keep theirs.")
            elif latest is not None and day <= latest.in_force_from:
                errors["day"] = _("Choose a day after %(day)s, when %(pack)s came (or comes) in force.") % {
                    "day": latest.in_force_from.strftime("%d/%m/%Y"),
                    "pack": latest,
                }
            found = wording_problems(pack.wording) or wording_trial(pack)
            if found:
                errors["wording"] = _("The wording is not complete: %(n)s paragraphs to correct.") % {"n": len(found)}
            sets = {s.use: s for s in CriteriaSet.objects.filter(pack=pack).prefetch_related("criteria")}
            for use, label in CriteriaUse.choices:
                if use not in sets or not sets[use].criteria.all():
                    errors.setdefault("criteria", []).append(_("No criteria for: %(use)s.") % {"use": label})
            if not pack.exemption_categories:
                errors["categories"] = _("Write at least one category.")
            if errors:
                raise ValidationError(errors)
            pack.in_force_from = day
            pack.frozen_at = timezone.now()
            pack.save(update_fields=["in_force_from", "frozen_at"])
            for criteria_set in sets.values():
                freeze_criteria(criteria_set)
            audit_record(actor=actor, action="regulation_pack.in_force", obj=pack, changes={"from": day})
    except IntegrityError:
        raise ValidationError({"day": _("Another pack comes in force on that day.")}) from None
    return pack
