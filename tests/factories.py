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
