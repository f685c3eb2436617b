"""Issue 6 journey: the residence-branch secretary fills and signs evaluation forms on a
390×844 phone (one tap per level, autosave, a dropped connection loses nothing); the commune
office confirms and forwards them; the workplace clerk rates the member beside the form."""

import pytest
from django.utils import timezone

from nhanxet.models import Evaluation, QualityRating
from tests.nhanxet.conftest import open_period

from .test_branch import data  # noqa: F401 - the fixture, used by name
from .test_journeys import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def opened(data):  # noqa: F811 - the imported fixture
    from taikhoan.models import User

    period = open_period(User.objects.get(username="office"), data["commune"])
    return {**data, "year": period.year}


def _choose(phone, order, label):
    phone.locator("fieldset.criterion").nth(order).get_by_text(label, exact=True).tap()


def _fill_all(phone, first="Nêu gương tốt"):
    _choose(phone, 0, first)
    _choose(phone, 1, "Thực hiện tốt")
    _choose(phone, 2, "Tham gia đầy đủ")
    _choose(phone, 3, "Thường xuyên")
    _choose(phone, 4, "Tích cực")
    _choose(phone, 5, "Không có đề nghị")


def test_secretary_evaluates_on_a_phone_and_the_commune_confirms(phone, page, live_server, opened, shot):
    year = opened["year"]
    login(phone, live_server, "secretary")
    phone.goto(f"{live_server.url}/nhan-xet/")
    phone.get_by_role("link", name="Chi bộ khu phố 1").click()
    assert phone.get_by_test_id("count-expected").inner_text() == "3"
    phone.get_by_label("Ngày họp").fill(timezone.localdate().isoformat())
    phone.get_by_label("Thành phần tham dự").fill("Chi ủy; Ban công tác Mặt trận khu phố 1")
    phone.get_by_role("button", name="Ghi cuộc họp").click()
    phone.get_by_text("Đã ghi cuộc họp với ban công tác Mặt trận.").wait_for()
    shot(phone, "30-evaluation-branch-phone")

    # Members are listed the Vietnamese way (by given name): An, Dung, Đức.
    phone.get_by_role("link", name="Lê Văn An").click()
    _fill_all(phone)
    phone.locator("#save-state").get_by_text("Đã lưu").wait_for()
    shot(phone, "31-evaluation-form-phone")
    phone.get_by_test_id("save-next").tap()
    phone.get_by_role("heading", name="Trần Thị Dung").wait_for()

    # The connection drops while the secretary types: nothing is lost, it goes out when back.
    _choose(phone, 0, "Nêu gương")
    phone.locator("#save-state").get_by_text("Đã lưu").wait_for()
    phone.context.set_offline(True)
    _choose(phone, 1, "Thực hiện tốt")
    phone.get_by_label("Nhận xét khác").fill("Tích cực tham gia vệ sinh môi trường khu phố")
    phone.locator("#save-error").get_by_text("mất kết nối").wait_for()
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.locator("#save-state").get_by_text("Đã lưu").wait_for()
    dung = Evaluation.objects.get(member__full_name="Trần Thị Dung")
    assert dung.remarks == "Tích cực tham gia vệ sinh môi trường khu phố"
    assert dung.answers == {"example": "fair", "citizen": "good"}
    phone.reload()
    assert phone.get_by_label("Nhận xét khác").input_value() == dung.remarks
    _choose(phone, 2, "Tham gia đầy đủ")
    _choose(phone, 3, "Thường xuyên")
    _choose(phone, 4, "Tích cực")
    _choose(phone, 5, "Không có đề nghị")
    phone.get_by_test_id("save-next").tap()
    phone.get_by_role("heading", name="Nguyễn Văn Đức").wait_for()
    phone.locator("fieldset.criterion").nth(0).get_by_text("Nêu gương tốt", exact=True).wait_for()
    phone.get_by_role("link", name=f"Chi bộ khu phố 1 — {year}").click()

    assert phone.get_by_test_id("count-ready").inner_text() == "2"
    phone.get_by_role("button", name="Chọn tất cả phiếu chờ ký").tap()
    phone.get_by_test_id("sign").tap()
    phone.get_by_text("Đã ký 2 phiếu (T/M CHI BỘ).").wait_for()
    shot(phone, "32-evaluation-signed-phone")
    assert Evaluation.objects.filter(status="signed").count() == 2

    # The commune office confirms (numbered documents) and forwards.
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/nhan-xet/")
    page.get_by_role("link", name="Đảng bộ phường Thử").click()
    page.locator(".confirm-row").first.wait_for()
    page.get_by_label("Chọn tất cả").first.check()
    page.get_by_test_id("confirm").click()
    page.get_by_text("Đã xác nhận 2 phiếu").wait_for()
    page.get_by_label("Chọn tất cả").last.check()
    shot(page, "33-evaluation-commune")
    page.get_by_test_id("forward").click()
    page.get_by_text("Đã chuyển 2 phiếu về nơi công tác.").wait_for()
    assert set(Evaluation.objects.values_list("status", flat=True)) == {"forwarded"}

    page.context.clear_cookies()
    login(page, live_server, "clerk_a")
    page.goto(f"{live_server.url}/nhan-xet/nhan/?year={year}")
    row = page.locator(".incoming-row", has_text="Lê Văn An")
    row.get_by_test_id("rate").click()
    # Under QĐ 366: typing the groups' points makes the score and picks its band's level.
    page.get_by_label("Nhóm tiêu chí chung (tối đa 30 điểm)").fill("27")
    page.get_by_label("Nhóm tiêu chí về kết quả thực hiện chức trách, nhiệm vụ được giao (tối đa 70 điểm)").fill("58")
    assert page.get_by_label("Tổng điểm (0 đến 100)").input_value() == "85"
    assert page.get_by_label("Xếp loại chất lượng").input_value() == "good"
    # Above the band is refused at the field; nothing is saved.
    page.get_by_label("Xếp loại chất lượng").select_option(label="Hoàn thành xuất sắc nhiệm vụ")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("mức cao nhất là “Hoàn thành tốt nhiệm vụ”").wait_for()
    assert not QualityRating.objects.exists()
    page.get_by_label("Xếp loại chất lượng").select_option(label="Hoàn thành tốt nhiệm vụ")
    shot(page, "34-evaluation-rating")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Đã ghi xếp loại của Lê Văn An: Hoàn thành tốt nhiệm vụ.").wait_for()
    page.locator(".incoming-row", has_text="Lê Văn An").get_by_text("85 · Hoàn thành tốt nhiệm vụ").wait_for()
    shot(page, "35-evaluation-incoming")
    rating = QualityRating.objects.get()
    assert (rating.member.full_name, rating.level, rating.score, rating.scheme.code) == (
        "Lê Văn An",
        "good",
        85,
        "qd366",
    )
    assert rating.evaluation.member.full_name == "Lê Văn An"
