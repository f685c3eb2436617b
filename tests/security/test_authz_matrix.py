"""Authorization proven, not assumed: every URL that takes an object, asked for a real object of
workplace A (or of the residence branch holding A's members) by users of every role of a
neighbouring organisation (B, its branch B1, the sibling residence branch res2) and of the
parent's sibling (Q1 in the other province), answers 404 or 403 and writes nothing.

The URL patterns come from the resolver: a new one that takes an object fails
`test_every_object_url_is_in_the_matrix` until bench.idor.TARGETS says how to address it.
"""

import datetime
import secrets

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bench.idor import DENIED, PUBLIC, TARGETS, attempt, holder_paths, may_attack, object_patterns
from chibo.models import MeetingKind, Role, Side
from tests import factories
from tests.nhanxet.conftest import fill, period  # noqa: F401 (the evaluation fixture, reused)
from tests.nhapdulieu.conftest import HEADER, xlsx

HCM = datetime.timezone(datetime.timedelta(hours=7))
ATTACKER_ORGS = ("b", "b1", "res2", "q1")
LOCAL_APPS = (
    "quydinh",
    "chibo",
    "dangvien",
    "nhanxet",
    "vanban",
    "baocao",
    "nhapdulieu",
    "taikhoan",
    "nhacviec",
    "nhatky",
)
# Who opens each kind of object on the owning side (the positive control); a pattern listed in
# OWNER_OF_PATTERN is opened by another side than its kind's.
OWNER_OF_KIND = {
    "workplace": "clerk_a",
    "signatory": "clerk_a",
    "member": "clerk_a",
    "issued_link": "clerk_a",
    "scan_link": "clerk_a",
    "document": "clerk_a",
    "batch": "clerk_a",
    "import_job": "clerk_a",
    "proposal": "clerk_a",
    "branch": "secretary",
    "group": "secretary",
    "meeting": "secretary",
    "attendance": "secretary",
    "meeting_attachment": "secretary",
    "held_link": "secretary",
    "evaluation": "secretary",
    "request": "secretary",
    "commune": "office",
    "notification": "notified",
    "pack": "national",
}
OWNER_OF_PATTERN = {"dangvien:link_receive": "office", "dangvien:subject_export": "admin_a"}
MISSING_ID = 2_147_000_000


@pytest.fixture
def world(period, django_capture_on_commit_callbacks):  # noqa: F811
    """One real object of every kind the URLs take, owned by workplace A or held by its residence
    branch; an attacker of every role on B, B1, res2 and Q1."""
    from chibo.services import attendance_mark, meeting_close, meeting_schedule, party_group_save
    from dangvien.models import LetterBatch
    from dangvien.services import letter_batch_start, letter_issue, letter_revoke, link_receive_manual
    from nhanxet import services as evaluation
    from nhanxet.models import Proposal
    from nhapdulieu.services import import_upload
    from quydinh.selectors import pack_in_force
    from taikhoan.models import Notification, User
    from tests.images import png_upload

    data = dict(period)
    a, a1, res, clerk_a, secretary = data["a"], data["a1"], data["res"], data["clerk_a"], data["secretary"]
    today = timezone.localdate()
    half = 1 if today.month <= 6 else 2
    links = data["links"]
    res2 = factories.org(
        data["commune"],
        name="Chi bộ khu phố 2",
        kind_code="chi-bo-noi-cu-tru",
        side=Side.RESIDENCE,
        doc_abbreviation="CB",
    )
    group = party_group_save(actor=secretary, branch=res, name="Tổ đảng số 1", leader=data["leader"])
    scheduled = dict(kind=MeetingKind.PERIODIC, place="Nhà văn hóa khu phố 1", agenda="Sinh hoạt định kỳ")
    with django_capture_on_commit_callbacks(execute=True):
        closed = meeting_schedule(
            actor=secretary,
            branch=res,
            starts_at=min(datetime.datetime.combine(today, datetime.time(8, 0), tzinfo=HCM), timezone.now()),
            year=today.year,
            half=half,
            **scheduled,
        )
        for row in closed.attendance.all():
            attendance_mark(
                actor=secretary, meeting=closed, member_id=row.member_id, status="present", version=row.version
            )
        meeting_close(
            actor=secretary, meeting=closed, minutes="Biên bản buổi sinh hoạt", attachment=png_upload("bien-ban.png")
        )
        meeting = meeting_schedule(
            actor=secretary,
            branch=res,
            starts_at=datetime.datetime.combine(today, datetime.time(19, 0), tzinfo=HCM),
            year=today.year,
            half=half,
            **scheduled,
        )
        form = fill(data, links[0], conclusion="commend", details="Tích cực vận động nhân dân")
        evaluation.evaluations_sign(actor=secretary, branch=res, ids=[form.pk])
        evaluation.evaluations_confirm(actor=data["office"], commune=data["commune"], ids=[form.pk])
        evaluation.evaluations_forward(actor=data["office"], commune=data["commune"], ids=[form.pk])
        request = evaluation.request_create(
            actor=clerk_a,
            member=links[1].member,
            purpose="award",
            details="Xét khen thưởng",
            due_date=today + datetime.timedelta(days=5),
        )
        issued = letter_issue(actor=clerk_a, member=factories.member(a1, full_name="Đỗ Thị Mai", gender="female"))
        revoked = letter_issue(actor=clerk_a, member=factories.member(a1, full_name="Hồ Văn Tám"))
        letter_revoke(actor=clerk_a, link=revoked, reason="Sai địa chỉ nhà riêng số 99 ngõ Bí Mật")
        scanned = letter_issue(actor=clerk_a, member=factories.member(a1, full_name="Vũ Thị Lan", commune_code=4))
        scanned = link_receive_manual(
            actor=clerk_a,
            link=scanned,
            received_date=today,
            scan=png_upload("phieu.png"),
        )
        batch = letter_batch_start(actor=clerk_a, member_ids=[factories.member(a1, full_name="Lý Văn Bốn").pk])
    job = import_upload(
        actor=clerk_a,
        organization=a,
        uploaded=xlsx(
            [HEADER, [1, "Nguyễn Văn Bảy", "Nam", "12/03/1985", "033085000901", "19/05/2010", "", "", "", "x"]]
        ),
    )
    notification = Notification.objects.filter(user__in=[clerk_a, secretary]).order_by("pk").first()
    revoked.letter.refresh_from_db()
    issued.letter.refresh_from_db()
    objects = {
        "workplace": a,
        "signatory": a.signatories.get(is_active=True),
        "branch": res,
        "group": group,
        "meeting": meeting,
        "attendance": closed.attendance.get(member=links[0].member),
        "meeting_attachment": closed.attachments.get(),
        "member": links[0].member,
        "held_link": links[0],
        "issued_link": issued,
        "scan_link": scanned,
        "document": issued.letter,
        "batch": LetterBatch.objects.get(pk=batch.pk),
        "evaluation": form,
        "commune": data["commune"],
        "proposal": Proposal.objects.get(evaluation=form),
        "request": request,
        "import_job": job,
        "notification": notification,
        "pack": pack_in_force(),
    }
    attackers = [
        factories.user(f"x_{org}_{role}", roles=[(data[org] if org != "res2" else res2, role)])
        for org in ATTACKER_ORGS
        for role in Role.values
    ]
    owners = {
        "clerk_a": clerk_a,
        "secretary": secretary,
        "office": data["office"],
        "notified": notification.user,
        "admin_a": factories.user("admin_a", roles=[(data["a"], Role.ADMIN)]),
        "national": User.objects.filter(is_superuser=True).first(),
    }
    return {
        **data,
        "res2": res2,
        "objects": objects,
        "attackers": attackers,
        "owners": owners,
        "revoked_letter": revoked.letter,
        "revoked_member": revoked.member,
    }


