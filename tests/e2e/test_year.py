"""Issue 19 journey: a whole year under QĐ 366 in the browser. The workplace introduces a member;
the commune receives them into a branch; the branch meets without them (absent without reason);
its evaluation form shows that absence beside the meetings criterion and asks for a remark before
"attended fully" can be signed; the commune sees the remark, confirms and forwards; the workplace
rates 85 points, "Hoàn thành tốt nhiệm vụ"; the province's dashboard and formal report show it."""

import datetime
import subprocess

import pytest
from django.utils import timezone

from baocao.services import figures_refresh
from chibo.models import Commune, Meeting, Role
from nhanxet.models import Evaluation, QualityRating
from tests import factories
from tests.helpers import meeting_held
from tests.images import configure_signing
from vanban.models import Document
from vanban.services import document_render

from .conftest import ARTIFACTS
from .test_journeys import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "Phạm Văn Minh"


@pytest.fixture
def data(tree, admin_user):
    from chibo.services import organization_update

    organization_update(actor=admin_user, org=tree["commune"], commune=Commune.objects.get(code=70))
    for org in (tree["a"], tree["commune"], tree["province"]):
        configure_signing(org)
    configure_signing(tree["res"], name="Ngô Văn Nhân")
    factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)])
    factories.user("office", roles=[(tree["commune"], Role.CLERK)])
    factories.user("secretary", full_name="Ngô Văn Nhân", roles=[(tree["res"], Role.BRANCH_SECRETARY)])
    factories.user("province_office", roles=[(tree["province"], Role.CLERK)])
    factories.user("board", roles=[(tree["province"], Role.BOARD_VIEWER)])
    member = factories.member(tree["a1"], full_name=NAME, position="Chuyên viên", commune_code=70)
    return {**tree, "member": member}


def _relogin(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username)


