"""The evaluation lists as .xlsx (a branch's forms, the commune's queue, the forms a workplace
received, the requests): the page's rows, Vietnamese headers, the scope, fixed queries."""

import datetime

import pytest
from django.urls import reverse

from chibo.models import Role
from nhanxet.models import Evaluation
from tests import factories
from tests.baocao.conftest import scene  # noqa: F401 (a fixture: every stage of the workflow)
from tests.helpers import query_count, xlsx_column, xlsx_table

from .conftest import drafts_for

pytestmark = pytest.mark.django_db


def test_branch_export_has_a_line_per_form_the_page_lists(client, scene):  # noqa: F811
    s = scene
    client.force_login(s["secretary"])
    rows = client.get(reverse("nhanxet:branch", args=[s["res"].pk, s["year"]])).context["rows"]
    shown = [row.link.member.full_name for row in rows if row.shown]
    response = client.get(reverse("nhanxet:branch_xlsx", args=[s["res"].pk, s["year"]]))
    assert response["Content-Disposition"] == f'attachment; filename="nhan-xet-{s["year"]}-chi-bo-khu-pho-1.xlsx"'
    table = xlsx_table(response)
    assert table["title"] == f"Nhận xét năm {s['year']} — Chi bộ khu phố 1"
    assert table["header"] == (
        "STT",
        "Họ và tên",
        "Chức vụ",
        "Nơi công tác",
        "Phiếu",
        "Nơi xin ý kiến",
        "Hạn trả lời",
        "Trạng thái",
        "Ngày ký",
        "Kết luận, đề nghị",
    )
    # Thứ0's yearly form and the request about him, Thứ1 (signed again after a correction), Thứ3's
    # complete draft (missed a meeting); Thứ4 is exempt (not listed), Thứ2 moved to another branch.
    assert (
        sorted(set(xlsx_column(table, "Họ và tên")))
        == sorted(shown)
        == ["Trần Văn Thứ0", "Trần Văn Thứ1", "Trần Văn Thứ3"]
    )
    lines = {(row[1], row[4]): row for row in table["rows"]}
    assert lines[("Trần Văn Thứ0", "Hằng năm")][7:] == (
        "Đã chuyển nơi công tác",
        datetime.datetime.combine(s["today"], datetime.time()),
        "Đề nghị biểu dương",
    )
    award = lines[("Trần Văn Thứ0", "Khen thưởng")]
    assert award[5:8] == (
        "Đảng bộ Sở Giáo dục",
        datetime.datetime.combine(s["today"] + datetime.timedelta(days=5), datetime.time()),
        "chưa nhận xét",
    )
    assert lines[("Trần Văn Thứ1", "Hằng năm")][7] == "Chi bộ đã ký"
    # Complete, but "Tham gia đầy đủ" after a meeting missed without reason: not signable without a remark.
    assert lines[("Trần Văn Thứ3", "Hằng năm")][7] == "cần giải trình trước khi ký"
    assert len(table["rows"]) == 4


def test_branch_export_is_a_404_where_the_page_is(client, scene):  # noqa: F811
    s = scene
    neighbour = factories.user("sec_q", roles=[(s["res2"], Role.BRANCH_SECRETARY)])
    for user in (neighbour, s["clerk_a"]):
        client.force_login(user)
        assert client.get(reverse("nhanxet:branch", args=[s["res"].pk, s["year"]])).status_code == 404
        assert client.get(reverse("nhanxet:branch_xlsx", args=[s["res"].pk, s["year"]])).status_code == 404


def test_branch_export_queries_do_not_grow_with_forms(client, period):
    client.force_login(period["secretary"])
    url = reverse("nhanxet:branch_xlsx", args=[period["res"].pk, period["year"]])
    few = query_count(client, url)
    drafts_for(period, 20)
    assert query_count(client, url) == few
    assert len(xlsx_table(client.get(url))["rows"]) == 25


