"""The beat schedule that keeps the dashboards' figures current (edited in the admin afterwards)."""

from django.db import migrations

NAME = "Cập nhật số liệu báo cáo"


def install(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if not PeriodicTask.objects.filter(name=NAME).exists():
        every, _ = IntervalSchedule.objects.get_or_create(every=30, period="minutes")
        PeriodicTask.objects.create(name=NAME, task="baocao.tasks.refresh_figures", interval=every)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("baocao", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
