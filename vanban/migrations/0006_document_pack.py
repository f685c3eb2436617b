"""Each document records the regulation pack it was issued under: every one issued so far was
issued under QĐ 213 (its wording is in its template and snapshot, unchanged)."""

import django.db.models.deletion
from django.db import migrations, models


def to_qd213(apps, schema_editor):
    pack = apps.get_model("quydinh", "RegulationPack").objects.get(code="qd213", version=1)
    apps.get_model("vanban", "Document").objects.filter(pack__isnull=True).update(pack=pack)


class Migration(migrations.Migration):
    dependencies = [
        ("vanban", "0005_invariant_constraints"),
        ("quydinh", "0001_regulation_packs"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="pack",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="quydinh.regulationpack",
                verbose_name="regulation pack",
            ),
        ),
        migrations.RunPython(to_qd213, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="document",
            name="pack",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="quydinh.regulationpack",
                verbose_name="regulation pack",
            ),
        ),
    ]
