"""Demo data for trying the app: one province, two communes, three workplace committees, ~200 members."""

import datetime
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from chibo.models import Commune, Organization, OrganizationKind, PartyGroup, Role, Side
from chibo.services import organization_create, party_group_save, role_assign
from common.names import POSITIONS, birth_date, citizen_id, person
from dangvien.models import Member
from dangvien.services import member_create
from taikhoan.models import User
from taikhoan.services import user_create

DEMO_PASSWORD = "demo-213-hungyen"
PROVINCE_CODE = 33  # Hưng Yên
PLACE_CODE = "033"  # its birth-place code in citizen IDs
SEED = 213

RESIDENCE = {
    # commune code: residence branches (chi bộ khu phố / thôn)
    "Phường Phố Hiến": ["Khu phố Nhân Dục", "Khu phố Hiến Nam", "Khu phố An Vũ", "Khu phố Lê Lợi"],
    "Xã Tân Hưng": ["Thôn Tân Mỹ", "Thôn Tân Hưng", "Thôn Hưng Đạo"],
}
WORKPLACE = [
    (
        "Đảng bộ Sở Giáo dục và Đào tạo",
        "Sở GD&ĐT",
        ["Chi bộ Văn phòng Sở", "Chi bộ Phòng Giáo dục Trung học", "Chi bộ Phòng Tổ chức cán bộ"],
    ),
    ("Đảng bộ Sở Y tế", "Sở Y tế", ["Chi bộ Văn phòng Sở", "Chi bộ Phòng Nghiệp vụ Y", "Chi bộ Thanh tra Sở"]),
    (
        "Đảng bộ Công ty Cổ phần Môi trường đô thị Hưng Yên",
        "Công ty Môi trường đô thị",
        ["Chi bộ Văn phòng Công ty", "Chi bộ Xí nghiệp Vệ sinh"],
    ),
]
USERS = [
    # username, full name, role, organisation key, staff
    ("quantri", "Phạm Văn Quản", Role.ADMIN, "province", True),
    ("bantochuc", "Lê Thị Tổ Chức", Role.BOARD_VIEWER, "province", False),
    ("vanphong.sogd", "Nguyễn Thị Văn Phòng", Role.CLERK, "wp0", False),
    ("bithu.sogd", "Trần Văn Bí Thư", Role.SIGNING_SECRETARY, "wp0", False),
    ("vanphong.soyte", "Đỗ Thị Hồng", Role.CLERK, "wp1", False),
    ("vanphong.congty", "Vũ Văn Toàn", Role.CLERK, "wp2", False),
    ("xaydungdang.phohien", "Hoàng Thị Xây Dựng", Role.BOARD_VIEWER, "commune0", False),
    ("vanphong.phohien", "Đinh Thị Tiếp Nhận", Role.CLERK, "commune0", False),
    ("bithu.nhanduc", "Ngô Văn Nhân", Role.BRANCH_SECRETARY, "res0", False),
    ("totruong.nhanduc", "Bùi Thị Tổ Trưởng", Role.GROUP_LEADER, "res0", False),
]


def kind(code):
    return OrganizationKind.objects.get(code=code)


