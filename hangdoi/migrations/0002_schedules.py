"""Beat's schedules for the outbox (editable under Periodic tasks afterwards; the migration only
creates what is missing): publish what the broker missed every minute, recover lost work every ten."""

from django.db import migrations

SCHEDULES = [
    ("Gửi các tác vụ còn chờ trong hàng đợi", "hangdoi.tasks.deliver_outbox", 1),
    ("Phục hồi tác vụ của worker đã dừng", "hangdoi.tasks.recover_outbox", 10),
]


def install(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in SCHEDULES:
        if not PeriodicTask.objects.filter(name=name).exists():
            interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
            PeriodicTask.objects.create(name=name, task=task, interval=interval)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hangdoi", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
