"""The reminder rules with their starting settings, and the beat schedules that run them; both
are edited in the admin afterwards (the migration only creates what is missing)."""

import json

from django.db import migrations

from nhacviec.defaults import seed_rules

SCHEDULES = [
    # name, task, crontab (minute, hour, day of week), interval minutes, kwargs
    ("Nhắc việc hằng ngày", "nhacviec.tasks.run_sweeps", ("0", "6", "*"), None, {}),
    ("Tổng hợp tuần cho cấp ủy", "nhacviec.tasks.run_sweeps", ("0", "7", "1"), None, {"rules": ["board_digest"]}),
    ("Thư tổng hợp thông báo", "nhacviec.tasks.send_digests", ("30", "6", "*"), None, {}),
    ("Gửi lại thông báo còn treo", "nhacviec.tasks.recover_deliveries", None, 10, {}),
]


def install(apps, schema_editor):
    seed_rules(apps.get_model("nhacviec", "ReminderRule"))
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, cron, minutes, kwargs in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        schedule = {}
        if cron:
            minute, hour, weekday = cron
            schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_week=weekday,
                day_of_month="*",
                month_of_year="*",
                timezone="Asia/Ho_Chi_Minh",
            )
        else:
            schedule["interval"], _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.create(name=name, task=task, kwargs=json.dumps(kwargs), **schedule)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()
    apps.get_model("nhacviec", "ReminderRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("nhacviec", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
