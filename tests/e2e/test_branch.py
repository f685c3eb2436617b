"""Issue 5 journey on a phone: the residence-branch secretary groups members, schedules a
meeting, takes attendance on a 390×844 screen, closes it; the workplace clerk sees the absence."""

import datetime

import pytest

from chibo.models import Commune, Meeting, Role
from tests import factories
from tests.helpers import meeting_held
from tests.images import configure_signing

from .test_journeys import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAMES = ["Nguyễn Văn Đức", "Trần Thị Dung", "Lê Văn An"]


@pytest.fixture
def data(tree, admin_user):
    from chibo.services import organization_update
    from dangvien.services import letter_issue, link_receive

    organization_update(actor=admin_user, org=tree["commune"], commune=Commune.objects.get(code=70))
    configure_signing(tree["a"])
    configure_signing(tree["commune"], name="Lê Thị Hoa")
    configure_signing(tree["res"], name="Ngô Văn Nhân")
    clerk = factories.user("clerk_a", roles=[(tree["a"], Role.CLERK)])
    office = factories.user("office", roles=[(tree["commune"], Role.CLERK)])
    factories.user("secretary", full_name="Ngô Văn Nhân", roles=[(tree["res"], Role.BRANCH_SECRETARY)])
    factories.user("leader", full_name="Bùi Thị Tổ Trưởng", roles=[(tree["res"], Role.GROUP_LEADER)])
    for name in NAMES:
        member = factories.member(
            tree["a1"], full_name=name, gender="female" if "Thị" in name else "male", commune_code=70
        )
        link = letter_issue(actor=clerk, member=member)
        link_receive(actor=office, link=link, received_date=datetime.date.today(), branch=tree["res"])
    return tree


def _item(phone, name):
    return phone.locator(".attendance-item", has_text=name)


def test_secretary_runs_a_meeting_on_a_phone(phone, live_server, data, shot):
    login(phone, live_server, "secretary")
    phone.goto(f"{live_server.url}/to-chuc/chi-bo/")
    # One branch: straight to it.
    phone.get_by_role("heading", name="Chi bộ khu phố 1").wait_for()
    assert phone.get_by_test_id("member-count").inner_text() == "3"

    phone.get_by_label("Tổ mới").fill("Tổ 1")
    phone.locator("#id_leader").select_option(label="Bùi Thị Tổ Trưởng")
    phone.get_by_role("button", name="Thêm tổ").click()
    phone.get_by_text("Đã lưu Tổ 1.").wait_for()
    phone.get_by_label("Chọn tất cả").check()
    phone.get_by_label("Chuyển những người đã chọn vào").select_option(label="Tổ 1")
    phone.get_by_role("button", name="Chuyển", exact=True).click()
    phone.get_by_text("Đã chuyển 3 đảng viên vào Tổ 1.").wait_for()
    shot(phone, "20-branch-home-phone")

    phone.get_by_role("link", name="Lên lịch sinh hoạt").click()
    phone.get_by_label("Địa điểm").fill("Nhà văn hóa khu phố 1")
    phone.get_by_label("Nội dung").fill("Thông tin tình hình địa phương\nĐảng viên góp ý xây dựng khu phố")
    shot(phone, "21-meeting-form-phone")
    phone.get_by_role("button", name="Lưu").click()
    phone.get_by_role("link", name="Điểm danh", exact=True).click()
    phone.wait_for_url("**/diem-danh/")

    _item(phone, "Nguyễn Văn Đức").get_by_role("button", name="Có mặt").tap()
    dung = _item(phone, "Trần Thị Dung")
    dung.get_by_role("button", name="Vắng có lý do").tap()
    dung.get_by_label("Lý do vắng mặt").fill("Đi công tác Hà Nội")
    dung.get_by_role("button", name="Lưu").tap()
    _item(phone, "Lê Văn An").get_by_role("button", name="Vắng không lý do").tap()
    for name in NAMES:
        _item(phone, name).locator("[data-state]").get_by_text("Đã lưu").wait_for()
    # The search box narrows the list as the secretary types, without diacritics.
    phone.get_by_label("Tìm tên").fill("dung")
    assert _item(phone, "Nguyễn Văn Đức").is_hidden() and _item(phone, "Trần Thị Dung").is_visible()
    phone.get_by_label("Tìm tên").fill("")
    shot(phone, "22-attendance-phone")

    # A reload shows what was saved.
    phone.reload()
    assert (
        _item(phone, "Lê Văn An").get_by_role("button", name="Vắng không lý do").get_attribute("aria-pressed") == "true"
    )
    assert _item(phone, "Trần Thị Dung").get_by_label("Lý do vắng mặt").input_value() == "Đi công tác Hà Nội"
    assert phone.locator('[data-count="present"]').inner_text() == "1"

    # No connection: the tap waits in the browser and goes out when the connection is back.
    duc = _item(phone, "Nguyễn Văn Đức")
    phone.context.set_offline(True)
    duc.get_by_role("button", name="Vắng không lý do").tap()
    phone.locator("#attendance-pending").wait_for(state="visible")
    phone.context.set_offline(False)
    phone.locator("#attendance-pending").wait_for(state="hidden")
    phone.reload()
    duc = _item(phone, "Nguyễn Văn Đức")
    assert duc.get_by_role("button", name="Vắng không lý do").get_attribute("aria-pressed") == "true"
    duc.get_by_role("button", name="Có mặt").tap()
    duc.locator("[data-state]").get_by_text("Đã lưu").wait_for()

    # Scheduled for 19:30 today: until then it cannot be closed, and the page says so.
    phone.get_by_role("link", name="Chi bộ khu phố 1").click()
    meeting = Meeting.objects.get()
    if not meeting.has_started:
        phone.get_by_test_id("not-started").wait_for()
        assert phone.locator("#id_minutes").count() == 0
        meeting_held(meeting)
        phone.reload()
    phone.locator("#id_minutes").fill("Chi ủy thông tin tình hình; đảng viên góp ý về vệ sinh môi trường.")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Kết thúc buổi sinh hoạt").click()
    phone.get_by_text("Đã kết thúc buổi sinh hoạt").first.wait_for()
    assert phone.get_by_test_id("meeting-status").inner_text() == "Đã kết thúc"
    shot(phone, "23-meeting-closed-phone")
    assert Meeting.objects.get().is_closed

    phone.context.clear_cookies()
    login(phone, live_server, "clerk_a")
    phone.goto(f"{live_server.url}/dang-vien/lien-he/noi-cong-tac/?state=absences")
    row = phone.locator(".absence-row")
    row.get_by_text("Lê Văn An — vắng không có lý do").wait_for()
    assert "Trần Thị Dung — vắng có lý do (Đi công tác Hà Nội)" in row.inner_text()
    assert "Nguyễn Văn Đức" not in row.inner_text()
    shot(phone, "24-workplace-absences-phone")
