"""Exemptions, residence links, introduction letters, acknowledgements and change notices."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.models import Organization, Role
from chibo.permissions import can_manage_members, has_role_over
from chibo.services.branches import meetings_join
from common.dates import vn_date
from common.text import clean, normalize
from nhatky.services import audit_record, audit_record_many
from quydinh.selectors import pack_in_force
from vanban.models import DocumentType
from vanban.services import document_issue, documents_issue_many, signer_for

from ..models import (
    LINK_ENDING_CHANGES,
    ChangeKind,
    ChangeNotice,
    Exemption,
    ExemptionKind,
    LinkState,
    Member,
    ResidenceLink,
)

RESIDENCE_OFFICE_ROLES = frozenset({Role.CLERK, Role.ADMIN})
NEEDS_NEW_LETTER = frozenset({ChangeKind.MOVED_HOUSE, ChangeKind.CHANGED_WORKPLACE, ChangeKind.TRANSFERRED})
OPEN_STATES = (LinkState.PENDING, LinkState.LETTER_ISSUED, LinkState.RECEIVED, LinkState.ACTIVE)


def _member_for_clerk(actor, member) -> Member:
    member = Member.objects.select_related("organization__kind", "residence_commune__province").get(pk=member.pk)
    if not can_manage_members(actor, member.organization):
        raise PermissionDenied(_("You may not manage this member."))
    return member


def workplace_committee(member) -> Organization:
    """The committee that issues the member's letters: the nearest committee (or grassroots branch) above."""
    org = member.organization
    chain = list(
        Organization.objects.filter(path__in=Organization.path_prefixes(org.path))
        .select_related("kind")
        .order_by("-depth")
    )
    for candidate in chain:
        if candidate.kind.is_committee or candidate.kind.code == "chi-bo-co-so":
            return candidate
    return org


def residence_committee_for(commune) -> Organization | None:
    """The commune committee in the system that covers this commune, if there is one."""
    return (
        Organization.objects.filter(commune=commune, kind__code="dang-uy-xa", is_active=True)
        .order_by("depth", "path")
        .first()
    )


def current_exemption(member, on=None):
    on = on or timezone.localdate()
    for exemption in member.exemptions.all():
        if exemption.is_current(on):
            return exemption
    return None


def exemption_record(
    *, actor, member, category: str, reason: str, start_date, end_date=None, decided_by: str
) -> Exemption:
    # The categories are the regulation's (HD 33 §1 under QĐ 213): the pack in force says which
    # there are and whether each is introduced-but-exempt or not introduced.
    found = pack_in_force().category(category)
    if found is None:
        raise ValidationError({"category": _("Choose a category from the list.")})
    with transaction.atomic():
        member = _member_for_clerk(actor, member)
        exemption = Exemption(
            member=member,
            category=category,
            kind=found["kind"],
            reason=normalize(reason or "", multiline=True),
            start_date=start_date,
            end_date=end_date,
            decided_by=normalize(decided_by or ""),
            recorded_by=actor,
        )
        if not exemption.reason:
            raise ValidationError({"reason": _("Give the reason for the exemption.")})
        exemption.full_clean()
        exemption.save()
        audit_record(
            actor=actor,
            action="exemption.record",
            obj=exemption,
            changes={
                "category": category,
                "start_date": start_date,
                "end_date": end_date,
                "decided_by": exemption.decided_by,
            },
        )
    return exemption


def _member_block(member, duties: str) -> dict:
    def d(value):
        return value.strftime("%d/%m/%Y") if value else ""

    return {
        "full_name": member.full_name,
        "birth_date": d(member.birth_date),
        "gender": "Nam" if member.gender == "male" else "Nữ",
        "admission_date": d(member.admission_date),
        "full_membership_date": d(member.full_membership_date),
        "card_number": member.card_number or "",
        "position": member.position,
        "duties": duties,
        "workplace_unit": member.workplace_unit,
        "party_branch": member.organization.name,
        "residence_address": member.residence_address,
        "phone": member.phone,
    }


