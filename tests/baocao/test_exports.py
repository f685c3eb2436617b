"""The report tables' exports on the shared writer: headers in Vietnamese, dates as date cells."""

import datetime

import pytest
from django.urls import reverse

from baocao.services import figures_refresh
from tests.helpers import xlsx_column, xlsx_table


@pytest.fixture
def refreshed(scene):
    figures_refresh(year=scene["year"])
    return scene


def test_drill_down_export_has_the_members_of_the_page(client, refreshed):
    s = refreshed
    client.force_login(s["board"])
    url = reverse("baocao:members", args=[s["province"].pk, "covered"])
    page = client.get(url, {"year": s["year"]})
    assert f'href="{reverse("baocao:members_xlsx", args=[s["province"].pk, "covered"])}?year={s["year"]}' in (
        page.content.decode()
    )
    response = client.get(reverse("baocao:members_xlsx", args=[s["province"].pk, "covered"]), {"year": s["year"]})
    table = xlsx_table(response)
    assert xlsx_column(table, "Họ và tên") == [m.full_name for m in page.context["page"].object_list]
    assert table["header"] == (
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Tổ chức đảng",
        "Chi bộ nơi cư trú",
        "Đảng ủy nơi cư trú",
    )
    birth = table["cells"][0][2]
    assert isinstance(birth.value, datetime.datetime) and birth.number_format == "DD/MM/YYYY"
    client.force_login(s["neighbour_board"])
    assert client.get(reverse("baocao:members_xlsx", args=[s["province"].pk, "covered"])).status_code == 404


def test_dashboard_page_links_to_its_export(client, refreshed):
    s = refreshed
    client.force_login(s["board"])
    page = client.get(reverse("baocao:org", args=[s["province"].pk]), {"year": s["year"]}).content.decode()
    assert f'href="{reverse("baocao:xlsx", args=[s["province"].pk])}?year={s["year"]}"' in page
