"""Criteria sets, periods and forms belong to a regulation pack: the sets in force so far are the
QĐ 213 pack's, and every period and form made so far was made under it."""

import django.db.models.deletion
from django.db import migrations, models


def qd213(apps):
    return apps.get_model("quydinh", "RegulationPack").objects.get(code="qd213", version=1)


def sets_to_pack(apps, schema_editor):
    apps.get_model("nhanxet", "CriteriaSet").objects.filter(is_active=True).update(pack=qd213(apps))


def sets_back(apps, schema_editor):
    """Backwards, is_active is back (True everywhere): the sets of the pack in force today are the
    ones in force, one per use, as the restored constraint wants."""
    import datetime

    RegulationPack = apps.get_model("quydinh", "RegulationPack")
    CriteriaSet = apps.get_model("nhanxet", "CriteriaSet")
    today = datetime.date.today()
    pack = RegulationPack.objects.filter(in_force_from__lte=today).order_by("-in_force_from").first()
    CriteriaSet.objects.update(is_active=False)
    if pack is not None:
        CriteriaSet.objects.filter(pack=pack).update(is_active=True)
    if schema_editor.connection.vendor == "postgresql":
        # The updates leave deferred key checks pending; the table's next DDL would refuse them.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


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
        migrations.RunPython(sets_to_pack, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="criteriaset", name="one_active_criteria_set_per_use"),
        migrations.RunPython(migrations.RunPython.noop, sets_back),
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