def _url(name, world, **override):
    target = TARGETS[name]
    kwargs = target.kwargs(world["objects"][target.kind], world["year"])
    kwargs.update(override)
    return reverse(name, kwargs=kwargs)


def _owner(name, world):
    return world["owners"][OWNER_OF_PATTERN.get(name) or OWNER_OF_KIND[TARGETS[name].kind]]


def _fingerprint():
    """Row counts of every table of the project, and the unread notifications: what a request
    that slipped through would change even without an audit record."""
    from taikhoan.models import Notification

    counts = tuple(
        model._default_manager.order_by().count() for model in apps.get_models() if model._meta.app_label in LOCAL_APPS
    )
    return counts, Notification.objects.filter(read_at__isnull=True).count()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_object_url_is_in_the_matrix():
    """Adding a URL that takes an object without saying how to attack it fails here."""
    patterns = set(object_patterns()) - PUBLIC
    assert patterns == set(TARGETS), {
        "not in the matrix": sorted(patterns - set(TARGETS)),
        "no longer a URL": sorted(set(TARGETS) - patterns),
    }
    for name, params in object_patterns().items():
        if name in TARGETS:
            assert set(TARGETS[name].methods) <= {"GET", "POST"}, name
            assert params, name
    assert set(OWNER_OF_KIND) == {t.kind for t in TARGETS.values()}


def test_no_object_is_reachable_from_a_neighbour(world, capsys):
    objects, attackers = world["objects"], world["attackers"]
    # The attackers' organisations hold none of the objects (else a 200 would be right).
    for kind, obj in objects.items():
        holders = holder_paths(kind, obj)
        for org in ATTACKER_ORGS:
            assert may_attack(world[org].path, holders), (kind, org)
    clients = [(user, _client(user)) for user in attackers]
    tried, leaks = 0, []
    for name in sorted(TARGETS):
        target = TARGETS[name]
        url = _url(name, world)
        before = _fingerprint()
        for user, client in clients:
            for method in target.methods:
                status, wrote = attempt(client, url, method)
                tried += 1
                if status not in DENIED or wrote:
                    leaks.append(f"{method} {url} ({name}) as {user.username}: {status}{' wrote' if wrote else ''}")
        assert _fingerprint() == before, f"{name}: a neighbour's request changed the data"
    with capsys.disabled():
        print(f"\nauthz_pairs_tried={tried} patterns={len(TARGETS)} attackers={len(attackers)}")
    assert not leaks, "\n".join(leaks)
    assert tried == sum(len(t.methods) for t in TARGETS.values()) * len(attackers)
    assert len(attackers) == len(ATTACKER_ORGS) * len(Role.values)


