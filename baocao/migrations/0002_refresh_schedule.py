"""The beat schedule that keeps the dashboards' figures current (edited in the admin afterwards)."""

from django.db import migrations

from common.migrations import interval_schedules


class Migration(migrations.Migration):
    dependencies = [
        ("baocao", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [interval_schedules(("Cập nhật số liệu báo cáo", "baocao.tasks.refresh_figures", 30, "minutes"))]
