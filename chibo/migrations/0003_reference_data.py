"""Organisation kinds and the official 2025 administrative units, as data."""

from django.db import migrations



def forwards(apps, schema_editor):
    from chibo.units import load_kinds, load_units

    load_kinds(apps.get_model("chibo", "OrganizationKind"))
    load_units(apps.get_model("chibo", "Province"), apps.get_model("chibo", "Commune"))


class Migration(migrations.Migration):
    dependencies = [("chibo", "0002_initial")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
