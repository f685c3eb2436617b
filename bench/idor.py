"""The authorization matrix at national scale: every URL that takes an object, asked for random
objects of the generated country by users of every role from a neighbouring organisation and from
a sibling of the parent organisation. Printed as JSON lines.

    python -m bench.idor [--pairs N] [--seed S]   (DJANGO_SETTINGS_MODULE and DATABASE_URL set)

Figures: idor_pairs_tried (requests made: URL of a real object × attacker × method) and
idor_leaks (answers other than 404/403, or a request that wrote an audit record; target 0), and
idor_controls_failed (the owner or the national administrator refused, or answered with a 500,
for an object the matrix used: the ids are real and open to them). Everything runs in one
transaction that is rolled back: the attackers, and the rows the generator does not make
(signatories, letter batches, imports, notifications, scans), are created for the run and leave nothing behind.

tests/security/test_authz_matrix.py runs the same TARGETS on a hand-built tree.
"""

import argparse
import json
import logging
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

# ---- the URLs ---------------------------------------------------------------------------------

# Not under the matrix: the Django admin (its own check), the language switch (no object).
SKIPPED_NAMESPACES = ("admin", "i18n")
# Public by design: the verification page reads a 32-character secret token, not an id.
PUBLIC = frozenset({"vanban:verify"})


