"""A reminder rule runs with the regulation pack's days unless the administrator set its own: the
rules whose days differ from the defaults they were seeded with keep them as their own."""

from django.db import migrations, models


def keep_own_days(apps, schema_editor):
    from nhacviec.defaults import RULES

    seeded = {code: (first, second) for code, first, second, _text in RULES}
    ReminderRule = apps.get_model("nhacviec", "ReminderRule")
    for rule in ReminderRule.objects.all():
        if seeded.get(rule.code) != (rule.first_days, rule.second_days):
            ReminderRule.objects.filter(pk=rule.pk).update(follows_pack=False)


class Migration(migrations.Migration):

    dependencies = [
        ('nhacviec', '0003_invariant_constraints'),
    ]

    operations = [
        migrations.AddField(
            model_name='reminderrule',
            name='follows_pack',
            field=models.BooleanField(default=True, verbose_name='days of the regulation in force'),
        ),
        migrations.RunPython(keep_own_days, migrations.RunPython.noop),
    ]