def test_commune_export_has_both_queues_of_the_page(client, scene):  # noqa: F811
    from nhanxet import services

    s = scene
    # Thứ3's form signed too (with a remark on the meeting he missed), then confirmed: one form in each queue.
    third = Evaluation.objects.get(member=s["links"][3].member, is_current=True)
    Evaluation.objects.filter(pk=third.pk).update(criterion_remarks={"meetings": "Vắng do ốm, có báo sau"})
    services.evaluations_sign(actor=s["secretary"], branch=s["res"], ids=[third.pk])
    services.evaluations_confirm(actor=s["office"], commune=s["commune"], ids=[third.pk])
    client.force_login(s["office"])
    page = client.get(reverse("nhanxet:commune", args=[s["commune"].pk])).context
    response = client.get(reverse("nhanxet:commune_xlsx", args=[s["commune"].pk]))
    signed, confirmed = xlsx_table(response, 0), xlsx_table(response, 1)
    assert xlsx_column(signed, "Họ và tên") == [f.member.full_name for f in page["signed"]] == ["Trần Văn Thứ1"]
    assert xlsx_column(confirmed, "Họ và tên") == [f.member.full_name for f in page["confirmed"]] == ["Trần Văn Thứ3"]
    assert signed["title"] == "Chờ xác nhận — Đảng bộ phường Thử"
    assert confirmed["title"] == "Chờ chuyển về nơi công tác — Đảng bộ phường Thử"
    assert signed["rows"][0][2:5] == (s["year"], 2, "Chi bộ khu phố 1")  # the corrected version
    assert confirmed["header"][-2:] == ("Ngày xác nhận", "Văn bản") and confirmed["rows"][0][-1]


def test_commune_export_is_a_404_where_the_page_is(client, scene):  # noqa: F811
    s = scene
    for user in (s["clerk_a"], s["secretary"], s["board"]):
        client.force_login(user)
        assert client.get(reverse("nhanxet:commune", args=[s["commune"].pk])).status_code == 404
        assert client.get(reverse("nhanxet:commune_xlsx", args=[s["commune"].pk])).status_code == 404


def test_incoming_export_has_the_forms_of_the_year_on_screen(client, scene):  # noqa: F811
    s = scene
    client.force_login(s["clerk_a"])
    for year in (s["year"], s["year"] - 1):
        forms = client.get(reverse("nhanxet:incoming"), {"year": year}).context["forms"]
        response = client.get(reverse("nhanxet:incoming_xlsx"), {"year": year})
        table = xlsx_table(response)
        assert xlsx_column(table, "Họ và tên") == [f.member.full_name for f in forms]
        assert table["title"] == f"Nhận xét của nơi cư trú năm {year}"
        assert response["Content-Disposition"] == f'attachment; filename="phieu-nhan-xet-{year}.xlsx"'
    assert table["rows"] == []  # nothing came in the year before
    table = xlsx_table(client.get(reverse("nhanxet:incoming_xlsx"), {"year": s["year"]}))
    assert table["rows"] == [
        (
            1,
            "Trần Văn Thứ0",
            "Chi bộ khu phố 1",
            "Hằng năm",
            1,
            None,
            "Đề nghị biểu dương",
            table["rows"][0][7],
            "QĐ 366",
            85,
            "Hoàn thành tốt nhiệm vụ",
            None,
        )
    ]
    assert table["rows"][0][7]  # the confirmed form's document number
    # The neighbouring workplace: an empty list, on the page and in the file.
    client.force_login(s["clerk_b"])
    assert list(client.get(reverse("nhanxet:incoming"), {"year": s["year"]}).context["forms"]) == []
    assert xlsx_table(client.get(reverse("nhanxet:incoming_xlsx"), {"year": s["year"]}))["rows"] == []


