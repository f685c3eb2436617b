"""Evaluation periods over a committee's subtree, and the workplace's requests for an opinion."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.models import Organization, Role, Side
from chibo.permissions import MEMBER_WRITE_ROLES, has_role_over
from common.constraints import is_year_in_range, year_range_message
from common.text import clean
from dangvien.models import LinkState, ResidenceLink
from nhatky.services import audit_record
from quydinh.selectors import pack_of_year
from quydinh.services import pack_freeze

from ..models import (
    CriteriaUse,
    EvaluationPeriod,
    EvaluationRequest,
    PeriodScope,
    RequestPurpose,
)
from ..permissions import PERIOD_ROLES
from .criteria import criteria_of_pack, freeze_criteria


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
    if not is_year_in_range(year):
        errors["year"] = year_range_message()
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
    # The regulation of the year evaluated (in force at its end, or today for this year): its
    # yearly criteria, the wording of the forms' PDFs. Last year's period opened in January is
    # last year's regulation's, even after a new one came in force on 1 January.
    pack = pack_of_year(year)
    criteria_set = criteria_of_pack(pack, CriteriaUse.YEARLY)
    try:
        with transaction.atomic():
            period = EvaluationPeriod.objects.create(
                organization=organization,
                org_path=organization.path,
                year=year,
                scope=scope,
                criteria_set=criteria_set,
                pack=pack,
                branch_deadline=branch_deadline,
                confirm_deadline=confirm_deadline,
                forward_deadline=forward_deadline,
                opened_by=actor,
            )
            freeze_criteria(criteria_set)
            pack_freeze(pack)
            audit_record(
                actor=actor,
                action="evaluation_period.open",
                obj=period,
                changes={"year": year, "scope": scope, "criteria_set": criteria_set.pk, "pack": pack.pk},
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
    prefixes = Organization.path_prefixes(branch_path)
    return (
        EvaluationPeriod.objects.filter(year=year, org_path__in=prefixes)
        .select_related("criteria_set", "organization", "pack")
        .order_by("-org_path")
        .first()
    )


# ---- requests from the workplace ------------------------------------------------------------


def request_create(*, actor, member, purpose: str, details: str, due_date: datetime.date) -> EvaluationRequest:
    """The workplace asks the residence side for an opinion on a member (appointment, award, discipline)."""
    from chibo.selectors import role_holders
    from taikhoan.models import NotificationKind
    from taikhoan.services import notify_many

    if actor is not None and not has_role_over(actor, member.org_path, MEMBER_WRITE_ROLES):
        raise PermissionDenied(_("You may not ask about this member."))
    today = timezone.localdate()
    if purpose not in RequestPurpose.values:
        raise ValidationError({"purpose": _("Choose a purpose from the list.")})
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
            details=clean(details, "details", multiline=True),
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
                for user in role_holders([link.residence_branch_id], [Role.BRANCH_SECRETARY])[link.residence_branch_id]
            ],
            kind=NotificationKind.EVALUATION,
        )
    return request
