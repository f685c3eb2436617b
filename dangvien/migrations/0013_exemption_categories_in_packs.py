"""An exemption's category is one of the regulation pack's (quydinh): no fixed list in the code; its
kind (introduced but exempt, or not introduced) is kept with it."""


from django.conf import settings
from django.db import migrations, models


ORIGINAL = ["barracks", "mobile_work", "full_time_study", "secret_duty", "combat_standby", "other"]


def refuse_new_categories(apps, schema_editor):
    """Backwards the six HD 33 codes are a CHECK again: exemptions of a later pack's categories
    would break it, so going back is refused while there are any."""
    Exemption = apps.get_model("dangvien", "Exemption")
    if Exemption.objects.exclude(category__in=ORIGINAL).exists():
        raise RuntimeError("Exemptions of categories outside HD 33's six exist: this migration cannot be undone.")


class Migration(migrations.Migration):

    dependencies = [
        ('dangvien', '0012_invariant_constraints'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='exemption',
            name='exemption_kind_matches_category',
        ),
        migrations.AlterField(
            model_name='exemption',
            name='category',
            field=models.CharField(max_length=40, verbose_name='category'),
        ),
        migrations.AddConstraint(
            model_name='exemption',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['exempt_meetings', 'not_introduced'])), name='exemption_kind_valid'),
        ),
        migrations.RunPython(migrations.RunPython.noop, refuse_new_categories),
    ]