def object_patterns() -> dict[str, tuple[str, ...]]:
    """{"namespace:name": route parameters} of every URL pattern whose route takes a parameter
    (an object's id, or a token or key that names one), the skipped namespaces left out."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = {}

    def walk(resolver, route, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or ""
                full_route = route + str(entry.pattern)
                if full_route.startswith(SKIPPED_NAMESPACES) or inner in SKIPPED_NAMESPACES:
                    continue
                walk(entry, full_route, f"{namespace}:{inner}".strip(":") if inner else namespace)
            elif isinstance(entry, URLPattern):
                params = tuple(entry.pattern.converters)
                if params:
                    found[f"{namespace}:{entry.name}".strip(":")] = params

    walk(get_resolver(), "", "")
    return found


@dataclass(frozen=True)
class Target:
    """How to address one URL pattern: the kind of object it takes, its kwargs from that object
    (and the year, for the evaluation pages) and the methods its view accepts."""

    kind: str
    kwargs: Callable
    methods: tuple = ("GET",)


GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")


def _pk(obj, _year):
    return {"pk": obj.pk}


def _branch_year(obj, year):
    return {"pk": obj.pk, "year": year}


def _dashboard_figure(obj, _year):
    return {"pk": obj.pk, "key": "covered"}


def _formality_flag(obj, _year):
    return {"pk": obj.pk, "code": "all_top"}


TARGETS: dict[str, Target] = {
    # the organisation tree, signing, the boards' reports (a workplace committee)
    "chibo:detail": Target("workplace", _pk),
    "chibo:children": Target("workplace", _pk),
    "chibo:signing": Target("workplace", _pk, BOTH),
    "chibo:stamp_image": Target("workplace", _pk),
    "chibo:signature_image": Target("signatory", lambda s, _y: {"pk": s.organization_id, "item": s.pk}),
    "baocao:org": Target("workplace", _pk),
    "baocao:xlsx": Target("workplace", _pk),
    "baocao:report": Target("workplace", _pk, POST),
    "baocao:members": Target("workplace", _dashboard_figure),
    "baocao:members_xlsx": Target("workplace", _dashboard_figure),
    "baocao:flagged": Target("workplace", _formality_flag),
    # a residence branch: its members and groups, meetings, evaluation
    "chibo:branch": Target("branch", _pk),
    "chibo:branch_xlsx": Target("branch", _pk),
    "chibo:group_new": Target("branch", _pk, BOTH),
    "chibo:group_edit": Target("group", lambda g, _y: {"pk": g.branch_id, "group_pk": g.pk}, BOTH),
    "chibo:members_move": Target("branch", _pk, POST),
    "chibo:meeting_new": Target("branch", _pk, BOTH),
    "nhanxet:branch": Target("branch", _branch_year),
    "nhanxet:branch_xlsx": Target("branch", _branch_year),
    "nhanxet:front_meeting": Target("branch", _branch_year, POST),
    "nhanxet:sign": Target("branch", _branch_year, POST),
    # a scheduled meeting; a closed one's attendance row
    "chibo:meeting": Target("meeting", _pk),
    "chibo:meeting_edit": Target("meeting", lambda m, _y: {"meeting_pk": m.pk}, BOTH),
    "chibo:meeting_attendance": Target("meeting", _pk, BOTH),
    "chibo:meeting_close": Target("meeting", _pk, POST),
    "chibo:meeting_invitation": Target("meeting", _pk, POST),
    "chibo:meeting_xlsx": Target("meeting", _pk),
    "chibo:meeting_pdf": Target("meeting", _pk),
    "chibo:meeting_attachment": Target("meeting_attachment", lambda f, _y: {"pk": f.meeting_id, "item": f.pk}),
    "chibo:attendance_correct": Target(
        "attendance", lambda a, _y: {"pk": a.meeting_id, "member_pk": a.member_id}, BOTH
    ),
    # a member (workplace side)
    "dangvien:detail": Target("member", _pk),
    "dangvien:subject_export": Target("member", _pk),
    "dangvien:edit": Target("member", _pk, BOTH),
    "dangvien:letter_issue": Target("member", _pk, BOTH),
    "dangvien:exemption_add": Target("member", _pk, BOTH),
    "dangvien:change_notice": Target("member", _pk, BOTH),
    "nhanxet:rating": Target("member", lambda m, y: {"member_pk": m.pk, "year": y}, POST),
    "nhanxet:request_new": Target("member", lambda m, _y: {"member_pk": m.pk}, BOTH),
    # residence links: a letter out and not received, one received on paper, one a branch holds
    "dangvien:link_receive": Target("issued_link", _pk, BOTH),
    "dangvien:link_receive_manual": Target("issued_link", _pk, BOTH),
    "dangvien:letter_revoke": Target("issued_link", _pk, BOTH),
    "dangvien:link_scan": Target("scan_link", _pk),
    "nhanxet:form": Target(
        "held_link", lambda link, y: {"pk": link.residence_branch_id, "year": y, "link_pk": link.pk}, BOTH
    ),
    "nhanxet:proposal_new": Target(
        "held_link", lambda link, _y: {"pk": link.residence_branch_id, "link_pk": link.pk}, BOTH
    ),
    # documents, letter batches
    "vanban:pdf": Target("document", _pk),
    "dangvien:batch": Target("batch", _pk),
    "dangvien:batch_pdf": Target("batch", _pk),
    # the evaluation: forms, the commune's queue, proposals, requests
    "nhanxet:evaluation": Target("evaluation", _pk),
    "nhanxet:correct": Target("evaluation", _pk, POST),
    "nhanxet:commune": Target("commune", _pk, BOTH),
    "nhanxet:commune_xlsx": Target("commune", _pk),
    "nhanxet:proposal_act": Target("proposal", _pk, BOTH),
    "nhanxet:request_form": Target("request", _pk, BOTH),
    # imports, the user's own notifications
    "nhapdulieu:job": Target("import_job", _pk, BOTH),
    "nhapdulieu:changes": Target("import_job", _pk),
    "taikhoan:notification_open": Target("notification", _pk, BOTH),
    # regulation packs: the national administrator's alone
    "nhanxet:pack": Target("pack", _pk, BOTH),
    "nhanxet:pack_new_version": Target("pack", _pk, POST),
    "nhanxet:pack_edit": Target("pack", _pk, BOTH),
    "nhanxet:pack_wording": Target("pack", _pk, BOTH),
    "nhanxet:pack_criteria": Target("pack", lambda p, _y: {"pk": p.pk, "use": "yearly"}, BOTH),
    "nhanxet:pack_categories": Target("pack", _pk, BOTH),
    "nhanxet:pack_preview": Target("pack", lambda p, _y: {"pk": p.pk, "doc_type": "introduction"}),
}


def _path(org):
    return org.path if org is not None else ""


def _role_paths(user):
    from chibo.models import RoleAssignment

    return list(RoleAssignment.objects.filter(user=user).values_list("organization__path", flat=True))


def holder_paths(kind: str, obj) -> list[str]:
    """The organisations an object belongs to (its owner, the committee it is addressed to, the
    branch that holds it): a role on any of them, or above one, may see it. An attacker is chosen
    only where none of these paths lies in the attacker's subtree."""
    from dangvien.models import ResidenceLink

    if kind in ("workplace", "branch", "commune"):
        return [obj.path]
    if kind == "signatory":
        return [obj.organization.path]
    if kind == "group":
        return [obj.branch.path]
    if kind == "meeting":
        return [obj.branch_path]
    if kind == "attendance":
        return [obj.meeting.branch_path, obj.link.workplace_path]
    if kind == "meeting_attachment":
        return [obj.meeting.branch_path]
    if kind == "member":
        return [obj.org_path]
    if kind in ("issued_link", "scan_link", "held_link"):
        return [obj.workplace_path, obj.residence_path, _path(obj.residence_branch), obj.member.org_path]
    if kind == "document":
        addressed = ResidenceLink.objects.filter(letter=obj).values_list("residence_path", flat=True)
        return [obj.issuer.path, obj.member.org_path if obj.member_id else "", *addressed]
    if kind == "evaluation":
        return [obj.branch_path, obj.workplace_path, obj.member.org_path]
    if kind == "proposal":
        return [obj.branch_path, obj.workplace_path, obj.member.org_path]
    if kind == "request":
        return [obj.workplace_path, obj.residence_path, obj.member.org_path]
    if kind == "import_job":
        return [obj.organization.path]
    if kind == "batch":
        return _role_paths(obj.created_by)
    if kind == "notification":
        return _role_paths(obj.user)
    if kind == "pack":
        return []  # no organisation holds a regulation pack: only the national administrator opens it
    raise KeyError(kind)


