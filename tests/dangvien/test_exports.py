"""The member list and the residence-contact inboxes as .xlsx: the rows the page lists under the same
filters (every page of them), Vietnamese headers, the scope, a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from chibo.models import Role
from tests import factories
from tests.helpers import xlsx_column, xlsx_table

LIST = "dangvien:list"
EXPORT = "dangvien:list_xlsx"


@pytest.fixture
def people(tree):
    """Four members under workplace A (one probationary, one not covered), one under its neighbour B."""
    return {
        "an": factories.member(tree["a1"], full_name="Nguyễn Văn An", birth_date=datetime.date(1980, 2, 29)),
        "binh": factories.member(
            tree["a1"], full_name="Trần Thị Bình", gender="female", status="probationary", full_membership_date=None
        ),
        "cuong": factories.member(tree["a2"], full_name="Trần Văn Cường", covered_213=False),
        "dung": factories.member(tree["a2"], full_name="Lê Văn Dũng", card_number=None),
        "em": factories.member(tree["b1"], full_name="Trần Văn Em"),
    }


def _listed(client, params) -> list:
    """Every name the list shows for `params`, following its pages."""
    names, after = [], ""
    while True:
        page = client.get(reverse(LIST), {**params, **({"after": after} if after else {})}).context["page"]
        names += [m.full_name for m in page.items]
        if not page.next_cursor:
            return names
        after = page.next_cursor


def _exported(client, params) -> dict:
    return xlsx_table(client.get(reverse(EXPORT), params))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "probationary"},
        {"covered": "0"},
        {"covered": "1", "status": "full"},
        {"q": "tran"},  # the name-word index (on PostgreSQL), first letters of a word
        {"q": "tran van"},
        {"q": "nguyen van an"},
        {"q": "0330"},  # digits: citizen ID, card or phone
        {"q": "khong co ai"},
    ],
)
def test_members_export_has_the_rows_of_every_page_of_the_list(client, tree, clerk_a, people, settings, params):
    settings.MEMBER_LIST_PAGE_SIZE = 1  # the page shows one member: the export still has all
    client.force_login(clerk_a)
    for scope in ({}, {"org": tree["a2"].pk}):
        listed = _listed(client, {**params, **scope})
        assert xlsx_column(_exported(client, {**params, **scope}), "Họ và tên") == listed
        assert "Trần Văn Em" not in listed


def test_members_export_names_the_list_its_filters_and_its_columns(client, tree, clerk_a, people):
    client.force_login(clerk_a)
    response = client.get(reverse(EXPORT), {"org": tree["a1"].pk, "status": "probationary", "q": "binh"})
    assert response["Content-Disposition"] == 'attachment; filename="dang-vien-chi-bo-van-phong.xlsx"'
    table = xlsx_table(response)
    assert table["title"] == "Đảng viên — Chi bộ Văn phòng"
    assert table["notes"] == ["Lọc theo: Tìm kiếm: binh; Trạng thái: Dự bị"]
    assert table["header"][:6] == (
        "STT",
        "Họ và tên",
        "Giới tính",
        "Ngày sinh",
        "Số định danh cá nhân (CCCD)",
        "Số thẻ đảng viên",
    )
    assert "Địa chỉ nơi cư trú" in table["header"] and "Thuộc diện QĐ 213" in table["header"]
    assert table["rows"] == [
        (
            1,
            "Trần Thị Bình",
            "Nữ",
            datetime.datetime(1985, 3, 12),
            people["binh"].citizen_id,
            None,
            datetime.datetime(2010, 5, 19),
            None,
            "Dự bị",
            "Chi bộ Văn phòng",
            "Chuyên viên",
            "Sở Y tế",
            "0912345678",
            None,
            "Số 12 Hàng Bài, Tổ dân phố 5, Phường Hoàn Kiếm, Thành phố Hà Nội",
            "có",
        )
    ]
    birth = table["cells"][0][table["header"].index("Ngày sinh")]
    assert birth.number_format == "DD/MM/YYYY"
    assert table["sheet"]["A1"].font.b and table["sheet"]["A4"].font.b  # the title; the header under the filters
    assert table["sheet"].freeze_panes == "A5"
    everyone = xlsx_table(client.get(reverse(EXPORT)))
    assert everyone["title"] == "Đảng viên" and everyone["notes"] == []
    assert everyone["sheet"]["A2"].value == "STT" and everyone["sheet"].freeze_panes == "A3"
    assert xlsx_column(everyone, "STT") == [1, 2, 3, 4]


def test_list_pages_link_to_their_export_with_the_filters_on_screen(client, inbox):
    client.force_login(inbox["clerk"])
    params = {"status": "probationary", "q": "tran"}
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):  # the search box re-renders the rows (and the link)
        page = client.get(reverse(LIST), {**params, "after": "x"}, **headers).content.decode()
        assert f'href="{reverse(EXPORT)}?status=probationary&amp;q=tran"' in page
    page = client.get(reverse("dangvien:workplace_inbox"), {"state": "received"}).content.decode()
    assert f'href="{reverse("dangvien:workplace_inbox_xlsx")}?state=received"' in page
    client.force_login(inbox["office"])
    page = client.get(reverse("dangvien:residence_inbox"), {"state": "notices"}).content.decode()
    assert f'href="{reverse("dangvien:residence_inbox_xlsx")}?state=notices"' in page


def test_members_export_is_scoped_like_the_list(client, tree, clerk_b, people):
    client.force_login(clerk_b)
    # Another workplace's organisation: the same 404 as the list.
    assert client.get(reverse(LIST), {"org": tree["a"].pk}).status_code == 404
    assert client.get(reverse(EXPORT), {"org": tree["a"].pk}).status_code == 404
    assert xlsx_column(_exported(client, {}), "Họ và tên") == _listed(client, {}) == ["Trần Văn Em"]
    assert xlsx_column(_exported(client, {"q": "tran"}), "Họ và tên") == ["Trần Văn Em"]
    client.logout()
    assert client.get(reverse(EXPORT)).status_code == 302  # to the login page


@pytest.mark.parametrize("params", [{}, {"q": "tran van"}])
def test_members_export_queries_do_not_grow_with_rows(client, tree, clerk_a, people, django_assert_num_queries, params):
    client.force_login(clerk_a)
    client.get(reverse(EXPORT), params)
    # the session with its user, the roles, (one vocabulary lookup per search word), the members
    with django_assert_num_queries(4 if not params else 6) as few:  # with the access-log row
        client.get(reverse(EXPORT), params)
    for i in range(30):
        factories.member(tree["a2"], full_name=f"Trần Văn Số{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        table = _exported(client, params)
    assert len(table["rows"]) == (34 if not params else 31)


def test_members_export_is_cut_at_the_row_cap(client, tree, clerk_a, people, monkeypatch):
    monkeypatch.setattr("common.xlsx.MAX_ROWS", 2)
    client.force_login(clerk_a)
    rows = _exported(client, {})["rows"]
    assert [row[0] for row in rows[:2]] == [1, 2]
    assert rows[2][0] == "Danh sách dừng ở 2 dòng: hãy chọn tổ chức nhỏ hơn."
    assert len(rows) == 3


# ---- the inboxes ---------------------------------------------------------------------------


@pytest.fixture
def inbox(setup):
    """Workplace A issued four letters; the commune received two of them; one of those moved house."""
    from dangvien.services import change_notice_issue, letter_issue, link_receive

    letter_issue(actor=setup["clerk"], member=setup["member"])
    for i in range(3):
        member = factories.member(setup["a2"], full_name=f"Lê Văn Thứ{i}", commune_code=70)
        link = letter_issue(actor=setup["clerk"], member=member)
        if i:
            link_receive(actor=setup["office"], link=link, received_date=datetime.date.today(), branch=setup["res"])
    change_notice_issue(
        actor=setup["clerk"], member=member, kind="moved_house", effective_date=datetime.date(2026, 2, 1)
    )
    return setup


def _inbox_rows(client, page, export, state):
    response = client.get(reverse(page), {"state": state} if state else {})
    rows = response.context["notices"] if state == "notices" else response.context["links"]
    table = xlsx_table(client.get(reverse(export), {"state": state} if state else {}))
    return [row.member.full_name for row in rows], table


@pytest.mark.parametrize("state", ["", "letter_issued", "received", "active", "notices", "nonsense"])
def test_workplace_inbox_export_has_the_tab_on_screen(client, inbox, state):
    client.force_login(inbox["clerk"])
    listed, table = _inbox_rows(client, "dangvien:workplace_inbox", "dangvien:workplace_inbox_xlsx", state)
    assert xlsx_column(table, "Họ và tên") == listed
    if state == "notices":
        assert listed == ["Lê Văn Thứ2"]
        assert table["title"] == "Liên hệ nơi cư trú của đảng viên — Thông báo thay đổi"
        assert table["rows"][0][2:5] == ("Chuyển nơi cư trú", None, datetime.datetime(2026, 2, 1))
    elif state in ("", "letter_issued"):
        assert sorted(listed) == ["Lê Văn Thứ0", "Nguyễn Văn Đức"]
        assert table["notes"] == ["Lọc theo: Trạng thái: Đã cấp giấy giới thiệu"]
        assert "Giấy giới thiệu" in table["header"] and "Ngày cấp giấy giới thiệu" in table["header"]
        assert all(xlsx_column(table, "Giấy giới thiệu")) and all(xlsx_column(table, "Ngày cấp giấy giới thiệu"))
    elif state == "received":
        assert listed == ["Lê Văn Thứ1"]  # Thứ2 moved house: the link ended
        assert set(xlsx_column(table, "Ngày nhận")) == {
            datetime.datetime.combine(datetime.date.today(), datetime.time())
        }
        assert set(xlsx_column(table, "Chi bộ nơi cư trú")) == {"Chi bộ khu phố 1"}


@pytest.mark.parametrize("state", ["", "received", "notices"])
def test_residence_inbox_export_has_the_tab_on_screen(client, inbox, state):
    client.force_login(inbox["office"])
    listed, table = _inbox_rows(client, "dangvien:residence_inbox", "dangvien:residence_inbox_xlsx", state)
    assert xlsx_column(table, "Họ và tên") == listed and listed
    assert table["title"].startswith("Giấy giới thiệu gửi đến đảng ủy xã/phường")


def test_inbox_exports_are_scoped_like_the_pages(client, inbox):
    """The neighbouring workplace office sees none of A's links, on the page or in the file."""
    client.force_login(inbox["neighbour"])
    for state in ("letter_issued", "received", "notices"):
        listed, table = _inbox_rows(client, "dangvien:workplace_inbox", "dangvien:workplace_inbox_xlsx", state)
        assert listed == [] and table["rows"] == []
        listed, table = _inbox_rows(client, "dangvien:residence_inbox", "dangvien:residence_inbox_xlsx", state)
        assert listed == [] and table["rows"] == []
    other_commune = factories.user("office_q", roles=[(inbox["q1"], Role.CLERK)])
    client.force_login(other_commune)
    assert xlsx_table(client.get(reverse("dangvien:residence_inbox_xlsx"), {"state": "received"}))["rows"] == []


