import datetime

import pytest

from chibo.models import Role
from tests import factories
from tests.images import configure_signing


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
