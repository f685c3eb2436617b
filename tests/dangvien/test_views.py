import pytest
from django.urls import reverse

from dangvien.models import Member
from tests import factories


@pytest.fixture
def client_a(client, clerk_a):
    client.force_login(clerk_a)
    return client


def _form_post(tree, **overrides):
    data = factories.member_data(tree["a1"], **overrides)
    out = {}
    for key, value in data.items():
        if value is None:
            out[key] = ""
        elif hasattr(value, "pk"):
            out[key] = value.pk
        elif hasattr(value, "strftime"):
            out[key] = value.strftime("%d/%m/%Y")
        elif isinstance(value, bool):
            if value:
                out[key] = "on"
        else:
            out[key] = value
    return out


def test_list_query_count_does_not_grow_with_rows(client_a, tree, django_assert_num_queries):
    factories.member(tree["a1"])
    url = reverse("dangvien:list")
    client_a.get(url)  # warm the session / content types
    with django_assert_num_queries(5) as first:
        client_a.get(url)
    for i in range(15):
        factories.member(tree["a2"], full_name=f"Trần Văn Số{i}")
    with django_assert_num_queries(len(first.captured_queries)):
        response = client_a.get(url)
    assert response.status_code == 200
    assert "Trần Văn Số1" in response.content.decode()


def test_deep_page_same_queries(client_a, tree, django_assert_num_queries, settings):
    settings.MEMBER_LIST_PAGE_SIZE = 3
    for i in range(10):
        factories.member(tree["a1"], full_name=f"Lê Văn Tên{i:02d}")
    r1 = client_a.get(reverse("dangvien:list"))
    cursor = r1.context["page"].next_cursor
    with django_assert_num_queries(5):
        r2 = client_a.get(reverse("dangvien:list"), {"after": cursor})
    assert r2.context["page"].items[0].full_name == "Lê Văn Tên03"


def test_detail_query_count_pinned(client_a, tree, django_assert_num_queries):
    m = factories.member(tree["a1"])
    url = reverse("dangvien:detail", args=[m.pk])
    with django_assert_num_queries(10):  # 9 reads (2 of the year-end part) and the access-log row
        response = client_a.get(url)
    assert response.status_code == 200
    from dangvien.services import member_update

    for i in range(5):
        member_update(actor=m.history.first().history_user, member=m, data={"position": f"Vị trí {i}"})
    with django_assert_num_queries(10):
        response = client_a.get(url)
    assert "Vị trí 4" in response.content.decode()


def test_detail_of_neighbour_member_is_404(client, tree, clerk_b):
    m = factories.member(tree["a1"])
    client.force_login(clerk_b)
    assert client.get(reverse("dangvien:detail", args=[m.pk])).status_code == 404
    assert client.get(reverse("dangvien:edit", args=[m.pk])).status_code == 404
    assert client.get(reverse("dangvien:detail", args=[999999])).status_code == 404


