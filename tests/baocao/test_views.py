"""The dashboard, its drill-downs and exports: scope, content and fixed query counts."""

import io

import openpyxl
import pytest
from django.urls import reverse

from baocao.services import figures_refresh
from chibo.models import Role
from tests import factories


@pytest.fixture
def refreshed(scene):
    figures_refresh(year=scene["year"])
    return scene


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_board_sees_its_province_with_children_and_drill_links(client, refreshed):
    s = refreshed
    response = _get(client, s["board"], reverse("baocao:org", args=[s["province"].pk]), year=s["year"])
    assert response.status_code == 200
    html = response.content.decode()
    board = response.context["board"]
    assert board.f["covered"] == 7 and board.f["signed"] == 2
    assert "Đảng bộ Sở Giáo dục" in html and "Đảng bộ phường Thử" in html
    assert "Đảng bộ tỉnh Bên Cạnh" not in html
    assert "cập nhật lúc" in html
    # Each count opens the members behind it, for this organisation or a child.
    assert reverse("baocao:members", args=[s["province"].pk, "forms_missing"]) in html
    assert reverse("baocao:members", args=[s["a"].pk, "covered"]) in html
    # The charts are drawn on the server and described in words.
    assert "<svg" in html and 'role="img"' in html and "<desc" in html
    titles = [c.title for c in response.context["charts"]]
    assert "Tỷ lệ giới thiệu đúng hạn theo tổ chức (%)" in titles
    # Workplace A: X is not yet late, so all of its 4 to introduce are on time.
    on_time = next(c for c in response.context["charts"] if c.id == "chart-on-time")
    assert ("Đảng bộ Sở Giáo dục", 100.0) in [(b.label, b.value) for b in on_time.bars]


def test_the_reports_link_opens_the_users_own_organisation(client, refreshed):
    s = refreshed
    response = _get(client, s["board"], reverse("baocao:dashboard"), year=s["year"])
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("baocao:org", args=[s["province"].pk])
    )
    nobody = factories.user("nobody")
    assert _get(client, nobody, reverse("baocao:dashboard")).status_code == 200


@pytest.mark.parametrize("who", ["neighbour_board", "clerk_b"])
def test_outside_the_scope_is_a_404_everywhere(client, refreshed, who):
    s = refreshed
    user = s[who]
    target = s["province"] if who == "clerk_b" else s["a"]
    for url in (
        reverse("baocao:org", args=[target.pk]),
        reverse("baocao:xlsx", args=[target.pk]),
        reverse("baocao:members", args=[target.pk, "covered"]),
        reverse("baocao:members_xlsx", args=[target.pk, "covered"]),
    ):
        assert _get(client, user, url, year=s["year"]).status_code == 404, url


def test_a_workplace_office_sees_its_own_members_and_where_they_live(client, refreshed):
    s = refreshed
    response = _get(client, s["clerk_a"], reverse("baocao:org", args=[s["a"].pk]), year=s["year"])
    assert response.status_code == 200
    board = response.context["board"]
    assert board.f["covered"] == 5 and board.f["introduced"] == 3
    places = response.context["places"]
    assert sum(p["held"] for p in places) == 3
    assert "Nơi cư trú của đảng viên" in response.content.decode()


def test_drill_down_lists_members_and_refuses_unknown_figures(client, refreshed):
    s = refreshed
    url = reverse("baocao:members", args=[s["province"].pk, "forms_missing"])
    response = _get(client, s["board"], url, year=s["year"])
    assert response.status_code == 200
    assert [m.pk for m, _open in response.context["rows"]] == [s["mover"].pk]
    assert "Chi bộ khu phố 2" in response.content.decode()
    # The province's board may open his record; the commune office where he lives may not, his
    # workplace office may.
    assert response.context["rows"][0][1] is True
    commune_list = reverse("baocao:members", args=[s["commune"].pk, "forms_missing"])
    assert _get(client, s["office"], commune_list, year=s["year"]).context["rows"] == [(s["mover"], False)]
    response = _get(client, s["clerk_a"], reverse("baocao:members", args=[s["a"].pk, "covered"]), year=s["year"])
    assert all(can_open for _m, can_open in response.context["rows"])
    assert _get(client, s["board"], reverse("baocao:members", args=[s["province"].pk, "nonsense"])).status_code == 404
    # Keys that look like a figure but are none: an unknown scheme or level, a band out of range or
    # written in other digits, a category no pack has.
    for key in (
        "rating.qd999.good",
        "rating.qd366.best",
        "score.qd366.10",
        "score.qd366.²",
        "score.qd124.0",
        "exempt.x",
    ):
        assert _get(client, s["board"], reverse("baocao:members", args=[s["province"].pk, key])).status_code == 404


