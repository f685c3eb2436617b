import datetime

import pytest

from chibo.models import Commune, Role, Side

from . import factories
from .images import configure_signing


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests end with a flush that takes the migration-loaded reference data
    (organisation kinds, administrative units) with it: load it again when it is gone."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")) and "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from chibo.models import Commune
    from chibo.services import admin_units_load

    if not Commune.objects.exists():
        admin_units_load()
    from nhanxet.defaults import seed
    from nhanxet.models import CriteriaSet, Criterion

    seed(CriteriaSet, Criterion)
    from nhacviec.defaults import seed_rules
    from nhacviec.models import ReminderRule

    seed_rules(ReminderRule)


@pytest.fixture
def tree(db):
    """Province → (workplace committee A → branches A1, A2), (workplace committee B → branch B1),
    (commune committee → residence branch). B is A's neighbour; Q is a sibling of the province."""
    province = factories.org(name="Đảng bộ tỉnh Thử Nghiệm")
    other_province = factories.org(name="Đảng bộ tỉnh Bên Cạnh")
    a = factories.org(province, name="Đảng bộ Sở Giáo dục")
    a1 = factories.org(a, name="Chi bộ Văn phòng", kind_code="chi-bo-truc-thuoc", doc_abbreviation="CB")
    a2 = factories.org(a, name="Chi bộ Phòng Trung học", kind_code="chi-bo-truc-thuoc", doc_abbreviation="CB")
    b = factories.org(province, name="Đảng bộ Sở Y tế")
    b1 = factories.org(b, name="Chi bộ Văn phòng Sở Y tế", kind_code="chi-bo-truc-thuoc", doc_abbreviation="CB")
    q1 = factories.org(other_province, name="Đảng bộ Sở Tài chính tỉnh bên")
    commune = factories.org(province, name="Đảng bộ phường Thử", kind_code="dang-uy-xa", side=Side.BOTH)
    res = factories.org(
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


@pytest.fixture
def clerk_a(tree):
    return factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)])


@pytest.fixture
def clerk_b(tree):
    return factories.user("clerk_b", roles=[(tree["b"], Role.CLERK)])


@pytest.fixture
def admin_user(db):
    from taikhoan.models import User

    return User.objects.create_superuser("national", password="x-test-password-1")


@pytest.fixture
def setup(tree, admin_user):
    """Workplace A and the commune office set up to sign; a clerk of each, a neighbouring office, one member."""
    from chibo.services import organization_update

    commune = Commune.objects.get(code=70)
    organization_update(actor=admin_user, org=tree["commune"], commune=commune)
    configure_signing(tree["a"])
    configure_signing(tree["commune"], name="Lê Thị Hoa")
    clerk = factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)])
    office = factories.user("office", roles=[(tree["commune"], Role.CLERK)])
    neighbour_office = factories.user("office_b", roles=[(tree["b"], Role.CLERK)])
    member = factories.member(tree["a1"], full_name="Nguyễn Văn Đức", commune_code=70)
    return {"clerk": clerk, "office": office, "neighbour": neighbour_office, "member": member, **tree}


@pytest.fixture
def branch(tree, admin_user):
    """Members of workplaces A and B received into the residence branch; signing set up everywhere."""
    from chibo.models import Commune
    from chibo.services import organization_update
    from dangvien.services import letter_issue, link_receive

    organization_update(actor=admin_user, org=tree["commune"], commune=Commune.objects.get(code=70))
    for org in (tree["a"], tree["b"], tree["commune"]):
        configure_signing(org)
    configure_signing(tree["res"], name="Ngô Văn Nhân")
    clerk_a = factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)], email="clerk_a@example.org")
    clerk_b = factories.user("clerk_b", roles=[(tree["b"], Role.CLERK)])
    office = factories.user("office", roles=[(tree["commune"], Role.CLERK)])
    secretary = factories.user("secretary", roles=[(tree["res"], Role.BRANCH_SECRETARY)])
    leader = factories.user("leader", roles=[(tree["res"], Role.GROUP_LEADER)], email="leader@example.org")
    links = []
    for i, (org, clerk) in enumerate([(tree["a1"], clerk_a)] * 3 + [(tree["b1"], clerk_b)] * 2):
        member = factories.member(
            org, full_name=f"Trần Văn Thứ{i}", commune_code=70, email=f"m{i}@example.org" if i == 0 else ""
        )
        link = letter_issue(actor=clerk, member=member)
        links.append(link_receive(actor=office, link=link, received_date=datetime.date.today(), branch=tree["res"]))
    return {
        **tree,
        "clerk_a": clerk_a,
        "clerk_b": clerk_b,
        "office": office,
        "secretary": secretary,
        "leader": leader,
        "links": links,
    }
