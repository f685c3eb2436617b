import pytest
from django.http import Http404
from django.test import override_settings

from chibo.models import Role
from dangvien.models import MemberNameWord
from dangvien.selectors import member_find, member_get, member_list, member_page
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


# ---- the word-index search behind the list page (PostgreSQL) ----------------------


def _names(page):
    return [m.full_name for m in page.items]


def test_find_matches_word_prefixes_in_vietnamese_order(people, clerk_a, admin_user):
    assert _names(member_find(clerk_a, q="nguyen van duc")) == ["Nguyễn Văn Đức"]
    assert _names(member_find(clerk_a, q="ng van d")) == ["Nguyễn Văn Đức"]
    assert _names(member_find(admin_user, q="nguyen")) == ["Nguyễn Văn Bê", "Nguyễn Văn Đức"]
    assert _names(member_find(clerk_a, q="van")) == ["Lê Văn An", "Đỗ Văn Bình", "Nguyễn Văn Đức"]
    assert _names(member_find(clerk_a, q="THỊ")) == ["Phạm Thị Ánh", "Trần Thị Dung"]


def test_full_words_before_the_last_are_exact(tree, clerk_a):
    for name in ("Trần Thị Thịnh", "Trần Thịnh An", "Lê Thị Trang"):
        factories.member(tree["a1"], full_name=name, gender="female")
    # "tran" typed in full is the family name Trần, not the given name Trang; "thi" is still being typed.
    assert _names(member_find(clerk_a, q="tran thi")) == ["Trần Thịnh An", "Trần Thị Thịnh"]
    assert _names(member_find(clerk_a, q="thi tran")) == ["Trần Thị Thịnh", "Lê Thị Trang"]
    assert _names(member_find(clerk_a, q="tra")) == ["Trần Thịnh An", "Trần Thị Thịnh", "Lê Thị Trang"]


def test_find_is_word_prefix_not_substring(people, clerk_a):
    # "an" starts the given name An and Ánh, but is only inside "Văn", "Đoàn" …
    assert _names(member_find(clerk_a, q="an")) == ["Lê Văn An", "Phạm Thị Ánh"]
    assert _names(member_find(clerk_a, q="xyz")) == []
    assert member_find(clerk_a, q="xyz").count == 0


def test_find_is_scoped(people, clerk_a, clerk_b, tree):
    assert _names(member_find(clerk_b, q="nguyen")) == ["Nguyễn Văn Bê"]
    assert _names(member_find(clerk_a, q="be")) == []
    secretary = factories.user(roles=[(tree["res"], Role.BRANCH_SECRETARY)])
    assert _names(member_find(secretary, q="nguyen")) == []


def test_find_with_filters(people, tree, admin_user):
    assert _names(member_find(admin_user, q="nguyen", organization=tree["b"])) == ["Nguyễn Văn Bê"]
    assert _names(member_find(admin_user, q="nguyen", status="probationary")) == []
    assert _names(member_find(admin_user, q="nguyen", covered=True)) == ["Nguyễn Văn Bê", "Nguyễn Văn Đức"]


def test_find_pages_forward_and_back(people, clerk_a):
    p1 = member_find(clerk_a, q="v", size=1)
    # A search counts only what fits on the page, then says "more than".
    assert _names(p1) == ["Lê Văn An"] and p1.count == 1 and p1.count_is_lower_bound
    p2 = member_find(clerk_a, q="v", size=1, after=p1.next_cursor)
    p3 = member_find(clerk_a, q="v", size=1, after=p2.next_cursor)
    assert _names(p2) == ["Đỗ Văn Bình"] and _names(p3) == ["Nguyễn Văn Đức"] and p3.next_cursor is None
    back = member_find(clerk_a, q="v", size=1, before=p3.prev_cursor)
    assert _names(back) == ["Đỗ Văn Bình"]


def test_rename_and_move_keep_the_word_index(people, tree, admin_user):
    from chibo.services import organization_move
    from dangvien.services import member_update

    duc = people[0]
    member_update(actor=admin_user, member=duc, data={"full_name": "Nguyễn Văn Đạt"}, reason="Cải chính")
    assert _names(member_find(admin_user, q="dat")) == ["Nguyễn Văn Đạt"]
    assert _names(member_find(admin_user, q="duc")) == []
    organization_move(actor=admin_user, org=tree["a"], new_parent=tree["other_province"])
    moved_path = tree["a1"].__class__.objects.get(pk=tree["a1"].pk).path
    assert set(MemberNameWord.objects.filter(member=duc).values_list("org_path", flat=True)) == {moved_path}
    clerk_other = factories.user(roles=[(tree["other_province"], Role.CLERK)])
    assert _names(member_find(clerk_other, q="dat")) == ["Nguyễn Văn Đạt"]