def test_requests_export_has_both_lists_of_the_page(client, scene):  # noqa: F811
    s = scene
    for user, received, sent in (
        (s["clerk_a"], [], ["Trần Văn Thứ0"]),
        (s["office"], ["Trần Văn Thứ0"], []),
        (s["secretary"], ["Trần Văn Thứ0"], []),
        (s["clerk_b"], [], []),
    ):
        client.force_login(user)
        page = client.get(reverse("nhanxet:requests")).context
        response = client.get(reverse("nhanxet:requests_xlsx"))
        got_received, got_sent = xlsx_table(response, 0), xlsx_table(response, 1)
        assert xlsx_column(got_received, "Họ và tên") == [r.member.full_name for r in page["received"]] == received
        assert xlsx_column(got_sent, "Họ và tên") == [r.member.full_name for r in page["sent"]] == sent
    assert got_received["title"] == "Phiếu xin ý kiến — Đã nhận (nơi cư trú)"
    assert got_sent["header"] == (
        "STT",
        "Họ và tên",
        "Mục đích",
        "Chi tiết",
        "Chi bộ nơi cư trú",
        "Ngày xin ý kiến",
        "Hạn trả lời",
        "Trạng thái",
    )
    client.force_login(s["clerk_a"])
    sent = xlsx_table(client.get(reverse("nhanxet:requests_xlsx")), 1)["rows"][0]
    assert sent[2:5] == ("Khen thưởng", "Xét khen thưởng", "Chi bộ khu phố 1") and sent[7] == "chưa nhận xét"


def test_pages_link_to_their_export(client, scene):  # noqa: F811
    s = scene
    client.force_login(s["secretary"])
    page = client.get(reverse("nhanxet:branch", args=[s["res"].pk, s["year"]])).content.decode()
    assert f'href="{reverse("nhanxet:branch_xlsx", args=[s["res"].pk, s["year"]])}"' in page
    client.force_login(s["office"])
    page = client.get(reverse("nhanxet:commune", args=[s["commune"].pk])).content.decode()
    assert f'href="{reverse("nhanxet:commune_xlsx", args=[s["commune"].pk])}"' in page
    client.force_login(s["clerk_a"])
    page = client.get(reverse("nhanxet:incoming"), {"year": s["year"] - 1}).content.decode()
    assert f'href="{reverse("nhanxet:incoming_xlsx")}?year={s["year"] - 1}"' in page
    assert f'href="{reverse("nhanxet:requests_xlsx")}"' in client.get(reverse("nhanxet:requests")).content.decode()


def test_commune_incoming_and_requests_exports_queries_do_not_grow(client, period):
    from nhanxet import services

    from .conftest import fill

    def ask(link):
        services.request_create(
            actor=period["clerk_a"],
            member=link.member,
            purpose="other",
            details="Xin ý kiến",
            due_date=datetime.date.today() + datetime.timedelta(days=3),
        )

    signed = [
        services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[fill(period, link).pk])[0]
        for link in period["links"]
    ]
    services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[signed[0].pk])
    services.evaluations_forward(actor=period["office"], commune=period["commune"], ids=[signed[0].pk])
    ask(period["links"][0])
    urls = {
        "office": [reverse("nhanxet:commune_xlsx", args=[period["commune"].pk]), reverse("nhanxet:requests_xlsx")],
        "clerk_a": [reverse("nhanxet:incoming_xlsx") + f"?year={period['year']}", reverse("nhanxet:requests_xlsx")],
    }
    few = {}
    for who, pages in urls.items():
        client.force_login(period[who])
        few[who] = [query_count(client, url) for url in pages]
    ids = [f.pk for f in signed[1:3]]
    services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=ids + [signed[3].pk])
    services.evaluations_forward(actor=period["office"], commune=period["commune"], ids=ids)
    for link in period["links"][1:3]:
        ask(link)
    for who, pages in urls.items():
        client.force_login(period[who])
        assert [query_count(client, url) for url in pages] == few[who]
    assert len(xlsx_table(client.get(urls["clerk_a"][0]))["rows"]) == 3
    assert len(xlsx_table(client.get(urls["clerk_a"][1]), 1)["rows"]) == 3
