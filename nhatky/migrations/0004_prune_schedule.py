"""The daily beat schedule that deletes access records past their retention (edited in the admin)."""

from django.db import migrations

NAME = "Xoá nhật ký truy cập quá hạn lưu giữ"


def install(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if not PeriodicTask.objects.filter(name=NAME).exists():
        every, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
        PeriodicTask.objects.create(name=NAME, task="nhatky.tasks.prune_access_log", interval=every)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("nhatky", "0003_access_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
