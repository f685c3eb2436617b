"""The workplace's year-end quality rating, checked against the rating scheme of its year."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.permissions import has_role_over
from common.constraints import check_year
from common.text import clean
from nhatky.services import audit_record

from ..models import Evaluation, EvaluationStatus, QualityRating, RatingScheme
from ..permissions import RATING_ROLES


def _number(value, *, top: int, decimals: int, scheme: RatingScheme, field: str, errors: dict) -> Decimal | None:
    """A score typed the Vietnamese way ('85', '85,5') or given as a number; None when empty.
    A problem is put in `errors` at `field`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(",", ".")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter the points as a number, for example 85.")
        return None
    if not number.is_finite():
        errors[field] = _("Enter the points as a number, for example 85.")
        return None
    if number < 0 or number > top:
        errors[field] = _("The points are from 0 to %(top)s.") % {"top": top}
        return None
    step = Decimal(1).scaleb(-decimals)
    if number != number.quantize(step):
        errors[field] = (
            _("Under %(scheme)s points are whole numbers.") % {"scheme": scheme.short_name}
            if decimals == 0
            else _("Under %(scheme)s points have at most %(n)s decimal places.")
            % {"scheme": scheme.short_name, "n": decimals}
        )
        return None
    return number.quantize(step)


def _points(scheme: RatingScheme, score, group_scores, errors: dict) -> tuple[Decimal | None, dict]:
    """(the score, {group: points}) as the scheme asks for them; problems in `errors`."""
    group_scores = group_scores or {}
    given = {code: value for code, value in group_scores.items() if value not in (None, "")}
    if not scheme.has_score:
        if score not in (None, "") or given:
            errors["score"] = _("%(scheme)s rates in levels only: leave the points empty.") % {
                "scheme": scheme.short_name
            }
        return None, {}
    groups = {}
    for group in scheme.groups:
        value = _number(
            group_scores.get(group["code"]),
            top=group["max"],
            decimals=scheme.score_decimals,
            scheme=scheme,
            field=f"group_{group['code']}",
            errors=errors,
        )
        if value is not None:
            groups[group["code"]] = value
    unknown = set(given) - {group["code"] for group in scheme.groups}
    if unknown:
        errors["score"] = _("%(scheme)s has no such group of criteria.") % {"scheme": scheme.short_name}
    total = _number(
        score, top=scheme.score_max, decimals=scheme.score_decimals, scheme=scheme, field="score", errors=errors
    )
    if groups and len(groups) < len(scheme.groups):
        for group in scheme.groups:
            if group["code"] not in groups and f"group_{group['code']}" not in errors:
                errors[f"group_{group['code']}"] = _("Enter the points of every group, or of none.")
    elif groups and "score" not in errors:
        summed = sum(groups.values())
        if total is None:
            total = summed
        elif total != summed:
            errors["score"] = _("The score must be the sum of the groups' points (%(sum)s).") % {"sum": summed}
    if total is None and "score" not in errors:
        errors["score"] = _("Enter the score (0 to %(top)s).") % {"top": scheme.score_max}
    return total, groups


