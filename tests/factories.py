"""Test data built through the same services the app uses."""

import datetime
import itertools

from chibo.models import Commune, OrganizationKind, Side
from chibo.services import organization_create, role_assign
from dangvien.services import member_create
from taikhoan.models import User

_serial = itertools.count(1)


def kind(code="dang-bo-co-so"):
    return OrganizationKind.objects.get(code=code)


def org(parent=None, name=None, kind_code=None, side=Side.WORKPLACE, **fields):
    n = next(_serial)
    kind_code = kind_code or ("tinh-uy" if parent is None else "dang-bo-co-so")
    return organization_create(
        actor=None,
        parent=parent,
        kind=kind(kind_code),
        side=side,
        name=name or f"Tổ chức {n}",
        doc_abbreviation=fields.pop("doc_abbreviation", "ĐU"),
        **fields,
    )


def user(username=None, roles=(), **fields):
    """A user with (organisation, role) pairs."""
    u = User.objects.create_user(username=username or f"user{next(_serial)}", password="x-test-password-1", **fields)
    for organization, role in roles:
        role_assign(actor=None, user=u, organization=organization, role=role)
    return u


def citizen_id_for(gender, born, serial=None):
    serial = next(_serial) if serial is None else serial
    digit = ((born.year // 100) - 19) * 2 + (1 if gender == "female" else 0)
    return f"033{digit}{born.year % 100:02d}{serial:06d}"


def member_data(organization, **overrides):
    born = overrides.pop("birth_date", datetime.date(1985, 3, 12))
    gender = overrides.pop("gender", "male")
    data = {
        "full_name": "Nguyễn Văn An",
        "gender": gender,
        "birth_date": born,
        "citizen_id": citizen_id_for(gender, born),
        "card_number": None,
        "admission_date": datetime.date(2010, 5, 19),
        "full_membership_date": datetime.date(2011, 5, 19),
        "status": "full",
        "organization": organization,
        "position": "Chuyên viên",
        "workplace_unit": "Sở Y tế",
        "residence_commune": Commune.objects.get(code=overrides.pop("commune_code", 70)),
        "residence_hamlet": "Tổ dân phố 5",
        "residence_street": "Số 12 Hàng Bài",
        "phone": "0912345678",
        "email": "",
        "covered_213": True,
        "notes": "",
    }
    data.update(overrides)
    return data


def member(organization, actor=None, **overrides):
    if actor is None:
        actor = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
            "root-factory", password="x-test-password-1"
        )
    return member_create(actor=actor, data=member_data(organization, **overrides))


def links_like(template, members, branch):
    """Active residence links for `members` into `branch`, copied from `template` and made in bulk
    (the receiving service costs a PDF each; query-count tests need hundreds)."""
    from dangvien.models import LinkState, ResidenceLink

    return ResidenceLink.objects.bulk_create(
        [
            ResidenceLink(
                member=m,
                workplace_committee=template.workplace_committee,
                workplace_path=template.workplace_path,
                residence_commune=template.residence_commune,
                residence_committee=template.residence_committee,
                residence_path=template.residence_path,
                residence_branch=branch,
                # An active link was introduced and received: the letter and the date are
                # the template's (a database constraint; the copies used to leave them empty).
                letter=template.letter,
                received_date=template.received_date,
                state=LinkState.ACTIVE,
            )
            for m in members
        ]
    )


def tree():
    """Province → (workplace committee A → branches A1, A2), (workplace committee B → branch B1),
    (commune committee → residence branch). B is A's neighbour; Q is a sibling of the province."""
    province = org(name="Đảng bộ tỉnh Thử Nghiệm")
    other_province = org(name="Đảng bộ tỉnh Bên Cạnh")
    a = org(province, name="Đảng bộ Sở Giáo dục")
    a1 = org(a, name="Chi bộ Văn phòng", kind_code="chi-bo-truc-thuoc", doc_abbreviation="CB")
    a2 = org(a, name="Chi bộ Phòng Trung học", kind_code="chi-bo-truc-thuoc", doc_abbreviation="CB")
    b = org(province, name="Đảng bộ Sở Y tế")
    b1 = org(b, name="Chi bộ Văn phòng Sở Y tế", kind_code="chi-bo-truc-thuoc", doc_abbreviation="CB")
    q1 = org(other_province, name="Đảng bộ Sở Tài chính tỉnh bên")
    commune = org(province, name="Đảng bộ phường Thử", kind_code="dang-uy-xa", side=Side.BOTH)
    res = org(
        commune, name="Chi bộ khu phố 1", kind_code="chi-bo-noi-cu-tru", side=Side.RESIDENCE, doc_abbreviation="CB"
    )
    return {
        "province": province,
        "other_province": other_province,
        "a": a,
        "a1": a1,
        "a2": a2,
        "b": b,
        "b1": b1,
        "q1": q1,
        "commune": commune,
        "res": res,
    }


def branch(tree, admin):
    """Members of workplaces A and B received into the residence branch; signing set up everywhere."""
    from chibo.models import Role
    from chibo.services import organization_update
    from dangvien.services import letter_issue, link_receive
    from tests.images import configure_signing

    organization_update(actor=admin, org=tree["commune"], commune=Commune.objects.get(code=70))
    for organization in (tree["a"], tree["b"], tree["commune"]):
        configure_signing(organization)
    configure_signing(tree["res"], name="Ngô Văn Nhân")
    clerk_a = user("clerk_a", roles=[(tree["a"], Role.CLERK)], email="clerk_a@example.org")
    clerk_b = user("clerk_b", roles=[(tree["b"], Role.CLERK)])
    office = user("office", roles=[(tree["commune"], Role.CLERK)])
    secretary = user("secretary", roles=[(tree["res"], Role.BRANCH_SECRETARY)])
    leader = user("leader", roles=[(tree["res"], Role.GROUP_LEADER)], email="leader@example.org")
    links = []
    for i, (organization, clerk) in enumerate([(tree["a1"], clerk_a)] * 3 + [(tree["b1"], clerk_b)] * 2):
        person = member(
            organization, full_name=f"Trần Văn Thứ{i}", commune_code=70, email=f"m{i}@example.org" if i == 0 else ""
        )
        link = letter_issue(actor=clerk, member=person)
        links.append(link_receive(actor=office, link=link, received_date=datetime.date.today(), branch=tree["res"]))
    people = {"clerk_a": clerk_a, "clerk_b": clerk_b, "office": office, "secretary": secretary, "leader": leader}
    return {**tree, **people, "links": links}
