"""The daily beat schedule that deletes access records past their retention (edited in the admin)."""

from django.db import migrations

from common.migrations import interval_schedules


class Migration(migrations.Migration):
    dependencies = [
        ("nhatky", "0003_access_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        interval_schedules(("Xoá nhật ký truy cập quá hạn lưu giữ", "nhatky.tasks.prune_access_log", 1, "days")),
    ]