def rating_record(
    *,
    actor,
    member,
    year: int,
    level: str,
    score=None,
    group_scores: dict | None = None,
    lower_reason: str = "",
    notes: str = "",
    scheme: str | None = None,
) -> QualityRating:
    """The workplace's year-end quality rating under the scheme of `year`, kept next to the
    residence form it saw. Under a scored scheme the level may be below the score's band, with the
    reason, never above it. `scheme` is the code the page showed: a page made for another scheme
    is refused rather than read under the wrong rules."""
    from dangvien.services.links import workplace_committee

    committee = workplace_committee(member)
    # A rating is a person's judgement under their name: there is no system rating.
    if actor is None or not has_role_over(actor, member.org_path, RATING_ROLES):
        raise PermissionDenied(_("You may not rate this member."))
    # Both bounds of the range the database holds (the "not come" test below is no upper bound
    # once the clock passes YEAR_MAX), and before it: 2101 is out of range, not merely early.
    check_year(year)
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("A year that has not come cannot be rated.")})
    current = RatingScheme.objects.of_year(year)
    if current is None:
        raise ValidationError({"year": _("No rating regulation applies to %(year)s yet.") % {"year": year}})
    errors = {}
    if scheme and scheme != current.code:
        errors["scheme"] = _("%(year)s is rated under %(scheme)s; reload the page and rate again.") % {
            "year": year,
            "scheme": current.short_name,
        }
    total, groups = _points(current, score, group_scores, errors)
    lower_reason = clean(lower_reason, "lower_reason", multiline=True)
    notes = clean(notes, "notes", multiline=True)
    if current.level(level) is None:
        errors["level"] = _("Choose a rating from the list.")
    elif total is not None:
        band = current.band(total)
        if current.rank(level) < current.rank(band["code"]):
            errors["level"] = _(
                "With %(score)s points the highest level is “%(band)s” (%(range)s): a level above the score's "
                "band cannot be given."
            ) % {"score": total, "band": band["label"], "range": current.band_text(band["code"])}
        elif current.rank(level) > current.rank(band["code"]):
            if not lower_reason:
                errors["lower_reason"] = _(
                    "%(score)s points reach “%(band)s”: say why the member is rated lower (the level's conditions "
                    "not met)."
                ) % {"score": total, "band": band["label"]}
        else:
            lower_reason = ""
    else:
        lower_reason = ""
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.filter(member=member, year=year, request__isnull=True, status=EvaluationStatus.FORWARDED)
            .order_by("-version")
            .first()
        )
        rating = QualityRating.objects.select_for_update().filter(member=member, year=year).first()
        before = (
            {
                "scheme": rating.scheme_id,
                "score": str(rating.score) if rating.score is not None else None,
                "level": rating.level,
                "lower_reason": rating.lower_reason,
                "notes": rating.notes,
            }
            if rating
            else {}
        )
        if rating is None:
            rating = QualityRating(member=member, year=year)
        rating.workplace_committee = committee
        rating.workplace_path = committee.path
        rating.scheme = current
        rating.score = total
        rating.group_scores = {code: str(points) for code, points in groups.items()}
        rating.level = level
        rating.lower_reason = lower_reason
        rating.notes = notes
        rating.evaluation = evaluation
        rating.rated_by = actor
        try:
            with transaction.atomic():  # a savepoint: two first ratings at once, one insert wins
                rating.save()
        except IntegrityError:
            if not QualityRating.objects.filter(member=member, year=year).exclude(pk=rating.pk).exists():
                raise
            raise ValidationError(
                _("Someone rated this member for %(year)s a moment ago; reload the page to see it.") % {"year": year}
            ) from None
        if current.frozen_at is None:
            # In use: a change to its rules is a new scheme from then on.
            current.frozen_at = timezone.now()
            RatingScheme.objects.filter(pk=current.pk, frozen_at__isnull=True).update(frozen_at=current.frozen_at)
        audit_record(
            actor=actor,
            action="quality_rating.record",
            obj=rating,
            changes={
                "before": before,
                "scheme": current.code,
                "score": str(total) if total is not None else None,
                "groups": rating.group_scores,
                "level": level,
                "lower_reason": lower_reason,
                "evaluation": evaluation,
            },
        )
    return rating


def rating_scheme_save(*, actor, scheme: RatingScheme, changed: list[str] | None = None) -> RatingScheme:
    """Add a rating regulation or correct one no rating uses yet (the national administrator);
    one in use is frozen: a change to its rules is a new scheme with its first year."""
    if actor is None or not actor.is_superuser:
        raise PermissionDenied(_("Only the national administrator keeps the rating regulations."))
    with transaction.atomic():
        if scheme.pk and RatingScheme.objects.select_for_update().get(pk=scheme.pk).is_frozen:
            raise ValidationError(_("This scheme rates members already; add a new scheme from its first year instead."))
        creating = scheme.pk is None
        scheme.full_clean()
        scheme.save()
        audit_record(
            actor=actor,
            action="rating_scheme.create" if creating else "rating_scheme.update",
            obj=scheme,
            changes={name: getattr(scheme, name) for name in (changed or [])},
        )
    return scheme


def rating_scheme_delete(*, actor, scheme: RatingScheme) -> None:
    """Remove a scheme added by mistake, while no rating uses it."""
    if actor is None or not actor.is_superuser:
        raise PermissionDenied(_("Only the national administrator keeps the rating regulations."))
    with transaction.atomic():
        scheme = RatingScheme.objects.select_for_update().get(pk=scheme.pk)
        if scheme.is_frozen or QualityRating.objects.filter(scheme=scheme).exists():
            raise ValidationError(_("This scheme rates members already; it stays."))
        audit_record(actor=actor, action="rating_scheme.delete", obj=scheme, changes={"code": scheme.code})
        scheme.delete()
