"""The inbox and the notification settings as a user sees them."""

import pytest

from taikhoan.models import NotificationPreference
from taikhoan.services import notify_many
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_client(client):
    user = factories.user("thu_ky", email="thuky@example.org")
    client.force_login(user)
    return user, client


def test_the_badge_counts_unread_and_mark_all_read_clears_it(user_client):
    user, client = user_client
    notify_many(items=[(user, f"k{i}", f"Việc {i}", "", "/") for i in range(3)])
    assert client.get("/thong-bao-cua-toi/chua-doc/").json() == {"unread": 3}
    page = client.get("/thong-bao-cua-toi/?chua-doc=1").content.decode()
    assert "Việc 2" in page and "Đánh dấu đã đọc tất cả" in page
    client.post("/thong-bao-cua-toi/doc-het/")
    assert client.get("/thong-bao-cua-toi/chua-doc/").json() == {"unread": 0}
    assert "Không có thông báo chưa đọc." in client.get("/thong-bao-cua-toi/?chua-doc=1").content.decode()


def test_another_users_notice_is_a_404(user_client):
    user, client = user_client
    other = factories.user("nguoi_khac")
    notify_many(items=[(other, "k", "Riêng", "", "/")])
    assert client.get(f"/thong-bao-cua-toi/{other.notifications.get().pk}/").status_code == 404


def test_settings_save_the_choice_and_refuse_a_channel_that_is_not_configured(user_client, settings):
    user, client = user_client
    settings.SMS_GATEWAY_URL = ""
    page = client.get("/thong-bao-cua-toi/cai-dat/").content.decode()
    assert "Chưa được cấu hình trên máy chủ này." in page and 'value="letter"' in page
    response = client.post("/thong-bao-cua-toi/cai-dat/", {"email_kinds": ["evaluation"], "digest": "daily"})
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=user)
    assert pref.email_kinds == ["evaluation"] and pref.digest == "daily"
    response = client.post("/thong-bao-cua-toi/cai-dat/", {"email_kinds": ["bogus"], "digest": "hourly"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=user).digest == "daily"  # nothing half-written


def test_the_administrator_sees_failed_deliveries_and_edits_a_rules_days(client, admin_user):
    from nhacviec.models import Delivery, ReminderRule, RuleCode
    from nhacviec.services.deliveries import deliveries_send

    user = factories.user("sai_email", email="khong-hop-le")
    notify_many(items=[(user, "k", "Việc", "", "/")])
    deliveries_send(list(Delivery.objects.values_list("pk", flat=True)))
    client.force_login(admin_user)
    page = client.get("/admin/nhacviec/delivery/?status__exact=failed").content.decode()
    assert "khong-hop-le" in page and "không hợp lệ" in page
    rule = ReminderRule.objects.get(code=RuleCode.MEETING_UPCOMING)
    response = client.post(
        f"/admin/nhacviec/reminderrule/{rule.pk}/change/",
        {"is_active": "on", "first_days": "3", "second_days": "", "description": rule.description},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.first_days == 3
    assert client.get(f"/admin/nhacviec/delivery/{Delivery.objects.get().pk}/change/").status_code == 200