def may_attack(attacker_path: str, holders) -> bool:
    """Whether a role on the organisation at `attacker_path` (its subtree) covers none of the object's organisations."""
    return not any(path and path.startswith(attacker_path) for path in holders)


# ---- one request ------------------------------------------------------------------------------

# Answers that reveal nothing: the object is treated as missing, or refused outright.
DENIED = frozenset({403, 404})


def audit_mark() -> int:
    """The newest audit record's id: a request that wrote through a service moved it."""
    from django.db.models import Max

    from nhatky.models import AuditEvent

    return AuditEvent.objects.aggregate(n=Max("id"))["n"] or 0


def attempt(client, url: str, method: str) -> tuple[int, bool]:
    """(status, wrote): one request as an attacker, and whether an audit record appeared."""
    before = audit_mark()
    response = client.post(url) if method == "POST" else client.get(url)
    return response.status_code, audit_mark() != before


# ---- the national run -------------------------------------------------------------------------


def _random_rows(qs, n: int, rng) -> list:
    """Up to `n` distinct rows of `qs` at random ids (an index walk each, not ORDER BY random())."""
    from django.db.models import Max, Min

    bounds = qs.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return []
    rows = {}
    for _ in range(n * 3):
        if len(rows) >= n:
            break
        at = rng.randint(bounds["lo"], bounds["hi"])
        row = qs.filter(pk__gte=at).order_by("pk").first() or qs.filter(pk__lt=at).order_by("-pk").first()
        rows[row.pk] = row
    return list(rows.values())


PLACEHOLDER_PDF = "bench-idor/placeholder.pdf"
PLACEHOLDER_PNG = "bench-idor/placeholder.png"