def test_a_year_under_qd366(page, phone, live_server, data, shot, tmp_path):
    url, year = live_server.url, timezone.localdate().year

    # The workplace office introduces the member.
    login(page, live_server, "clerk_a")
    page.goto(f"{url}/dang-vien/{data['member'].pk}/gioi-thieu/")
    page.get_by_role("button", name="Cấp giấy giới thiệu").click()
    page.get_by_text("1-GGT/ĐU").first.wait_for()

    # The commune receives them into its residence branch.
    _relogin(page, live_server, "office")
    page.locator("#nav").get_by_role("link", name="Giấy giới thiệu đến").click()
    page.locator("tr.link-row", has_text=NAME).get_by_role("link", name="Tiếp nhận").click()
    page.get_by_label("Ngày nhận").fill(datetime.date.today().strftime("%d/%m/%Y"))
    page.get_by_label("Chi bộ nơi cư trú").select_option(str(data["res"].pk))
    page.get_by_role("button", name="Ghi nhận tiếp nhận và gửi phiếu báo").click()
    page.wait_for_url("**/noi-cu-tru/")
    # ... and opens the year's evaluation period (deadlines from the regulation in force).
    page.goto(f"{url}/nhan-xet/ky/moi/")
    page.get_by_role("button", name="Mở kỳ nhận xét").click()
    page.get_by_text(f"Đã mở kỳ nhận xét năm {year}").wait_for()

    # The branch meets; the member does not come and gives no reason.
    login(phone, live_server, "secretary")
    phone.goto(f"{url}/to-chuc/chi-bo/{data['res'].pk}/sinh-hoat/moi/")
    phone.get_by_label("Địa điểm").fill("Nhà văn hóa khu phố 1")
    phone.get_by_label("Nội dung").fill("Thông tin tình hình địa phương")
    phone.get_by_role("button", name="Lưu").click()
    phone.get_by_role("link", name="Điểm danh", exact=True).click()
    item = phone.locator(".attendance-item", has_text=NAME)
    item.get_by_role("button", name="Vắng không lý do").tap()
    item.locator("[data-state]").get_by_text("Đã lưu").wait_for()
    meeting_held(Meeting.objects.get())
    phone.get_by_role("link", name="Chi bộ khu phố 1").click()
    phone.locator("#id_minutes").fill("Chi ủy thông tin tình hình địa phương.")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Kết thúc buổi sinh hoạt").click()
    phone.get_by_text("Đã kết thúc buổi sinh hoạt").first.wait_for()

    # The form shows the absence beside the meetings criterion and asks for a remark.
    phone.goto(f"{url}/nhan-xet/chi-bo/{data['res'].pk}/{year}/")
    phone.get_by_label("Ngày họp").fill(timezone.localdate().isoformat())
    phone.get_by_label("Thành phần tham dự").fill("Chi ủy; Ban công tác Mặt trận khu phố 1")
    phone.get_by_role("button", name="Ghi cuộc họp").click()
    phone.get_by_text("Đã ghi cuộc họp với ban công tác Mặt trận.").wait_for()
    phone.get_by_role("link", name=NAME).click()
    meetings = phone.locator("fieldset.criterion").nth(2)
    assert "vắng không lý do 1" in meetings.get_by_test_id("evidence-meetings").inner_text()
    for n, label in enumerate(["Nêu gương tốt", "Thực hiện tốt", "Tham gia đầy đủ", "Thường xuyên", "Tích cực"]):
        phone.locator("fieldset.criterion").nth(n).get_by_text(label, exact=True).tap()
    phone.locator("fieldset.criterion").nth(5).get_by_text("Không có đề nghị", exact=True).tap()
    warning = meetings.locator(".record-warning")
    warning.wait_for()
    assert "vắng không lý do 1 buổi" in warning.inner_text()
    phone.locator("#save-state").get_by_text("Đã lưu").wait_for()
    assert "Cần giải trình" in phone.locator("#missing").inner_text()
    shot(phone, "40-year-form-warning-phone")
    # Back on the list the form waits for its remark: it cannot be ticked for signing.
    phone.get_by_role("link", name=f"Chi bộ khu phố 1 — {year}").click()
    phone.get_by_test_id("needs-remarks").wait_for()
    assert phone.locator("input[name=forms][data-ready]").count() == 0
    phone.get_by_role("link", name=NAME).click()
    phone.locator("fieldset.criterion").nth(2).get_by_label("Giải trình (bắt buộc khi đánh giá trái với hồ sơ)").fill(
        "Đi trực cơ quan đúng buổi họp, đã báo chi ủy qua điện thoại; tham gia đầy đủ các hoạt động khác của khu phố."
    )
    phone.get_by_test_id("save-next").tap()
    phone.wait_for_url(f"**/nhan-xet/chi-bo/{data['res'].pk}/{year}/")
    assert phone.get_by_test_id("count-ready").inner_text() == "1"
    phone.get_by_role("button", name="Chọn tất cả phiếu chờ ký").tap()
    phone.get_by_test_id("sign").tap()
    phone.get_by_text("Đã ký 1 phiếu (T/M CHI BỘ).").wait_for()
    form = Evaluation.objects.get()
    assert form.status == "signed" and form.record_checks[0]["criterion"] == "meetings"

    # The commune sees the answer against the record and its remark, confirms and forwards.
    _relogin(page, live_server, "office")
    page.goto(f"{url}/nhan-xet/xac-nhan/{data['commune'].pk}/")
    page.get_by_test_id("record-checks").locator("summary").click()
    page.get_by_text("Đi trực cơ quan đúng buổi họp").wait_for()
    shot(page, "41-year-commune-record")
    page.get_by_label("Chọn tất cả").first.check()
    page.get_by_test_id("confirm").click()
    page.get_by_text("Đã xác nhận 1 phiếu").wait_for()
    page.get_by_label("Chọn tất cả").last.check()
    page.get_by_test_id("forward").click()
    page.get_by_text("Đã chuyển 1 phiếu về nơi công tác.").wait_for()
    form.refresh_from_db()
    text = _pdf_text(document_render(form.document_id), tmp_path / "form.pdf", "42-year-form-pdf")
    assert "Tham gia đầy đủ Giải trình: Đi trực cơ quan đúng buổi họp" in text

    # The workplace rates the member: 27 + 58 = 85 points, "Hoàn thành tốt nhiệm vụ" under QĐ 366.
    _relogin(page, live_server, "clerk_a")
    page.goto(f"{url}/nhan-xet/nhan/?year={year}")
    page.locator(".incoming-row", has_text=NAME).get_by_test_id("rate").click()
    page.get_by_label("Nhóm tiêu chí chung (tối đa 30 điểm)").fill("27")
    page.get_by_label("Nhóm tiêu chí về kết quả thực hiện chức trách, nhiệm vụ được giao (tối đa 70 điểm)").fill("58")
    assert page.get_by_label("Xếp loại chất lượng").input_value() == "good"
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.locator(".incoming-row", has_text=NAME).get_by_text("85 · Hoàn thành tốt nhiệm vụ").wait_for()
    shot(page, "43-year-rated")
    rating = QualityRating.objects.get()
    assert (rating.scheme.code, rating.score, rating.level, rating.evaluation_id) == ("qd366", 85, "good", form.pk)

    # The board's dashboard and the province's formal report show it.
    figures_refresh(year=year)
    _relogin(page, live_server, "board")
    page.goto(f"{url}/bao-cao/{data['province'].pk}/?year={year}")
    block = page.get_by_test_id("ratings-qd366")
    assert "Hoàn thành tốt nhiệm vụ" in block.inner_text()
    assert block.locator("tr", has_text="80–90").locator("a").inner_text() == "1"
    shot(page, "44-year-dashboard")
    _relogin(page, live_server, "province_office")
    page.goto(f"{url}/bao-cao/{data['province'].pk}/?year={year}")
    page.get_by_role("button", name="Lập báo cáo (PDF)").click()
    page.get_by_text("1-BC/").first.wait_for()
    report = document_render(Document.objects.get(doc_type="report").pk)
    text = _pdf_text(report, tmp_path / "report.pdf", "45-year-report-pdf")
    assert "Theo Quy định số 366-QĐ/TW ngày 30/08/2025" in text
    assert "Hoàn thành tốt nhiệm vụ: 1 (100,0 %)" in text and "Phân bố điểm: 80–90 điểm: 1" in text


def _pdf_text(document, path, shot_name) -> str:
    """The PDF's text, and its pages as PNG in the screenshots (to be looked at)."""
    with document.pdf.open("rb") as handle:
        path.write_bytes(handle.read())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(ARTIFACTS / shot_name)], check=True)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())
