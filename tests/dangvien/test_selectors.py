import pytest
from django.http import Http404
from django.test import override_settings

from chibo.models import Role
from dangvien.selectors import member_get, member_list, member_page
from tests import factories


@pytest.fixture
def people(tree):
    names = ["Nguyễn Văn Đức", "Trần Thị Dung", "Lê Văn An", "Phạm Thị Ánh", "Đỗ Văn Bình"]
    out = [factories.member(tree["a1"], full_name=n, gender="female" if "Thị" in n else "male") for n in names]
    out.append(factories.member(tree["b1"], full_name="Nguyễn Văn Bê"))
    return out


def test_list_is_scoped_to_subtree(people, clerk_a, clerk_b):
    assert {m.full_name for m in member_list(clerk_a)} == {p.full_name for p in people[:5]}
    assert [m.full_name for m in member_list(clerk_b)] == ["Nguyễn Văn Bê"]


def test_list_sorted_vietnamese_way(people, clerk_a):
    assert [m.full_name for m in member_list(clerk_a)] == [
        "Lê Văn An",
        "Phạm Thị Ánh",
        "Đỗ Văn Bình",
        "Trần Thị Dung",
        "Nguyễn Văn Đức",
    ]


def test_search_without_diacritics(people, clerk_a, admin_user):
    assert [m.full_name for m in member_list(clerk_a, q="nguyen van duc")] == ["Nguyễn Văn Đức"]
    assert [m.full_name for m in member_list(clerk_a, q="duc")] == ["Nguyễn Văn Đức"]
    assert {m.full_name for m in member_list(admin_user, q="nguyen")} == {"Nguyễn Văn Đức", "Nguyễn Văn Bê"}
    assert [m.full_name for m in member_list(clerk_a, q="Dung")] == ["Trần Thị Dung"]


def test_search_by_citizen_id(people, clerk_a):
    target = people[2]
    assert [m.pk for m in member_list(clerk_a, q=target.citizen_id)] == [target.pk]


def test_filter_by_org_and_status(people, tree, admin_user):
    assert member_list(admin_user, organization=tree["b"]).count() == 1
    assert member_list(admin_user, status="probationary").count() == 0


def test_get_allows_own_and_denies_neighbour(people, clerk_a, clerk_b, tree):
    assert member_get(clerk_a, people[0].pk) == people[0]
    with pytest.raises(Http404):
        member_get(clerk_b, people[0].pk)
    parent_sibling = factories.user(roles=[(tree["other_province"], Role.ADMIN)])
    with pytest.raises(Http404):
        member_get(parent_sibling, people[0].pk)


def test_group_leader_and_branch_secretary_of_residence_do_not_see_workplace_members(people, tree):
    secretary = factories.user(roles=[(tree["res"], Role.BRANCH_SECRETARY)])
    assert member_list(secretary).count() == 0


@override_settings(MEMBER_LIST_PAGE_SIZE=2, MEMBER_LIST_COUNT_LIMIT=4)
def test_keyset_pages_forward_and_back(people, clerk_a):
    qs = member_list(clerk_a)
    p1 = member_page(qs)
    assert [m.full_name for m in p1.items] == ["Lê Văn An", "Phạm Thị Ánh"]
    assert p1.prev_cursor is None and p1.next_cursor
    assert p1.count == 4 and p1.count_is_lower_bound
    p2 = member_page(qs, after=p1.next_cursor)
    assert [m.full_name for m in p2.items] == ["Đỗ Văn Bình", "Trần Thị Dung"]
    p3 = member_page(qs, after=p2.next_cursor)
    assert [m.full_name for m in p3.items] == ["Nguyễn Văn Đức"] and p3.next_cursor is None
    back = member_page(qs, before=p3.prev_cursor)
    assert [m.full_name for m in back.items] == ["Đỗ Văn Bình", "Trần Thị Dung"]
    first = member_page(qs, before=back.prev_cursor)
    assert [m.full_name for m in first.items] == ["Lê Văn An", "Phạm Thị Ánh"] and first.prev_cursor is None


def test_garbage_cursor_is_page_one(people, clerk_a):
    assert member_page(member_list(clerk_a), after="%%%not-base64").items[0].full_name == "Lê Văn An"
