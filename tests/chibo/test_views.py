from django.urls import reverse

from chibo.models import Organization


def test_tree_and_detail_for_clerk(client, tree, clerk_a):
    client.force_login(clerk_a)
    body = client.get(reverse("chibo:tree")).content.decode()
    assert tree["a"].name in body and tree["b"].name not in body
    detail = client.get(reverse("chibo:detail", args=[tree["a"].pk])).content.decode()
    assert tree["a1"].name in detail and tree["a2"].name in detail
    children = client.get(reverse("chibo:children", args=[tree["a"].pk])).content.decode()
    assert tree["a1"].name in children


def test_neighbour_org_is_404(client, tree, clerk_a):
    client.force_login(clerk_a)
    assert client.get(reverse("chibo:detail", args=[tree["b"].pk])).status_code == 404
    assert client.get(reverse("chibo:children", args=[tree["b"].pk])).status_code == 404


def test_org_detail_query_count_pinned(client, tree, admin_user, django_assert_num_queries):
    client.force_login(admin_user)
    with django_assert_num_queries(5):
        client.get(reverse("chibo:detail", args=[tree["province"].pk]))


def test_commune_search_view(client, tree, clerk_a):
    client.force_login(clerk_a)
    body = client.get(reverse("chibo:commune_search"), {"q": "pho hien", "target": "id_x"}).content.decode()
    assert "Phường Phố Hiến" in body and 'data-target="id_x"' in body


def _admin_form(org, **overrides):
    """The admin change form as posted, with empty inlines."""
    data = {
        "kind": org.kind_id,
        "side": org.side,
        "name": org.name,
        "short_name": "",
        "superior_name": "",
        "commune": "",
        "is_active": "on",
        "move_reason": "",
        "doc_symbol_format": "{number}-{code}/{abbr}",
        "place_name": "Hưng Yên",
        "signatories-TOTAL_FORMS": 0,
        "signatories-INITIAL_FORMS": 0,
        "role_assignments-TOTAL_FORMS": 0,
        "role_assignments-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_admin_moves_subtree_and_refuses_cycle(client, tree, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:chibo_organization_change", args=[tree["a"].pk])
    a = tree["a"]
    data = _admin_form(a, parent=tree["a1"].pk, doc_abbreviation="ĐU")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    data["parent"] = tree["other_province"].pk
    data["move_reason"] = "Điều chỉnh tổ chức"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Organization.objects.get(pk=a.pk).path.startswith(tree["other_province"].path)


def test_a_control_character_in_the_move_reason_is_shown_at_the_field(client, tree, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:chibo_organization_change", args=[tree["a"].pk])
    data = _admin_form(tree["a"], parent=tree["other_province"].pk, doc_abbreviation="ĐU")
    data["move_reason"] = "Điều chỉnh\x07"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "move_reason" in response.context["adminform"].form.errors
    assert not Organization.objects.get(pk=tree["a"].pk).path.startswith(tree["other_province"].path)


def test_admin_creates_child(client, tree, admin_user):
    client.force_login(admin_user)
    data = _admin_form(tree["a1"], parent=tree["a"].pk, name="Chi bộ Mới", doc_abbreviation="CB", side="workplace")
    response = client.post(reverse("admin:chibo_organization_add"), data)
    assert response.status_code == 302
    new = Organization.objects.get(name="Chi bộ Mới")
    assert Organization.objects.get_parent(new) == tree["a"]


def test_scoped_admin_sees_own_subtree_in_admin_only(client, tree):
    from chibo.models import Role
    from tests import factories

    local_admin = factories.user("local_admin", roles=[(tree["a"], Role.ADMIN)])
    local_admin.refresh_from_db()
    assert local_admin.is_staff
    client.force_login(local_admin)
    changelist = client.get(reverse("admin:chibo_organization_changelist"))
    assert changelist.status_code == 200
    names = {o.name for o in changelist.context["cl"].result_list}
    assert names == {tree["a"].name, tree["a1"].name, tree["a2"].name}
    allowed = client.get(reverse("admin:chibo_organization_change", args=[tree["a1"].pk]))
    assert allowed.status_code == 200
    denied = client.get(reverse("admin:chibo_organization_change", args=[tree["b1"].pk]))
    assert denied.status_code == 302  # the admin's "does not exist" redirect, same as a missing id
    missing = client.get(reverse("admin:chibo_organization_change", args=[999999]))
    assert missing.status_code == denied.status_code


def test_clerk_has_no_admin(client, tree, clerk_a):
    client.force_login(clerk_a)
    assert client.get(reverse("admin:index")).status_code == 302