class Command(BaseCommand):
    help = "Create demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            admin = User.objects.filter(username="admin").first() or user_create(
                actor=None,
                username="admin",
                password=DEMO_PASSWORD,
                full_name="Quản trị quốc gia",
                is_superuser=True,
            )
            orgs = self._organizations(admin)
            self._users(admin, orgs)
            self._members(admin, orgs)
            self._signing(admin, orgs)
            self._letters(admin, orgs)
            self._branch_work(admin, orgs)
            self._evaluations(admin, orgs)
        # The day's reminders, as beat would run them at 6:00, so the inboxes have something in them.
        from nhacviec.services.sweeps import RULES, sweep_run

        sweep_run(codes=list(RULES))
        # The boards' figures, as the half-hourly task would compute them.
        from baocao.services import figures_refresh, years_to_refresh

        for year in years_to_refresh():
            figures_refresh(year=year)
        self._print(orgs)

    def _signing(self, admin, orgs):
        """Stamps and signatories (drawn sample images) for the committees that issue documents."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from chibo.sample_images import signature_png, stamp_png
        from chibo.services import organization_stamp_set, organization_update, signatory_save

        for i, key in enumerate(["wp0", "wp1", "wp2", "commune0", "commune1", "province"]):
            org = orgs[key]
            if org.stamp_image:
                continue
            org = organization_update(actor=admin, org=org, place_name="Hưng Yên")
            organization_stamp_set(actor=admin, org=org, upload=SimpleUploadedFile("dau.png", stamp_png(i)))
            rng = random.Random(SEED + i)
            for title, seed in (("secretary", 2 * i), ("deputy", 2 * i + 1)):
                signatory_save(
                    actor=admin,
                    org=org,
                    full_name=person(rng)[0],
                    title=title,
                    signature=SimpleUploadedFile("chuky.png", signature_png(seed)),
                )
            orgs[key] = org

    def _letters(self, admin, orgs):
        """Letters already issued for part of one committee's covered members, some received."""
        from chibo.models import PartyGroup
        from dangvien.models import ResidenceLink
        from dangvien.services import letters_issue_many, link_receive

        if ResidenceLink.objects.exists():
            return
        try:
            import weasyprint  # noqa: F401 - needs the Pango system libraries
        except OSError as exc:
            self.stderr.write(
                f"No demo letters: WeasyPrint cannot load its system libraries ({exc}). "
                "Install libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2."
            )
            return
        committee = orgs["wp0"]
        members = list(
            Member.objects.filter(org_path__startswith=committee.path, covered_213=True).order_by("sort_key")[:30]
        )
        links, _refusals = letters_issue_many(actor=admin, members=members)
        branches = {branch.name: branch for branch, _hamlet, _commune in orgs["residence"]}
        for link in links[::2]:
            branch = branches.get(f"Chi bộ {link.residence_hamlet}")
            if branch is None or not link.residence_committee_id:
                continue
            group = PartyGroup.objects.filter(branch=branch).order_by("name").first()
            link_receive(actor=admin, link=link, received_date=datetime.date.today(), branch=branch, group=group)

    def _branch_work(self, admin, orgs):
        """The first residence branch: its secretary signs, a group has a leader, one meeting
        held and closed (with absences notified), one coming up."""
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.utils import timezone

        from chibo.models import Meeting, MeetingKind
        from chibo.sample_images import signature_png
        from chibo.services import attendance_mark, meeting_close, meeting_schedule, members_group_set, signatory_save
        from chibo.services.branches import half_year_of
        from dangvien.models import ResidenceLink

        branch = orgs["res0"]
        if Meeting.objects.filter(branch=branch).exists() or not ResidenceLink.objects.exists():
            return
        secretary = User.objects.get(username="bithu.nhanduc")
        if not branch.place_name:
            from chibo.services import organization_update

            branch = orgs["res0"] = organization_update(actor=admin, org=branch, place_name="Phố Hiến")
        if not branch.signatories.exists():
            signatory_save(
                actor=admin,
                org=branch,
                full_name=secretary.full_name,
                title="secretary",
                signature=SimpleUploadedFile("chuky.png", signature_png(99)),
            )
        groups = list(PartyGroup.objects.filter(branch=branch).order_by("name"))
        party_group_save(
            actor=admin,
            branch=branch,
            name=groups[0].name,
            leader=User.objects.get(username="totruong.nhanduc"),
            group=groups[0],
        )
        links = list(ResidenceLink.objects.filter(residence_branch=branch).order_by("pk").values_list("pk", flat=True))
        if not links:
            return
        members_group_set(actor=secretary, branch=branch, link_ids=links[::2], group=groups[0])
        if links[1::2]:
            members_group_set(actor=secretary, branch=branch, link_ids=links[1::2], group=groups[1])
        now = timezone.localtime()
        past = now - datetime.timedelta(days=1)
        fields = {"place": "Nhà văn hóa khu phố Nhân Dục", "kind": MeetingKind.PERIODIC}
        agenda = "Thông tin tình hình kinh tế - xã hội của phường\nĐảng viên đóng góp ý kiến xây dựng khu phố"
        year, half = half_year_of(past.date())
        held = meeting_schedule(
            actor=secretary,
            branch=branch,
            starts_at=past.replace(hour=19, minute=30),
            agenda=agenda,
            year=year,
            half=half,
            **fields,
        )
        for i, row in enumerate(held.attendance.order_by("pk")):
            status = "unexcused" if i == 0 else "excused" if i == 1 else "present"
            reason = "Đi công tác Hà Nội" if status == "excused" else ""
            attendance_mark(
                actor=secretary, meeting=held, member_id=row.member_id, status=status, reason=reason, version=0
            )
        meeting_close(
            actor=secretary,
            meeting=held,
            minutes="Chi ủy thông tin tình hình địa phương. Các đồng chí đảng viên góp ý về vệ sinh môi trường "
            "và an ninh trật tự khu phố. Chi bộ thống nhất phân công đảng viên phụ trách các hộ.",
        )
        coming = (now + datetime.timedelta(days=14)).replace(hour=19, minute=30)
        year, half = half_year_of(coming.date())
        meeting_schedule(
            actor=secretary, branch=branch, starts_at=coming, agenda=agenda, year=year, half=half, **fields
        )

    def _evaluations(self, admin, orgs):
        """This year's period opened by the commune; the branch met the Front committee, signed
        one form, has one ready to sign and one draft; the workplace asked about one member."""
        from django.utils import timezone

        from dangvien.models import LinkState, ResidenceLink
        from nhanxet.models import EvaluationPeriod
        from nhanxet.services import (
            evaluation_save,
            evaluations_sign,
            front_meeting_record,
            period_open,
            request_create,
        )

        commune, branch = orgs["commune0"], orgs["res0"]
        today = timezone.localdate()
        if EvaluationPeriod.objects.filter(organization=commune, year=today.year).exists():
            return
        office = User.objects.get(username="vanphong.phohien")
        secretary = User.objects.get(username="bithu.nhanduc")
        period = period_open(
            actor=office,
            organization=commune,
            year=today.year,
            scope="all",
            branch_deadline=max(today, datetime.date(today.year, 12, 10)),
            confirm_deadline=max(today, datetime.date(today.year, 12, 20)),
            forward_deadline=max(today, datetime.date(today.year, 12, 31)),
        )
        front_meeting_record(
            actor=secretary,
            branch=branch,
            year=today.year,
            held_on=today,
            attendees="Chi ủy chi bộ; Ban công tác Mặt trận khu phố Nhân Dục",
        )
        links = list(
            ResidenceLink.objects.filter(
                residence_branch=branch, state__in=[LinkState.RECEIVED, LinkState.ACTIVE]
            ).select_related("member", "residence_branch", "residence_committee", "workplace_committee")[:3]
        )
        criteria = [c.code for c in period.criteria_set.criteria.all()]
        forms = []
        for i, link in enumerate(links):
            answers = {code: "good" for code in criteria} if i < 2 else {criteria[0]: "good"}
            forms.append(
                evaluation_save(
                    actor=secretary,
                    link=link,
                    year=today.year,
                    lock_version=0,
                    answers=answers,
                    remarks="Gương mẫu, tích cực tham gia hoạt động của khu phố." if i == 0 else "",
                    conclusion="none" if i < 2 else "",
                )
            )
        if forms:
            evaluations_sign(actor=secretary, branch=branch, ids=[forms[0].pk])
        if len(links) > 1:
            request_create(
                actor=User.objects.get(username="vanphong.sogd")
                if links[1].workplace_path.startswith(orgs["wp0"].path)
                else admin,
                member=links[1].member,
                purpose="appointment",
                details="Quy trình bổ nhiệm lại",
                due_date=today + datetime.timedelta(days=15),
            )

    def _org(self, admin, parent, **fields):
        existing = Organization.objects.filter(name=fields["name"])
        if parent is not None:
            existing = existing.filter(path__startswith=parent.path, depth=parent.depth + 1)
        found = existing.first()
        return found or organization_create(actor=admin, parent=parent, **fields)

    def _organizations(self, admin):
        orgs = {}
        province = self._org(
            admin,
            None,
            kind=kind("tinh-uy"),
            side=Side.BOTH,
            name="Đảng bộ tỉnh Hưng Yên",
            short_name="Tỉnh ủy Hưng Yên",
            doc_abbreviation="TU",
            superior_name="ĐẢNG CỘNG SẢN VIỆT NAM",
        )
        orgs["province"] = province
        orgs["residence"] = []
        for i, (commune_name, branches) in enumerate(RESIDENCE.items()):
            commune = Commune.objects.get(province_id=PROVINCE_CODE, name=commune_name)
            short = commune_name.replace("Phường ", "phường ").replace("Xã ", "xã ")
            committee = self._org(
                admin,
                province,
                kind=kind("dang-uy-xa"),
                side=Side.BOTH,
                name=f"Đảng bộ {short}",
                short_name=f"Đảng ủy {short}",
                doc_abbreviation="ĐU",
                superior_name="ĐẢNG BỘ TỈNH HƯNG YÊN",
                commune=commune,
            )
            orgs[f"commune{i}"] = committee
            for branch_name in branches:
                branch = self._org(
                    admin,
                    committee,
                    kind=kind("chi-bo-noi-cu-tru"),
                    side=Side.RESIDENCE,
                    name=f"Chi bộ {branch_name}",
                    short_name=f"CB {branch_name}",
                    doc_abbreviation="CB",
                    superior_name=f"ĐẢNG BỘ {short.upper()}",
                    commune=commune,
                )
                orgs["residence"].append((branch, branch_name, commune))
                for g in (1, 2):
                    if not PartyGroup.objects.filter(branch=branch, name=f"Tổ đảng số {g}").exists():
                        party_group_save(actor=admin, branch=branch, name=f"Tổ đảng số {g}")
        bloc = self._org(
            admin,
            province,
            kind=kind("dang-bo-truc-thuoc-tinh"),
            side=Side.WORKPLACE,
            name="Đảng bộ Ủy ban nhân dân tỉnh",
            short_name="Đảng ủy UBND tỉnh",
            doc_abbreviation="ĐU",
            superior_name="ĐẢNG BỘ TỈNH HƯNG YÊN",
        )
        orgs["branches"] = []
        for i, (name, short, branches) in enumerate(WORKPLACE):
            committee = self._org(
                admin,
                bloc,
                kind=kind("dang-bo-co-so"),
                side=Side.WORKPLACE,
                name=name,
                short_name=f"Đảng ủy {short}",
                doc_abbreviation="ĐU",
                superior_name="ĐẢNG BỘ ỦY BAN NHÂN DÂN TỈNH",
            )
            orgs[f"wp{i}"] = committee
            for branch_name in branches:
                branch = self._org(
                    admin,
                    committee,
                    kind=kind("chi-bo-truc-thuoc"),
                    side=Side.WORKPLACE,
                    name=f"{branch_name} ({short})",
                    short_name=branch_name,
                    doc_abbreviation="CB",
                    superior_name=name.upper(),
                )
                orgs["branches"].append((branch, short))
        orgs["res0"] = orgs["residence"][0][0]
        return orgs

    def _users(self, admin, orgs):
        for username, full_name, role, key, staff in USERS:
            user = User.objects.filter(username=username).first() or user_create(
                actor=admin,
                username=username,
                password=DEMO_PASSWORD,
                full_name=full_name,
                is_staff=staff,
            )
            role_assign(actor=admin, user=user, organization=orgs[key], role=role)

    def _members(self, admin, orgs):
        rng = random.Random(SEED)
        today = datetime.date(2026, 1, 1)
        per_branch = 25
        serial = 0
        for branch, workplace in orgs["branches"]:
            for _ in range(per_branch):
                serial += 1
                name, gender = person(rng)
                born = birth_date(rng, today)
                admitted = born + datetime.timedelta(days=rng.randint(20 * 365, 35 * 365))
                admitted = min(admitted, today - datetime.timedelta(days=rng.randint(30, 900)))
                full = (
                    admitted + datetime.timedelta(days=365) if admitted + datetime.timedelta(days=400) < today else None
                )
                cid = citizen_id(rng, PLACE_CODE, gender, born, 100000 + serial * 37)
                _residence_branch, hamlet, commune = rng.choice(orgs["residence"])
                covered = rng.random() < 0.75
                position, street = rng.choice(POSITIONS), f"Số {rng.randint(1, 200)}, ngõ {rng.randint(1, 40)}"
                phone = f"09{rng.randint(10000000, 99999999)}"
                # Every random draw happens before this check, so a rerun makes the same people.
                if Member.objects.filter(citizen_id=cid).exists():
                    continue
                member_create(
                    actor=admin,
                    data={
                        "full_name": name,
                        "gender": gender,
                        "birth_date": born,
                        "citizen_id": cid,
                        "card_number": f"{48000000 + serial * 13}" if full else None,
                        "admission_date": admitted,
                        "full_membership_date": full,
                        "status": "full" if full else "probationary",
                        "organization": branch,
                        "position": position,
                        "workplace_unit": workplace,
                        "residence_commune": commune,
                        "residence_hamlet": hamlet,
                        "residence_street": street,
                        "phone": phone,
                        "email": "",
                        "covered_213": covered,
                        "notes": "",
                    },
                )

    def _print(self, orgs):
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):"))
        self.stdout.write("  admin                 national administrator (superuser)")
        for username, _full_name, role, key, _staff in USERS:
            org = orgs[key].name
            self.stdout.write(f"  {username:<22}{Role(role).label} — {org}")
        self.stdout.write(f"Members: {Member.objects.count()}")
