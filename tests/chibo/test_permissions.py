import pytest
from django.http import Http404

from chibo.models import Role
from chibo.permissions import can_manage_members, can_view_org, scope_paths
from chibo.selectors import organization_get, organization_roots, organization_visible
from tests import factories


def test_scope_covers_subtree(tree, clerk_a):
    assert scope_paths(clerk_a) == [tree["a"].path]
    visible = set(organization_visible(clerk_a).values_list("pk", flat=True))
    assert visible == {tree["a"].pk, tree["a1"].pk, tree["a2"].pk}


def test_nested_roles_collapse_to_top(tree):
    u = factories.user(roles=[(tree["a"], Role.CLERK), (tree["a1"], Role.BOARD_VIEWER)])
    assert scope_paths(u) == [tree["a"].path]


def test_user_without_roles_sees_nothing(tree):
    assert not organization_visible(factories.user()).exists()


def test_superuser_sees_everything(tree, admin_user):
    assert scope_paths(admin_user) is None
    assert organization_visible(admin_user).count() >= 10


def test_allow_own_org_detail(tree, clerk_a):
    assert organization_get(clerk_a, tree["a1"].pk) == tree["a1"]


def test_deny_neighbour_org_detail_as_404(tree, clerk_a):
    with pytest.raises(Http404):
        organization_get(clerk_a, tree["b1"].pk)
    with pytest.raises(Http404):
        organization_get(clerk_a, tree["province"].pk)


def test_board_viewer_reads_but_cannot_manage_members(tree):
    viewer = factories.user(roles=[(tree["province"], Role.BOARD_VIEWER)])
    assert can_view_org(viewer, tree["b1"])
    assert not can_manage_members(viewer, tree["b1"])


def test_roots_of_scoped_user(tree, clerk_a, clerk_b):
    both = factories.user(roles=[(tree["a"], Role.CLERK), (tree["b"], Role.CLERK)])
    assert [o.pk for o in organization_roots(both)] == [tree["a"].pk, tree["b"].pk]


def test_path_q_for_many_subtrees_selects_the_same_rows_as_prefix_tests(tree):
    from chibo.models import Organization
    from chibo.permissions import MANY_PATHS, path_q

    roots = [tree["a"].path, tree["commune"].path, tree["q1"].path]
    many = roots + [f"ZZZZ{i:04d}" for i in range(MANY_PATHS)]  # subtrees that hold nothing
    by_prefix = set(Organization.objects.filter(path_q(roots, "path")).values_list("pk", flat=True))
    by_set = set(Organization.objects.filter(path_q(many, "path")).values_list("pk", flat=True))
    assert by_prefix == by_set and tree["a1"].pk in by_set and tree["b"].pk not in by_set