def test_dashboard_and_list_export_to_xlsx(client, refreshed):
    s = refreshed
    response = _get(client, s["board"], reverse("baocao:xlsx", args=[s["province"].pk]), year=s["year"])
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    table = list(book.worksheets[1].iter_rows(values_only=True))
    header, rows, total = table[0], table[1:-1], table[-1]
    covered = header.index("Thuộc diện")
    assert {r[0]: r[covered] for r in rows}["Đảng bộ Sở Giáo dục"] == 5
    assert total[covered] == 7
    response = _get(
        client, s["board"], reverse("baocao:members_xlsx", args=[s["province"].pk, "covered"]), year=s["year"]
    )
    names = [
        r[1] for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True)
    ]
    assert sorted(names) == sorted(
        [
            "Trần Văn Thứ0",
            "Trần Văn Thứ1",
            "Trần Văn Thứ2",
            "Trần Văn Thứ3",
            "Trần Văn Thứ4",
            "Phạm Thị Xuân",
            "Vũ Văn Yên",
        ]
    )


def test_query_counts_are_fixed(client, refreshed, django_assert_num_queries):
    s = refreshed
    board = s["board"]
    client.force_login(board)
    url = reverse("baocao:org", args=[s["province"].pk])
    client.get(url, {"year": s["year"]})
    # A workplace-side committee adds one: where its members live. One reads the rating schemes,
    # one the exemption categories of the regulation packs.
    with django_assert_num_queries(12):
        client.get(url, {"year": s["year"]})
    # More child organisations do not add queries.
    for n in range(5):
        factories.org(s["province"], name=f"Đảng bộ thêm {n}")
    with django_assert_num_queries(12):
        client.get(url, {"year": s["year"]})
    members = reverse("baocao:members", args=[s["province"].pk, "covered"])
    # (The reminder rules are read only by the figures that count days: not "covered".)
    with django_assert_num_queries(6):
        client.get(members, {"year": s["year"]})


def test_a_branch_secretary_sees_the_branch_figures(client, refreshed):
    s = refreshed
    response = _get(client, s["secretary"], reverse("baocao:org", args=[s["res"].pk]), year=s["year"])
    assert response.status_code == 200 and response.context["board"].f["residing"] == 4
    leader = factories.user("leader2", roles=[(s["res"], Role.GROUP_LEADER)])
    assert _get(client, leader, reverse("baocao:org", args=[s["res"].pk])).status_code == 404


def test_the_national_administrator_sees_the_whole_country(client, refreshed, admin_user):
    s = refreshed
    response = _get(client, admin_user, reverse("baocao:dashboard"), year=s["year"])
    assert response.status_code == 302 and response["Location"].startswith(reverse("baocao:org", args=[0]))
    response = _get(client, admin_user, reverse("baocao:org", args=[0]), year=s["year"])
    board = response.context["board"]
    assert board.org.name == "Toàn quốc" and board.f["covered"] == 7
    assert [c.org for c in board.children] == [s["province"], s["other_province"]]
    drill = _get(client, admin_user, reverse("baocao:members", args=[0, "residing"]), year=s["year"])
    assert drill.context["page"].paginator.count == 5
    # A board over two provinces sees both together; someone with no role has nothing to sum.
    both = factories.user(
        "board2", roles=[(s["province"], Role.BOARD_VIEWER), (s["other_province"], Role.BOARD_VIEWER)]
    )
    board = _get(client, both, reverse("baocao:org", args=[0]), year=s["year"]).context["board"]
    assert board.org.name == "Tất cả tổ chức của tôi" and board.f["residing"] == 5
    assert _get(client, factories.user("nobody2"), reverse("baocao:org", args=[0])).status_code == 404