def letter_issue(*, actor, member, signatory=None, duties: str = "", issued_at=None) -> ResidenceLink:
    """Issue the introduction letter (Mẫu 1-213) for one member, in one transaction."""
    links, refusals = letters_issue_many(
        actor=actor, members=[member], signatory=signatory, duties=duties, issued_at=issued_at
    )
    if member.pk in refusals:
        raise refusals[member.pk]
    return links[0]


def letters_issue_many(*, actor, members, signatory=None, duties: str = "", issued_at=None):
    """Issue letters for many members in one transaction: the checks for each member, then one
    block of consecutive numbers per committee. Returns (links, {member id: refusal}); a
    refused member takes no number. A permission refusal for anyone refuses the whole call."""
    ids = [m.pk for m in members]
    duties = clean(duties, "duties")
    refusals: dict[int, Exception] = {}
    with transaction.atomic():
        # Locking the members makes a double click wait here, then find the letter issued.
        found = {
            m.pk: m
            for m in Member.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("organization__kind", "residence_commune__province")
            .prefetch_related("exemptions")
        }
        for pk in ids:
            if pk not in found:
                raise PermissionDenied(_("You may not manage this member."))
        if not all(can_manage_members(actor, found[pk].organization) for pk in ids):
            raise PermissionDenied(_("You may not manage this member."))
        open_links = {
            link.member_id: link
            for link in ResidenceLink.objects.select_for_update().filter(member_id__in=ids, state__in=OPEN_STATES)
        }
        issuers, residences, groups = {}, {}, {}
        for pk in ids:
            member = found[pk]
            exemption = current_exemption(member)
            link = open_links.get(pk)
            if not member.covered_213:
                refusals[pk] = ValidationError(
                    _("%(name)s is not marked as covered by QĐ 213.") % {"name": member.full_name}
                )
            elif not member.residence_commune_id:
                refusals[pk] = ValidationError(_("%(name)s has no residence commune.") % {"name": member.full_name})
            elif exemption and exemption.kind == ExemptionKind.NOT_INTRODUCED:
                refusals[pk] = ValidationError(
                    _("%(name)s is exempt from introduction (%(category)s).")
                    % {"name": member.full_name, "category": exemption.category_label}
                )
            elif link and link.state != LinkState.PENDING:
                refusals[pk] = ValidationError(
                    _("%(name)s already has a residence link (%(state)s).")
                    % {"name": member.full_name, "state": link.get_state_display()}
                )
            else:
                org_id = member.organization_id
                if org_id not in issuers:
                    issuers[org_id] = workplace_committee(member)
                groups.setdefault(issuers[org_id].pk, (issuers[org_id], []))[1].append((member, exemption))
        links = []
        for issuer, group in groups.values():
            signer = signer_for(issuer, signatory)
            items, new_links = [], []
            for member, exemption in group:
                commune_id = member.residence_commune_id
                if commune_id not in residences:
                    residences[commune_id] = residence_committee_for(member.residence_commune)
                residence = residences[commune_id]
                link = open_links.get(member.pk) or ResidenceLink(member=member)
                link.workplace_committee = issuer
                link.workplace_path = issuer.path
                link.residence_commune = member.residence_commune
                link.residence_hamlet = member.residence_hamlet
                link.residence_street = member.residence_street
                link.residence_committee = residence
                link.residence_path = residence.path if residence else ""
                link.exempt_from_meetings = bool(exemption and exemption.kind == ExemptionKind.EXEMPT_MEETINGS)
                commune_name = member.residence_commune.name
                addressee = [f"Đảng ủy {commune_name[0].lower()}{commune_name[1:]}"]
                if member.residence_hamlet:
                    addressee.append(f"Chi ủy chi bộ {member.residence_hamlet}")
                items.append(
                    (
                        member,
                        f"Giới thiệu đồng chí {member.full_name} về sinh hoạt nơi cư trú",
                        {
                            "doc_type_label": "GIẤY GIỚI THIỆU",
                            "addressee": addressee,
                            "member": _member_block(member, normalize(duties or "")),
                            "body": [],
                            "extra": {},
                            "recipients": ["Như trên;", "Đảng viên được giới thiệu;", "Lưu Văn phòng Đảng ủy."],
                        },
                    )
                )
                new_links.append(link)
            documents = documents_issue_many(
                actor=actor,
                doc_type=DocumentType.INTRODUCTION,
                issuer=issuer,
                signatory=signer,
                items=items,
                issued_at=issued_at,
            )
            for link, document in zip(new_links, documents, strict=True):
                link.letter = document
                link.state = LinkState.LETTER_ISSUED
            existing = [link for link in new_links if link.pk]
            fresh = [link for link in new_links if not link.pk]
            if existing:
                ResidenceLink.objects.bulk_update(
                    existing,
                    [
                        "workplace_committee",
                        "workplace_path",
                        "residence_commune",
                        "residence_hamlet",
                        "residence_street",
                        "residence_committee",
                        "residence_path",
                        "exempt_from_meetings",
                        "letter",
                        "state",
                    ],
                )
            ResidenceLink.objects.bulk_create(fresh)
            audit_record_many(
                actor=actor,
                action="link.letter_issued",
                entries=[
                    (link, {"letter": link.letter.symbol, "residence_committee": link.residence_committee_id})
                    for link in new_links
                ],
            )
            links.extend(new_links)
        # The letter is out: the letter reminders stop for these members.
        Member.objects.filter(pk__in=[link.member_id for link in links]).update(awaiting_letter_since=None)
    return links, refusals