def test_board_viewer_sees_detail_but_not_edit(client, tree):
    from chibo.models import Role

    m = factories.member(tree["a1"])
    viewer = factories.user(roles=[(tree["province"], Role.BOARD_VIEWER)])
    client.force_login(viewer)
    assert client.get(reverse("dangvien:detail", args=[m.pk])).status_code == 200
    assert client.get(reverse("dangvien:edit", args=[m.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(reverse("dangvien:list"))
    assert response.status_code == 302 and reverse("taikhoan:login") in response["Location"]


def test_create_through_form(client_a, tree):
    response = client_a.post(reverse("dangvien:create"), _form_post(tree, full_name="Hoàng Thị Mai", gender="female"))
    assert response.status_code == 302
    m = Member.objects.get(full_name="Hoàng Thị Mai")
    assert response["Location"] == reverse("dangvien:detail", args=[m.pk])


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"citizen_id": "12345"}, "citizen_id", "12 chữ số"),
        ({"birth_date": "01/01/2099"}, "birth_date", "sau ngày hôm nay"),
        ({"full_membership_date": "01/01/2005"}, "full_membership_date", "ngày vào Đảng"),
        ({"residence_commune": "99999999"}, "residence_commune", "Không có xã"),
        ({"full_name": "Nguyễn\x01 Văn"}, "full_name", "ký tự điều khiển"),
    ],
)
def test_bad_input_gives_vietnamese_field_error_and_saves_nothing(client_a, tree, overrides, field, fragment):
    data = _form_post(tree)
    data.update(overrides)
    response = client_a.post(reverse("dangvien:create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert fragment.lower() in " ".join(errors[field]).lower(), errors[field]
    assert "Nothing was saved" not in response.content.decode()
    assert not Member.objects.exists()


def test_card_number_taken_through_form(client_a, tree):
    factories.member(tree["a1"], card_number="48012345")
    data = _form_post(tree, card_number="48012345")
    response = client_a.post(reverse("dangvien:create"), data)
    assert "card_number" in response.context["form"].errors
    assert Member.objects.count() == 1


def test_edit_with_reason_shows_in_history(client_a, tree):
    m = factories.member(tree["a1"])
    data = _form_post(tree, citizen_id=m.citizen_id, position="Phó Trưởng phòng")
    data["reason"] = "Quyết định bổ nhiệm số 12"
    response = client_a.post(reverse("dangvien:edit", args=[m.pk]), data)
    assert response.status_code == 302
    page = client_a.get(reverse("dangvien:detail", args=[m.pk])).content.decode()
    assert "Quyết định bổ nhiệm số 12" in page and "Phó Trưởng phòng" in page


def test_clerk_cannot_pick_neighbour_org_in_form(client_a, tree):
    data = _form_post(tree)
    data["organization"] = tree["b1"].pk
    response = client_a.post(reverse("dangvien:create"), data)
    assert "organization" in response.context["form"].errors
    assert not Member.objects.exists()


def test_htmx_search_returns_rows_only(client_a, tree):
    factories.member(tree["a1"], full_name="Nguyễn Văn Đức")
    response = client_a.get(reverse("dangvien:list"), {"q": "nguyen van duc"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Nguyễn Văn Đức" in body and "<html" not in body


def test_search_query_count_does_not_grow_with_rows(client_a, tree, django_assert_num_queries):
    factories.member(tree["a1"], full_name="Nguyễn Văn Đức")
    url = reverse("dangvien:list")
    client_a.get(url, {"q": "nguyen van"})
    # session, user, roles, one vocabulary lookup per query word, the page, the members,
    # the "may add members" check
    with django_assert_num_queries(7) as first:
        client_a.get(url, {"q": "nguyen van"})
    for i in range(12):
        factories.member(tree["a2"], full_name=f"Nguyễn Văn Số{i}")
    with django_assert_num_queries(len(first.captured_queries)):
        response = client_a.get(url, {"q": "nguyen van"})
    page = response.context["page"]
    assert len(page.items) == 13 and page.count == 13 and not page.count_is_lower_bound


def test_history_shows_field_labels_in_vietnamese(client_a, tree):
    from dangvien.services import member_update

    m = factories.member(tree["a1"])
    member_update(actor=m.history.first().history_user, member=m, data={"position": "Trưởng phòng"})
    body = client_a.get(reverse("dangvien:detail", args=[m.pk])).content.decode()
    assert "Chức vụ: Chuyên viên → Trưởng phòng" in body and "<code>position</code>" not in body


def test_history_shows_values_as_people_read_them(client_a, tree):
    from dangvien.services import member_update

    m = factories.member(tree["a1"], status="probationary", full_membership_date=None)
    actor = m.history.first().history_user
    member_update(
        actor=actor,
        member=m,
        data={
            "status": "full",
            "organization": tree["a2"],
            "covered_213": False,
            "full_membership_date": m.admission_date.replace(year=m.admission_date.year + 1),
        },
    )
    body = client_a.get(reverse("dangvien:detail", args=[m.pk])).content.decode()
    assert f"{tree['a1'].name} → {tree['a2'].name}" in body
    assert "probationary" not in body.split('data-testid="history"')[1]