def test_the_office_issues_the_formal_report_as_a_numbered_document(client, refreshed, tmp_path):
    from nhatky.models import AuditEvent
    from tests.helpers import pdf_text
    from tests.images import configure_signing
    from vanban.models import Document
    from vanban.services import document_render

    s = refreshed
    url = reverse("baocao:report", args=[s["province"].pk]) + f"?year={s['year']}"
    # A board viewer reads, the office issues; with no signatory yet the office is told so.
    client.force_login(s["board"])
    assert "Lập báo cáo" not in client.get(reverse("baocao:org", args=[s["province"].pk])).content.decode()
    response = client.post(url, follow=True)
    assert "Chỉ văn phòng cấp ủy" in response.content.decode() and not Document.objects.filter(doc_type="report")
    office = factories.user("office_p", roles=[(s["province"], Role.CLERK)])
    client.force_login(office)
    response = client.post(url, follow=True)
    assert "chưa có người ký" in response.content.decode() and not Document.objects.filter(doc_type="report")
    configure_signing(s["province"], name="Hoàng Văn Tỉnh")
    response = client.post(url, follow=True)
    document = Document.objects.get(doc_type="report")
    assert document.symbol.startswith("1-BC/") and document.issuer == s["province"]
    assert AuditEvent.objects.filter(action="document.issue", object_id=str(document.pk)).exists()
    assert document.symbol in response.content.decode()
    text = pdf_text(document_render(document.pk).pdf.read())
    for expected in (
        "BÁO CÁO",
        f"Kết quả thực hiện Quy định 213-QĐ/TW năm {s['year']}",
        "Thuộc diện QĐ 213: 7",
        "Chưa lập phiếu: 1",
        "IV. Xếp loại chất lượng đảng viên cuối năm",
        "Theo Quy định số 366-QĐ/TW ngày 30/08/2025",
        "1 đảng viên thuộc diện đã được xếp loại",
        "Hoàn thành tốt nhiệm vụ: 1 (100,0 %)",
        "Phân bố điểm: 80–90 điểm: 1",
        "V. Dấu hiệu hình thức trong nhận xét đảng viên",
        "VI. Số liệu theo tổ chức trực thuộc",
        "Đảng bộ Sở Giáo dục",
        "Hoàng Văn Tỉnh",
        document.symbol,
    ):
        assert expected in " ".join(text.split()), expected


def test_the_dashboard_shows_ratings_and_scores_under_the_scheme_of_the_year(client, refreshed):
    s = refreshed
    url = reverse("baocao:org", args=[s["province"].pk])
    page = _get(client, s["board"], url, year=s["year"]).content.decode()
    block = page[page.index('data-testid="ratings-qd366"') :]
    block = block[: block.index("</section>")]
    assert "Xếp loại chất lượng cuối năm (QĐ 366)" in block and "Hoàn thành tốt nhiệm vụ" in block
    drill = reverse("baocao:members", args=[s["province"].pk, "score.qd366.8"])
    assert drill in block and "80–90" in block
    assert 'id="chart-scores-qd366-title"' in page
    members = _get(client, s["board"], drill, year=s["year"])
    assert [m.full_name for m in members.context["page"]] == ["Trần Văn Thứ0"]
    assert "QĐ 366: từ 80 đến dưới 90 điểm" in members.content.decode()
    # A year before 2025 is shown under QĐ 124, in levels only.
    page = _get(client, s["board"], url, year=2024).content.decode()
    assert 'data-testid="ratings-qd124"' in page and 'data-testid="ratings-qd366"' not in page
