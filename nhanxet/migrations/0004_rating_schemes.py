"""Rating schemes as data (QĐ 124 and QĐ 366 seeded); every rating recorded so far stays valid
under QĐ 124, as recorded: its level kept, no score."""

import common.text
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def seed_schemes(apps, schema_editor):
    from nhanxet.defaults import seed_schemes as seed

    RatingScheme = apps.get_model("nhanxet", "RatingScheme")
    seed(RatingScheme)
    qd124 = RatingScheme.objects.get(code="qd124")
    QualityRating = apps.get_model("nhanxet", "QualityRating")
    QualityRating.objects.filter(scheme__isnull=True).update(scheme=qd124)
    if QualityRating.objects.exists():
        RatingScheme.objects.filter(pk=qd124.pk, frozen_at__isnull=True).update(frozen_at=django.utils.timezone.now())


def refuse_scores(apps, schema_editor):
    """Backwards a rating has no score, groups or reason: going back would lose them, so it is
    refused while any rating holds one."""
    QualityRating = apps.get_model("nhanxet", "QualityRating")
    if QualityRating.objects.exclude(score__isnull=True, lower_reason="").exists():
        raise RuntimeError("Ratings with a score or a reason exist: undoing this migration would lose them.")


class Migration(migrations.Migration):

    dependencies = [
        ('chibo', '0010_meeting_half_valid'),
        ('dangvien', '0012_invariant_constraints'),
        ('nhanxet', '0003_invariant_constraints'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RatingScheme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=40, unique=True, verbose_name='code')),
                ('short_name', models.CharField(max_length=40, validators=[common.text.validate_single_line], verbose_name='short name')),
                ('regulation', models.CharField(max_length=300, validators=[common.text.validate_single_line], verbose_name='regulation')),
                ('guidance', models.CharField(blank=True, max_length=300, validators=[common.text.validate_single_line], verbose_name='guidance')),
                ('first_year', models.PositiveSmallIntegerField(unique=True, verbose_name='first year rated under it')),
                ('score_max', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='highest score')),
                ('score_decimals', models.PositiveSmallIntegerField(default=0, verbose_name='decimal places of a score')),
                ('groups', models.JSONField(blank=True, default=list, verbose_name='groups of criteria')),
                ('levels', models.JSONField(default=list, verbose_name='levels')),
                ('frozen_at', models.DateTimeField(blank=True, null=True, verbose_name='frozen at')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'rating scheme',
                'verbose_name_plural': 'rating schemes',
                'ordering': ['first_year'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='qualityrating',
            name='rating_level_valid',
        ),
        migrations.AddField(
            model_name='qualityrating',
            name='group_scores',
            field=models.JSONField(blank=True, default=dict, verbose_name='score by group'),
        ),
        migrations.AddField(
            model_name='qualityrating',
            name='lower_reason',
            field=models.TextField(blank=True, validators=[common.text.validate_no_control_chars], verbose_name="why the level is below the score's band"),
        ),
        migrations.AddField(
            model_name='qualityrating',
            name='score',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='score'),
        ),
        migrations.AlterField(
            model_name='qualityrating',
            name='level',
            field=models.CharField(max_length=20, verbose_name='quality rating'),
        ),
        migrations.AddConstraint(
            model_name='ratingscheme',
            constraint=models.CheckConstraint(condition=models.Q(('first_year__gte', 2000), ('first_year__lte', 2100)), name='rating_scheme_year_range'),
        ),
        migrations.AddConstraint(
            model_name='ratingscheme',
            constraint=models.CheckConstraint(condition=models.Q(('score_decimals__lte', 2)), name='rating_scheme_decimals'),
        ),
        migrations.AddConstraint(
            model_name='ratingscheme',
            constraint=models.CheckConstraint(condition=models.Q(('score_max__isnull', True), models.Q(('score_max__gte', 1), ('score_max__lte', 999)), _connector='OR'), name='rating_scheme_score_max'),
        ),
        migrations.AddField(
            model_name='qualityrating',
            name='scheme',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ratings', to='nhanxet.ratingscheme', verbose_name='rating scheme'),
        ),
        migrations.RunPython(seed_schemes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='qualityrating',
            name='scheme',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ratings', to='nhanxet.ratingscheme', verbose_name='rating scheme'),
        ),
        migrations.AddConstraint(
            model_name='qualityrating',
            constraint=models.CheckConstraint(condition=models.Q(('level', ''), _negated=True), name='rating_has_level'),
        ),
        migrations.AddConstraint(
            model_name='qualityrating',
            constraint=models.CheckConstraint(condition=models.Q(('score__isnull', True), ('score__gte', 0), _connector='OR'), name='rating_score_not_negative'),
        ),
        migrations.RunPython(migrations.RunPython.noop, refuse_scores),
    ]
