"""Regulation packs, with the pack of QĐ 213 (and HD 33) in force since 02/01/2020."""

import common.text
from django.db import migrations, models


def seed(apps, schema_editor):
    from django.utils import timezone

    from quydinh.defaults import seed as seed_pack

    seed_pack(apps.get_model("quydinh", "RegulationPack"), timezone.now())


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name='RegulationPack',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=40, verbose_name='code')),
                ('version', models.PositiveSmallIntegerField(verbose_name='version')),
                ('short_name', models.CharField(max_length=40, validators=[common.text.validate_single_line], verbose_name='short name')),
                ('number', models.CharField(max_length=40, validators=[common.text.validate_single_line], verbose_name='number and symbol')),
                ('signed_on', models.DateField(verbose_name='signed on')),
                ('issuer', models.CharField(max_length=120, validators=[common.text.validate_single_line], verbose_name='issued by')),
                ('title', models.CharField(max_length=400, validators=[common.text.validate_single_line], verbose_name='subject')),
                ('guidance_number', models.CharField(blank=True, max_length=40, verbose_name='guidance number')),
                ('guidance_signed_on', models.DateField(blank=True, null=True, verbose_name='guidance signed on')),
                ('guidance_issuer', models.CharField(blank=True, max_length=120, verbose_name='guidance issued by')),
                ('wording', models.JSONField(default=dict, verbose_name='wording of the documents')),
                ('deadlines', models.JSONField(default=dict, verbose_name='default deadlines')),
                ('reminder_days', models.JSONField(default=dict, verbose_name='reminder days')),
                ('exemption_categories', models.JSONField(default=list, verbose_name='exemption categories')),
                ('in_force_from', models.DateField(blank=True, null=True, verbose_name='in force from')),
                ('frozen_at', models.DateTimeField(blank=True, null=True, verbose_name='frozen at')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'regulation pack',
                'verbose_name_plural': 'regulation packs',
                'ordering': ['code', '-version'],
                'constraints': [models.UniqueConstraint(fields=('code', 'version'), name='regulation_pack_version_unique'), models.UniqueConstraint(condition=models.Q(('in_force_from__isnull', False)), fields=('in_force_from',), name='one_regulation_pack_per_day', violation_error_message='Another pack comes in force on that day.'), models.CheckConstraint(condition=models.Q(('version__gte', 1)), name='regulation_pack_version_positive'), models.CheckConstraint(condition=models.Q(models.Q(('number', ''), _negated=True), models.Q(('number__regex', '^\\s|\\s$'), _negated=True), models.Q(('number__regex', '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]'), _negated=True), models.Q(('number__regex', '[\t\n\r]'), _negated=True), models.Q(('short_name', ''), _negated=True), models.Q(('short_name__regex', '^\\s|\\s$'), _negated=True), models.Q(('short_name__regex', '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]'), _negated=True), models.Q(('short_name__regex', '[\t\n\r]'), _negated=True)), name='regulation_pack_names_clean'), models.CheckConstraint(condition=models.Q(('in_force_from__isnull', True), ('frozen_at__isnull', False), _connector='OR'), name='regulation_pack_in_force_is_frozen')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
