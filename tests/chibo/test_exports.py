"""The meetings list and a branch's members as .xlsx: the page's rows under the same filter,
Vietnamese headers, the scope, a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from chibo.services import meeting_close
from tests import factories
from tests.chibo.test_branch_views import neighbour_secretary  # noqa: F401 (a fixture)
from tests.chibo.test_branches import _mark_all, _schedule
from tests.helpers import query_count, xlsx_column, xlsx_table


@pytest.fixture
def meetings(branch):
    """A meeting held and closed yesterday (one absent with reason, one without) and one scheduled today."""
    held = _schedule(branch, day=datetime.date.today() - datetime.timedelta(days=1))
    _mark_all(branch, held, ["excused", "present", "present", "present", "unexcused"])
    meeting_close(actor=branch["secretary"], meeting=held, minutes="Biên bản")
    coming = _schedule(branch, kind="when_needed")
    return {**branch, "held": held, "coming": coming}


def _when(meeting):
    return timezone.localtime(meeting.starts_at).replace(tzinfo=None)


@pytest.mark.parametrize("status", ["", "closed", "scheduled", "nonsense"])
def test_meetings_export_has_the_rows_of_the_list(client, meetings, status):
    client.force_login(meetings["secretary"])
    params = {"status": status} if status else {}
    listed = list(client.get(reverse("chibo:meetings"), params).context["meetings"])
    table = xlsx_table(client.get(reverse("chibo:meetings_xlsx"), params))
    assert xlsx_column(table, "Ngày giờ") == [_when(m) for m in listed]
    expected = {"": 2, "closed": 1, "scheduled": 1, "nonsense": 2}[status]
    assert len(listed) == expected
    assert table["title"] == "Sinh hoạt của các chi bộ nơi cư trú"
    assert (
        table["notes"]
        == {
            "": [],
            "closed": ["Lọc theo: Trạng thái: Đã kết thúc"],
            "scheduled": ["Lọc theo: Trạng thái: Đã lên lịch"],
            "nonsense": [],
        }[status]
    )


def test_meetings_export_columns(client, meetings):
    client.force_login(meetings["office"])
    response = client.get(reverse("chibo:meetings_xlsx"), {"status": "closed"})
    assert response["Content-Disposition"] == 'attachment; filename="sinh-hoat-closed.xlsx"'
    table = xlsx_table(response)
    assert table["header"] == (
        "STT",
        "Ngày giờ",
        "Chi bộ",
        "Loại buổi sinh hoạt",
        "Địa điểm",
        "Có mặt",
        "Vắng",
        "Tổng số đảng viên",
        "Trạng thái",
    )
    held = meetings["held"]
    assert table["rows"] == [
        (
            1,
            _when(held),
            "Chi bộ khu phố 1",
            f"Định kỳ (6 tháng một lần) {held.half}/{held.year}",
            "Nhà văn hóa khu phố 1",
            3,
            2,
            5,
            "Đã kết thúc",
        )
    ]
    assert table["cells"][0][1].number_format == "DD/MM/YYYY HH:MM"


def test_meetings_export_is_scoped_like_the_list(client, meetings, neighbour_secretary):  # noqa: F811
    for user in (neighbour_secretary, meetings["clerk_a"], meetings["leader"]):
        client.force_login(user)
        assert list(client.get(reverse("chibo:meetings")).context["meetings"]) == []
        assert xlsx_table(client.get(reverse("chibo:meetings_xlsx")))["rows"] == []


def test_meetings_export_queries_do_not_grow_with_rows(client, meetings, django_assert_num_queries):
    client.force_login(meetings["secretary"])
    url = reverse("chibo:meetings_xlsx")
    client.get(url)
    with django_assert_num_queries(4) as few:  # the session with its user, the roles, the meetings, the access log
        client.get(url)
    for day in range(2, 8):
        _schedule(meetings, day=datetime.date.today() + datetime.timedelta(days=day))
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(xlsx_table(client.get(url))["rows"]) == 8


def test_branch_members_export_has_the_rows_of_the_page(client, branch):
    client.force_login(branch["secretary"])
    links = client.get(reverse("chibo:branch", args=[branch["res"].pk])).context["links"]
    response = client.get(reverse("chibo:branch_xlsx", args=[branch["res"].pk]))
    assert response["Content-Disposition"] == 'attachment; filename="dang-vien-chi-bo-khu-pho-1.xlsx"'
    table = xlsx_table(response)
    assert table["title"] == "Đảng viên đang công tác được phân công về chi bộ — Chi bộ khu phố 1"
    assert xlsx_column(table, "Họ và tên") == [link.member.full_name for link in links]
    assert len(links) == 5
    assert table["header"][1:8] == (
        "Họ và tên",
        "Ngày sinh",
        "Chức vụ",
        "Nơi công tác",
        "Số điện thoại",
        "Địa chỉ nơi cư trú",
        "Tổ",
    )
    assert set(xlsx_column(table, "Trạng thái")) == {"Đã được tiếp nhận"}
    assert set(xlsx_column(table, "Số lần liên tiếp vắng không lý do")) == {0}


def test_branch_members_export_is_a_404_outside_the_scope(client, branch, neighbour_secretary):  # noqa: F811
    url = reverse("chibo:branch_xlsx", args=[branch["res"].pk])
    page = reverse("chibo:branch", args=[branch["res"].pk])
    for user in (branch["clerk_a"], neighbour_secretary, branch["leader"]):
        client.force_login(user)
        assert client.get(page).status_code == 404
        assert client.get(url).status_code == 404
    client.force_login(branch["office"])
    assert len(xlsx_table(client.get(url))["rows"]) == 5


def test_branch_members_export_queries_do_not_grow_with_rows(client, branch):
    client.force_login(branch["secretary"])
    url = reverse("chibo:branch_xlsx", args=[branch["res"].pk])
    few = query_count(client, url)
    members = [factories.member(branch["a1"], full_name=f"Phạm Văn Số{i}", commune_code=70) for i in range(20)]
    factories.links_like(branch["links"][0], members, branch["res"])
    assert query_count(client, url) == few
    assert len(xlsx_table(client.get(url))["rows"]) == 25


def test_pages_link_to_their_export(client, meetings):
    client.force_login(meetings["secretary"])
    page = client.get(reverse("chibo:meetings"), {"status": "closed"}).content.decode()
    assert f'href="{reverse("chibo:meetings_xlsx")}?status=closed"' in page
    page = client.get(reverse("chibo:branch", args=[meetings["res"].pk])).content.decode()
    assert f'href="{reverse("chibo:branch_xlsx", args=[meetings["res"].pk])}"' in page
    page = client.get(reverse("chibo:meeting", args=[meetings["held"].pk])).content.decode()
    assert f'href="{reverse("chibo:meeting_xlsx", args=[meetings["held"].pk])}"' in page