def _check_residence_office(actor, link):
    if not link.residence_committee_id or not has_role_over(actor, link.residence_path, RESIDENCE_OFFICE_ROLES):
        raise PermissionDenied(_("Only the residence commune committee may record this receipt."))


def _received_date_problem(link, received_date) -> str | None:
    """What is wrong with the date a letter was received, for the residence side's receipt and for
    the paper receipt the workplace records: given, not in the future, not before the letter."""
    if received_date is None:
        return _("Enter the date the letter was received.")
    if received_date > timezone.localdate():
        return _("The date received cannot be in the future.")
    if received_date < timezone.localtime(link.letter.issued_at).date():
        return _("The date received cannot be before the letter was issued.")
    return None


def link_receive(*, actor, link, received_date, branch, group=None, signatory=None) -> ResidenceLink:
    """The residence commune committee receives the letter, assigns a branch, and acknowledges."""
    with transaction.atomic():
        link = (
            ResidenceLink.objects.select_for_update(of=("self",))
            # The member's organisation and commune (with its province) print on the acknowledgement.
            .select_related(
                "member__organization",
                "member__residence_commune__province",
                "letter",
                "residence_committee__kind",
                "workplace_committee",
            )
            .get(pk=link.pk)
        )
        _check_residence_office(actor, link)
        if link.state != LinkState.LETTER_ISSUED:
            raise ValidationError(_("This letter has already been received."))
        errors = {}
        problem = _received_date_problem(link, received_date)
        if problem:
            errors["received_date"] = problem
        if (
            branch is None
            or not branch.path.startswith(link.residence_path)
            or branch.pk == link.residence_committee_id
        ):
            errors["branch"] = _("Choose a residence branch of this commune committee.")
        if group is not None and branch is not None and group.branch_id != branch.pk:
            errors["group"] = _("This party group belongs to another branch.")
        if errors:
            raise ValidationError(errors)
        committee = link.residence_committee
        signatory = signer_for(committee, signatory)
        member = link.member
        ack = document_issue(
            actor=actor,
            doc_type=DocumentType.ACKNOWLEDGEMENT,
            issuer=committee,
            signatory=signatory,
            subject=f"Tiếp nhận đồng chí {member.full_name} sinh hoạt nơi cư trú",
            member=member,
            content={
                "doc_type_label": "PHIẾU BÁO",
                "wording": {"letter_issuer": link.workplace_committee.short_name or link.workplace_committee.name},
                "addressee": [link.workplace_committee.short_name or link.workplace_committee.name],
                "member": _member_block(member, link.letter.snapshot.get("member", {}).get("duties", "")),
                "body": [],
                "extra": {
                    "received_date": vn_date(received_date),
                    "letter_symbol": link.letter.snapshot["symbol"],
                    "letter_issuer": link.workplace_committee.short_name or link.workplace_committee.name,
                    "branch": branch.name,
                    "group": group.name if group else "",
                },
                "recipients": ["Như trên;", f"{branch.name};", "Lưu Văn phòng Đảng ủy."],
            },
        )
        link.received_date = received_date
        link.residence_branch = branch
        link.party_group = group
        link.acknowledgement = ack
        link.state = LinkState.RECEIVED
        link.save()
        audit_record(
            actor=actor,
            action="link.received",
            obj=link,
            changes={"received_date": received_date, "branch": branch.pk, "acknowledgement": ack.symbol},
        )
        meetings_join(link)
    return link


