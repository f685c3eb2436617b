import pytest

from chibo.models import Commune, Role

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
    from django.utils import timezone

    from nhanxet.defaults import seed, seed_schemes
    from nhanxet.models import CriteriaSet, Criterion, RatingScheme
    from quydinh.defaults import seed as seed_pack
    from quydinh.models import RegulationPack

    seed(CriteriaSet, Criterion, seed_pack(RegulationPack, timezone.now()))
    seed_schemes(RatingScheme)
    from nhacviec.defaults import seed_rules
    from nhacviec.models import ReminderRule

    seed_rules(ReminderRule)


@pytest.fixture
def tree(db):
    """Province → (workplace committee A → branches A1, A2), (workplace committee B → branch B1),
    (commune committee → residence branch). B is A's neighbour; Q is a sibling of the province."""
    return factories.tree()


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
    return factories.branch(tree, admin_user)
