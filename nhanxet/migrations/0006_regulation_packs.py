"""Criteria sets, periods and forms belong to a regulation pack: the sets in force so far are the
QĐ 213 pack's, and every period and form made so far was made under it."""

import django.db.models.deletion
from django.db import migrations, models


def qd213(apps):
    return apps.get_model("quydinh", "RegulationPack").objects.get(code="qd213", version=1)


def sets_to_pack(apps, schema_editor):
    apps.get_model("nhanxet", "CriteriaSet").objects.filter(is_active=True).update(pack=qd213(apps))


def sets_back(apps, schema_editor):
    apps.get_model("nhanxet", "CriteriaSet").objects.filter(pack__isnull=False).update(is_active=True)


def work_to_pack(apps, schema_editor):
    pack = qd213(apps)
    for name in ("EvaluationPeriod", "Evaluation"):
        apps.get_model("nhanxet", name).objects.filter(pack__isnull=True).update(pack=pack)


class Migration(migrations.Migration):
    dependencies = [
        ("nhanxet", "0005_evaluation_record"),
        ("quydinh", "0001_regulation_packs"),
    ]

    operations = [
        migrations.AddField(
            model_name="criteriaset",
            name="pack",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="criteria_sets",
                to="quydinh.regulationpack",
                verbose_name="regulation pack",
            ),
        ),
        migrations.RunPython(sets_to_pack, sets_back),
        migrations.RemoveConstraint(model_name="criteriaset", name="one_active_criteria_set_per_use"),
        migrations.RemoveField(model_name="criteriaset", name="is_active"),
        migrations.AddConstraint(
            model_name="criteriaset",
            constraint=models.UniqueConstraint(
                condition=models.Q(("pack__isnull", False)), fields=("pack", "use"), name="one_criteria_set_per_pack_use"
            ),
        ),
        migrations.AddField(
            model_name="evaluationperiod",
            name="pack",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="quydinh.regulationpack"
            ),
        ),
        migrations.AddField(
            model_name="evaluation",
            name="pack",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="quydinh.regulationpack"
            ),
        ),
        migrations.RunPython(work_to_pack, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="evaluationperiod",
            name="pack",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="quydinh.regulationpack"
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="pack",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="quydinh.regulationpack"
            ),
        ),
    ]