def _lock_letter_not_received(actor, link, refusal) -> ResidenceLink:
    """The link locked for its workplace clerk while its letter is issued and not yet received;
    otherwise `refusal` (a message, or {field: message})."""
    link = (
        ResidenceLink.objects.select_for_update(of=("self",))
        .select_related("member__organization", "letter")
        .get(pk=link.pk)
    )
    if not can_manage_members(actor, link.member.organization):
        raise PermissionDenied(_("You may not manage this member."))
    if link.state != LinkState.LETTER_ISSUED:
        raise ValidationError(refusal)
    return link


def link_receive_manual(*, actor, link, received_date, scan) -> ResidenceLink:
    """The workplace clerk records a receipt the residence side sent on paper (it is not in the system);
    `scan` is the uploaded scan, stored only once every check has passed."""
    from vanban.uploads import store_scan

    with transaction.atomic():
        link = _lock_letter_not_received(actor, link, _("This letter has already been received."))
        if link.residence_committee_id:
            raise ValidationError(_("The residence committee is in the system: it records the receipt itself."))
        problem = _received_date_problem(link, received_date)
        if problem:
            raise ValidationError({"received_date": problem})
        if not scan:
            raise ValidationError({"scan": _("Attach the scanned acknowledgement.")})
        try:
            scan_name = store_scan(scan)
        except ValidationError as exc:
            raise ValidationError({"scan": exc.messages}) from None
        link.received_date = received_date
        link.acknowledgement_scan = scan_name
        link.state = LinkState.RECEIVED
        link.save()
        audit_record(
            actor=actor,
            action="link.received_manual",
            obj=link,
            changes={"received_date": received_date, "scan": scan_name},
        )
    return link


CHANGE_LABELS = {
    ChangeKind.POSITION: "thay đổi chức vụ, nhiệm vụ",
    ChangeKind.MOVED_HOUSE: "chuyển nơi cư trú",
    ChangeKind.CHANGED_WORKPLACE: "chuyển nơi công tác",
    ChangeKind.RETIRED: "nghỉ hưu",
    ChangeKind.TRANSFERRED: "chuyển sinh hoạt đảng",
    ChangeKind.EXPELLED: "bị khai trừ khỏi Đảng",
    ChangeKind.STRUCK_OFF: "bị xóa tên khỏi danh sách đảng viên",
    ChangeKind.LEFT_PARTY: "xin ra khỏi Đảng",
    ChangeKind.DIED: "từ trần",
}


