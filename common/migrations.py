"""Migration helpers for PostgreSQL-only features (the embedded SQLite default skips them)."""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL and is a no-op elsewhere (SQLite for `make run`)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def interval_schedules(*schedules):
    """RunPython that installs beat schedules [(name, task, every, period)], each only if no
    schedule of that name exists (an administrator may have edited it since), and removes them
    when migrated backwards."""

    def install(apps, schema_editor):
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        for name, task, every, period in schedules:
            if not PeriodicTask.objects.filter(name=name).exists():
                interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
                PeriodicTask.objects.create(name=name, task=task, interval=interval)

    def remove(apps, schema_editor):
        names = [name for name, *_ in schedules]
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()

    return migrations.RunPython(install, remove)
