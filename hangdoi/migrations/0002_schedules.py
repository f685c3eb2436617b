"""Beat's schedules for the outbox (editable under Periodic tasks afterwards; the migration only
creates what is missing): publish what the broker missed every minute, recover lost work every ten."""

from django.db import migrations

from common.migrations import interval_schedules


class Migration(migrations.Migration):
    dependencies = [
        ("hangdoi", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        interval_schedules(
            ("Gửi các tác vụ còn chờ trong hàng đợi", "hangdoi.tasks.deliver_outbox", 1, "minutes"),
            ("Phục hồi tác vụ của worker đã dừng", "hangdoi.tasks.recover_outbox", 10, "minutes"),
        ),
    ]
