"""An exemption's category is one of the regulation pack's (quydinh): no fixed list in the code; its
kind (introduced but exempt, or not introduced) is kept with it."""


from django.conf import settings
from django.db import migrations, models


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
    ]