def test_owners_reach_every_object_and_no_other_id(world):
    """The control: the owning side opens each object (the ids are real), and the same URL with
    any one of its ids replaced by one that exists nowhere is a 404."""
    refused = []
    for name in sorted(TARGETS):
        target = TARGETS[name]
        client = _client(_owner(name, world))
        method = target.methods[0]
        url = _url(name, world)
        response = client.get(url) if method == "GET" else client.post(url)
        if response.status_code in DENIED or response.status_code >= 500:
            refused.append(f"{method} {url} ({name}): {response.status_code}")
        params = object_patterns()[name]
        for param in params:
            if param == "year":
                continue
            bogus = "no-such-figure" if param == "key" else MISSING_ID
            wrong = _url(name, world, **{param: bogus})
            status = (client.get(wrong) if method == "GET" else client.post(wrong)).status_code
            assert status == 404, f"{method} {wrong} ({name}, {param} unknown): {status}"
    assert not refused, "\n".join(refused)


def test_verification_page_shows_only_the_public_part(world):
    """The one public object URL: a token that was not issued is a 404 (ids and guesses alike);
    a real one shows the document's number, issuer and a masked name, never the member's details
    nor a revocation's reason, unless the reader may see the document."""
    letter, member = world["revoked_letter"], world["revoked_member"]
    anonymous = Client()
    for token in [secrets.token_urlsafe(24) for _ in range(20)] + [
        str(letter.pk),
        letter.token[:-1],
        letter.token.upper(),
    ]:
        if token == letter.token:
            continue
        assert anonymous.get(reverse("vanban:verify", args=[token])).status_code == 404, token
    url = reverse("vanban:verify", args=[letter.token])
    reason = "Sai địa chỉ nhà riêng số 99 ngõ Bí Mật"
    secrets_of_member = [member.full_name, member.citizen_id, member.residence_street, member.phone, reason]
    for reader in [None, *world["attackers"]]:
        client = anonymous if reader is None else _client(reader)
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert letter.symbol in text and "H. V. Tám" in text
        for secret in secrets_of_member:
            assert secret not in text, (reader, secret)
    assert reason in _client(world["clerk_a"]).get(url).content.decode()


def _admin_urls(model, obj):
    """The admin's per-object pages of a registered model, for one of its rows."""
    info = model._meta.app_label, model._meta.model_name
    for page in ("change", "history", "delete"):
        try:
            yield reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[obj.pk])
        except NoReverseMatch:
            continue
    history = getattr(model, "history", None)
    if history is not None:
        record = history.filter(id=obj.pk).order_by("history_id").first()
        if record is not None:
            try:
                yield reverse(f"admin:{info[0]}_{info[1]}_simple_history", args=[obj.pk, record.history_id])
            except NoReverseMatch:
                pass


def test_admin_pages_of_another_organisation_are_closed(world, admin_user, capsys):
    """The Django admin is outside the matrix above: an attacker of any role (administrators of
    B, B1, res2 and Q1 are staff) never gets a 200 for an object page of A's side. Provinces and
    communes are the official list of administrative units, public reference data every
    administrator reads; they belong to no organisation."""
    from chibo.models import Commune, Organization, Province, RoleAssignment
    from dangvien.models import Member

    chosen = {
        Organization: world["a1"],
        Member: world["objects"]["member"],
        RoleAssignment: RoleAssignment.objects.get(user=world["clerk_a"]),
    }
    pages = []
    for model in admin.site._registry:
        if model in (Province, Commune):
            continue
        obj = chosen.get(model) or model._default_manager.order_by("pk").first()
        if obj is not None:
            pages.extend(_admin_urls(model, obj))
    national = _client(admin_user)
    assert national.get(reverse("admin:chibo_organization_change", args=[world["a1"].pk])).status_code == 200
    tried, opened = 0, []
    for user in world["attackers"]:
        client = _client(user)
        for url in pages:
            tried += 1
            status = client.get(url).status_code
            if status == 200 or status >= 500:
                opened.append(f"{url} as {user.username}: {status}")
    with capsys.disabled():
        print(f"\nadmin_pairs_tried={tried} pages={len(pages)}")
    assert not opened, "\n".join(opened)
    assert len(pages) >= len(admin.site._registry) - 2


def test_audit_mark_moves_on_a_write(world):
    """The matrix's write detector sees a write (else 'wrote' could never be true)."""
    from bench.idor import audit_mark
    from dangvien.services import exemption_record

    before = audit_mark()
    exemption_record(
        actor=world["clerk_a"],
        member=world["objects"]["member"],
        category="mobile_work",
        reason="Đi công tác dài ngày",
        start_date=timezone.localdate(),
        decided_by="Đảng ủy Sở Giáo dục",
    )
    assert audit_mark() > before