def test_inbox_export_queries_do_not_grow_with_rows(client, inbox, django_assert_num_queries):
    from dangvien.services import letter_issue

    client.force_login(inbox["clerk"])
    url = reverse("dangvien:workplace_inbox_xlsx")
    client.get(url)
    with django_assert_num_queries(4) as few:  # the session with its user, the roles, the links, the access log
        client.get(url)
    for i in range(5):
        letter_issue(actor=inbox["clerk"], member=factories.member(inbox["a1"], full_name=f"Hồ Văn Số{i}"))
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(xlsx_table(client.get(url))["rows"]) == 7


def test_absence_notices_export_one_row_per_absent_member(client, branch):
    from chibo.services import meeting_close
    from tests.chibo.test_branches import _mark_all, _schedule
    from tests.helpers import meeting_held

    meeting = meeting_held(_schedule(branch))
    _mark_all(branch, meeting, ["excused", "present", "present", "present", "unexcused"])
    meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản")
    for clerk, absent in ((branch["clerk_a"], ["Trần Văn Thứ0"]), (branch["clerk_b"], ["Trần Văn Thứ4"])):
        client.force_login(clerk)
        page = client.get(reverse("dangvien:workplace_inbox"), {"state": "absences"}).context["absences"]
        listed = [row["full_name"] for notice in page for row in notice.document.snapshot["extra"]["absent"]]
        table = xlsx_table(client.get(reverse("dangvien:workplace_inbox_xlsx"), {"state": "absences"}))
        assert xlsx_column(table, "Họ và tên") == listed == absent
        assert xlsx_column(table, "Chi bộ nơi cư trú") == ["Chi bộ khu phố 1"]
        assert table["title"] == "Liên hệ nơi cư trú của đảng viên — Vắng sinh hoạt nơi cư trú"
