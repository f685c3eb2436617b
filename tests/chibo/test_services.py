import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.models import Organization, Role
from chibo.services import organization_move, organization_update, role_assign, role_revoke
from dangvien.models import Member
from nhatky.models import AuditEvent
from tests import factories


def test_create_builds_materialized_path_and_audits(tree):
    a1 = tree["a1"]
    assert a1.path.startswith(tree["a"].path) and a1.depth == 3
    assert AuditEvent.objects.filter(action="organization.create", object_id=str(a1.pk)).exists()
    assert a1.search_name == "chi bo van phong"


def test_move_subtree_keeps_members_paths(tree, admin_user):
    m = factories.member(tree["a1"])
    moved = organization_move(actor=admin_user, org=tree["a"], new_parent=tree["other_province"], reason="Sáp nhập")
    assert moved.path.startswith(tree["other_province"].path)
    a1 = Organization.objects.get(pk=tree["a1"].pk)
    assert a1.path.startswith(moved.path)
    assert Member.objects.get(pk=m.pk).org_path == a1.path
    event = AuditEvent.objects.get(action="organization.move", object_id=str(moved.pk))
    assert event.reason == "Sáp nhập"


def test_move_under_own_child_is_refused_and_changes_nothing(tree, admin_user):
    before = Organization.objects.get(pk=tree["a"].pk).path
    with pytest.raises(ValidationError) as exc:
        organization_move(actor=admin_user, org=tree["a"], new_parent=tree["a1"])
    assert "parent" in exc.value.message_dict
    assert Organization.objects.get(pk=tree["a"].pk).path == before


def test_control_characters_in_name_refused(tree, admin_user):
    with pytest.raises(ValidationError) as exc:
        organization_update(actor=admin_user, org=tree["a"], name="Đảng bộ\x00 xấu")
    assert "name" in exc.value.message_dict
    assert Organization.objects.get(pk=tree["a"].pk).name == "Đảng bộ Sở Giáo dục"


def test_update_audits_changes_only(tree, admin_user):
    organization_update(actor=admin_user, org=tree["a"], short_name="ĐU Sở GD")
    event = AuditEvent.objects.filter(action="organization.update").latest("id")
    assert event.changes == {"short_name": ["", "ĐU Sở GD"]}


def test_scoped_admin_may_change_own_subtree_only(tree):
    local_admin = factories.user(roles=[(tree["a"], Role.ADMIN)])
    organization_update(actor=local_admin, org=tree["a1"], short_name="CB VP")
    with pytest.raises(PermissionDenied):
        organization_update(actor=local_admin, org=tree["b"], short_name="x")


def test_clerk_may_not_change_organisations(tree, clerk_a):
    with pytest.raises(PermissionDenied):
        organization_update(actor=clerk_a, org=tree["a1"], short_name="x")


def test_role_assign_is_idempotent_and_revoke_audited(tree, admin_user):
    u = factories.user()
    first = role_assign(actor=admin_user, user=u, organization=tree["a"], role=Role.CLERK)
    second = role_assign(actor=admin_user, user=u, organization=tree["a"], role=Role.CLERK)
    assert first.pk == second.pk
    role_revoke(actor=admin_user, assignment=first, reason="Chuyển công tác")
    assert AuditEvent.objects.filter(action="role.revoke", reason="Chuyển công tác").exists()