def _placeholders():
    """Files the synthesised rows point at, so their owner could open them (removed after the run)."""
    from django.core.files.base import ContentFile

    from chibo.sample_images import signature_png
    from vanban.storage import private_storage

    for name, data in ((PLACEHOLDER_PDF, b"%PDF-1.4\n%bench\n"), (PLACEHOLDER_PNG, signature_png(1))):
        if private_storage.exists(name):
            private_storage.delete(name)
        private_storage.save(name, ContentFile(data))


def _remove_placeholders():
    from vanban.storage import private_storage

    for name in (PLACEHOLDER_PDF, PLACEHOLDER_PNG):
        if private_storage.exists(name):
            private_storage.delete(name)


def sample_objects(rng, n: int) -> dict[str, list]:
    """`n` objects of each kind from the generated data; the kinds it does not generate (and the
    files it does not write) are made here, inside the run's transaction."""
    from django.utils import timezone

    from chibo.models import (
        Attendance,
        Meeting,
        MeetingAttachment,
        MeetingStatus,
        Organization,
        PartyGroup,
        Role,
        RoleAssignment,
        Side,
    )
    from chibo.models import Signatory as SignatoryModel
    from dangvien.models import LetterBatch, LinkState, Member, ResidenceLink
    from nhanxet.models import Evaluation, EvaluationRequest, Proposal
    from nhapdulieu.models import ImportJob
    from quydinh.models import RegulationPack
    from taikhoan.services import notify_many
    from vanban.models import Document

    committees = Organization.objects.filter(kind__is_committee=True, is_active=True, depth__gt=1)
    links = ResidenceLink.objects.select_related("member", "residence_branch", "workplace_committee")
    objects = {
        "workplace": _random_rows(committees.filter(side=Side.WORKPLACE), n, rng),
        "commune": _random_rows(committees.exclude(side=Side.WORKPLACE), n, rng),
        "branch": _random_rows(
            Organization.objects.filter(side__in=[Side.RESIDENCE, Side.BOTH], kind__is_committee=False), n, rng
        ),
        "group": _random_rows(PartyGroup.objects.select_related("branch"), n, rng),
        "meeting": _random_rows(Meeting.objects.filter(status=MeetingStatus.SCHEDULED), n, rng),
        "attendance": _random_rows(
            Attendance.objects.filter(meeting__status=MeetingStatus.CLOSED).select_related("meeting", "link"), n, rng
        ),
        "member": _random_rows(Member.objects.all(), n, rng),
        "held_link": _random_rows(
            links.filter(state__in=[LinkState.RECEIVED, LinkState.ACTIVE], residence_branch__isnull=False), n, rng
        ),
        "issued_link": _random_rows(links.filter(state=LinkState.LETTER_ISSUED), 2 * n, rng),
        "document": _random_rows(
            Document.objects.filter(doc_type="introduction").select_related("issuer", "member"), n, rng
        ),
        "evaluation": _random_rows(Evaluation.objects.select_related("member"), n, rng),
        "proposal": _random_rows(Proposal.objects.select_related("member"), n, rng),
        "request": _random_rows(EvaluationRequest.objects.select_related("member"), n, rng),
    }
    # A scan is what a workplace keeps of a receipt on paper: half the letters out get one.
    issued = objects["issued_link"]
    objects["issued_link"], objects["scan_link"] = issued[: len(issued) // 2], issued[len(issued) // 2 :]
    for link in objects["scan_link"]:
        link.acknowledgement_scan = PLACEHOLDER_PDF
        link.save(update_fields=["acknowledgement_scan"])
    Document.objects.filter(pk__in=[d.pk for d in objects["document"]]).update(pdf=PLACEHOLDER_PDF)
    objects["meeting_attachment"] = [
        MeetingAttachment.objects.create(
            meeting=meeting, name="bien-ban.png", path=PLACEHOLDER_PNG, uploaded_by_id=meeting.created_by_id
        )
        for meeting in _random_rows(
            Meeting.objects.filter(status=MeetingStatus.CLOSED).select_related("branch"), n, rng
        )
    ]
    Organization.objects.filter(pk__in=[o.pk for o in objects["workplace"]]).update(stamp_image=PLACEHOLDER_PNG)
    objects["signatory"] = [
        SignatoryModel.objects.create(
            organization=org, full_name="Nguyễn Văn Ký", title="secretary", signature_image=PLACEHOLDER_PNG
        )
        for org in objects["workplace"]
    ]
    clerks = list(
        RoleAssignment.objects.filter(role=Role.CLERK, organization__in=objects["workplace"]).select_related(
            "user", "organization"
        )
    )
    now = timezone.now()
    objects["batch"] = [
        LetterBatch.objects.create(
            created_by=a.user,
            member_ids=[],
            total=0,
            done=0,
            finished_at=now,
            combined_pdf=PLACEHOLDER_PDF,
        )
        for a in clerks
    ]
    objects["import_job"] = [
        ImportJob.objects.create(
            organization=a.organization,
            created_by=a.user,
            file=PLACEHOLDER_PDF,
            file_name="danh-sach.xlsx",
            file_sha256="0" * 64,
            file_kind="xlsx",
        )
        for a in clerks
    ]
    notify_many(items=[(a.user, "bench.idor", "Thông báo thử", "", "/") for a in clerks])
    objects["notification"] = [a.user.notifications.get(key="bench.idor") for a in clerks]
    objects["pack"] = list(RegulationPack.objects.all())
    return objects


def anchor(kind: str, obj):
    """The organisation whose neighbours attack the object."""
    if kind in ("workplace", "branch", "commune"):
        return obj
    if kind in ("signatory", "import_job"):
        return obj.organization
    if kind == "group":
        return obj.branch
    if kind == "meeting":
        return obj.branch
    if kind in ("attendance", "meeting_attachment"):
        return obj.meeting.branch
    if kind == "member":
        return obj.organization
    if kind == "held_link":
        return obj.residence_branch
    if kind in ("issued_link", "scan_link", "proposal", "request"):
        return obj.workplace_committee
    if kind == "document":
        return obj.issuer
    if kind == "evaluation":
        return obj.branch
    if kind == "pack":
        from chibo.models import Organization

        return Organization.objects.filter(depth=1).order_by("path").first()  # the provinces attack it
    if kind in ("batch", "notification"):
        from chibo.models import RoleAssignment

        user = obj.created_by if kind == "batch" else obj.user
        return RoleAssignment.objects.filter(user=user).select_related("organization").first().organization
    raise KeyError(kind)


def owner_of(kind: str, obj):
    """Who alone may open a user's own object (a letter batch, a notification); None: the
    national administrator opens everything else."""
    if kind == "batch":
        return obj.created_by
    if kind == "notification":
        return obj.user
    return None


class Attackers:
    """A user for every (organisation, role), made on first use; an organisation's siblings and
    its parent's siblings, read once per parent."""

    def __init__(self):
        self.users = {}
        self.children = {}

    def user(self, org, role):
        from chibo.services import role_assign
        from taikhoan.models import User

        key = (org.pk, role)
        if key not in self.users:
            user = User.objects.create_user(username=f"idor.{org.pk}.{role}", password=None)
            role_assign(actor=None, user=user, organization=org, role=role)
            self.users[key] = user
        return self.users[key]

    def _children_of(self, parent_path: str, depth: int):
        from chibo.models import Organization

        key = (parent_path, depth)
        if key not in self.children:
            self.children[key] = list(
                Organization.objects.filter(path__startswith=parent_path, depth=depth, is_active=True).only(
                    "id", "path", "depth"
                )
            )
        return self.children[key]

    def neighbours(self, org, rng, holders) -> list:
        """One random sibling of the organisation and one of its parent, each covering none of `holders`."""
        from chibo.models import Organization

        out = []
        steplen = Organization.steplen
        for level in (org.depth, org.depth - 1):
            if level < 1:
                continue
            path = org.path[: level * steplen]
            siblings = [
                o for o in self._children_of(path[:-steplen], level) if o.path != path and may_attack(o.path, holders)
            ]
            if siblings:
                out.append(rng.choice(siblings))
        return out


def run(pairs: int = 2000, seed: int = 213, out=sys.stdout) -> list[dict]:
    """Try about `pairs` requests; print and return the figures. Nothing is kept."""
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from chibo.models import Role
    from taikhoan.models import User

    # Every attacker's 404 would be logged as a warning, every forced login by django-axes.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    logging.getLogger("axes").setLevel(logging.WARNING)
    rng = random.Random(seed)
    year = timezone.localdate().year
    names = sorted(set(object_patterns()) - PUBLIC)
    missing = sorted(set(names) - set(TARGETS))
    if missing:
        raise SystemExit(f"bench.idor: no target for {', '.join(missing)}")
    requests_per_object = max(1, sum(len(TARGETS[n].methods) for n in names) * 2 * len(Role.values))
    per_kind = max(2, pairs // requests_per_object + 1)
    started = time.perf_counter()
    tried = leaks = controls_failed = 0
    examples, controls = [], set()
    roles = list(Role.values)
    _placeholders()
    try:
        with transaction.atomic():
            objects = sample_objects(rng, per_kind)
            attackers = Attackers()
            national = Client(HTTP_HOST="127.0.0.1")
            national.force_login(User.objects.filter(is_superuser=True).order_by("pk").first())
            clients = {}
            turn = 0
            while tried < pairs:
                progressed = False
                for name in names:
                    target = TARGETS[name]
                    pool = objects.get(target.kind) or []
                    if not pool or tried >= pairs:
                        continue
                    obj = rng.choice(pool)
                    holders = holder_paths(target.kind, obj)
                    orgs = attackers.neighbours(anchor(target.kind, obj), rng, holders)
                    if not orgs:
                        continue
                    url = reverse(name, kwargs=target.kwargs(obj, year))
                    if "GET" in target.methods and (name, obj.pk) not in controls:
                        controls.add((name, obj.pk))
                        owner = owner_of(target.kind, obj)
                        if owner is None:
                            control = national
                        else:
                            control = clients.setdefault(owner.pk, Client(HTTP_HOST="127.0.0.1"))
                            control.force_login(owner)
                        status = control.get(url).status_code
                        if status in DENIED or status >= 500:  # as the suite's matrix: a 500 opens nothing
                            controls_failed += 1
                            if len(examples) < 10:
                                examples.append(f"control GET {url}: {status}")
                    for org in orgs:
                        role = roles[turn % len(roles)]
                        turn += 1
                        user = attackers.user(org, role)
                        if user.pk not in clients:
                            clients[user.pk] = Client(HTTP_HOST="127.0.0.1")
                            clients[user.pk].force_login(user)
                        for method in target.methods:
                            status, wrote = attempt(clients[user.pk], url, method)
                            tried += 1
                            progressed = True
                            if status not in DENIED or wrote:
                                leaks += 1
                                if len(examples) < 10:
                                    examples.append(f"{method} {url} {role}@{org.path}: {status}")
                if not progressed:
                    break
            transaction.set_rollback(True)
    finally:
        _remove_placeholders()
    records = [
        {
            "name": "idor_pairs_tried",
            "value": tried,
            "unit": "requests",
            "patterns": len(names),
            "attackers": len(attackers.users),
            "seconds": round(time.perf_counter() - started, 1),
        },
        {"name": "idor_leaks", "value": leaks, "unit": "requests", "target": 0, "examples": examples},
        {"name": "idor_controls_failed", "value": controls_failed, "unit": "urls", "controls": len(controls)},
    ]
    for record in records:
        print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
    return records


def main():
    import django

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=2000, help="requests to try (attacker × URL × method)")
    parser.add_argument("--seed", type=int, default=213)
    args = parser.parse_args()
    django.setup()
    run(pairs=args.pairs, seed=args.seed)


if __name__ == "__main__":
    main()