def change_notice_issue(*, actor, member, kind: str, effective_date, details: str = "", signatory=None) -> ChangeNotice:
    """Tell the residence side of a change; every change but a position change ends the link."""
    details = clean(details, "details", multiline=True)
    with transaction.atomic():
        member = _member_for_clerk(actor, member)
        link = (
            ResidenceLink.objects.select_for_update(of=("self",))
            .select_related("workplace_committee__kind", "residence_commune", "residence_branch")
            .filter(member=member, state__in=OPEN_STATES)
            .first()
        )
        if link is None or link.state == LinkState.PENDING:
            raise ValidationError(_("%(name)s has no residence link to notify.") % {"name": member.full_name})
        if kind not in ChangeKind.values:
            raise ValidationError({"kind": _("Choose what changed.")})
        if effective_date is None:
            raise ValidationError({"effective_date": _("Enter the date the change takes effect.")})
        issuer = link.workplace_committee
        signatory = signer_for(issuer, signatory)
        ends = kind in LINK_ENDING_CHANGES
        commune_name = link.residence_commune.name
        document = document_issue(
            actor=actor,
            doc_type=DocumentType.CHANGE_NOTICE,
            issuer=issuer,
            signatory=signatory,
            member=member,
            subject=f"Thông báo thay đổi đối với đồng chí {member.full_name}",
            content={
                "wording": {"effective_date": vn_date(effective_date)},
                "doc_type_label": "THÔNG BÁO",
                "subtitle": f"Về việc đảng viên {CHANGE_LABELS[kind]}",
                "addressee": [f"Đảng ủy {commune_name[0].lower()}{commune_name[1:]}"]
                + ([link.residence_branch.name] if link.residence_branch_id else []),
                "member": _member_block(member, ""),
                "body": [],
                "extra": {
                    "change_label": CHANGE_LABELS[kind],
                    "effective_date": vn_date(effective_date),
                    "details": details,
                    "link_ended": ends,
                },
                "recipients": ["Như trên;", "Lưu Văn phòng Đảng ủy."],
            },
        )
        notice = ChangeNotice.objects.create(
            member=member,
            link=link,
            kind=kind,
            effective_date=effective_date,
            details=details,
            document=document,
            created_by=actor,
        )
        if ends:
            link.state = LinkState.ENDED
            link.ended_at = timezone.now()
            link.end_reason = kind
            link.save(update_fields=["state", "ended_at", "end_reason"])
            # A member who moves keeps working and needs a new letter from the change;
            # one who retires, dies or leaves the Party does not.
            since = effective_date if kind in NEEDS_NEW_LETTER else None
            _letter_clock_set(member.pk, since)
        audit_record(
            actor=actor,
            action="link.change_notice",
            obj=link,
            changes={"kind": kind, "notice": document.symbol, "ended": ends},
        )
    return notice


def _letter_clock_set(member_id, since):
    """The member is owed a letter from `since` (None: owes none). Only a member under QĐ 213 is
    ever owed one (members.letter_clock's rule, and a database constraint): one taken out of its
    coverage since the letter was issued keeps no clock."""
    members = Member.objects.filter(pk=member_id)
    if since is not None:
        members = members.filter(covered_213=True)
    members.update(awaiting_letter_since=since)


def letter_revoke(*, actor, link, reason: str) -> ResidenceLink:
    """Revoke a letter not yet received (wrong data, wrong address): the link waits for a new
    letter, which takes a new number; the revoked one stays on record as revoked."""
    from vanban.services import document_revoke

    reason = clean(reason, "reason", multiline=True)
    with transaction.atomic():
        link = _lock_letter_not_received(actor, link, {"reason": _("Only a letter not yet received can be revoked.")})
        document_revoke(actor=actor, document=link.letter, reason=reason)
        link.state = LinkState.PENDING
        link.save(update_fields=["state"])
        # Owed a new letter from today: the reminders start again.
        _letter_clock_set(link.member_id, timezone.localdate())
        audit_record(
            actor=actor, action="link.letter_revoked", obj=link, reason=reason, changes={"letter": link.letter.symbol}
        )
    return link
