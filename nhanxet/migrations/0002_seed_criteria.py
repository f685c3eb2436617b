"""Seeds the default criteria sets (nhanxet.defaults)."""

from django.db import migrations


def seed(apps, schema_editor):
    from nhanxet.defaults import seed as seed_defaults

    seed_defaults(apps.get_model("nhanxet", "CriteriaSet"), apps.get_model("nhanxet", "Criterion"))


def unseed(apps, schema_editor):
    apps.get_model("nhanxet", "CriteriaSet").objects.filter(code__in=["qd213-hd33", "qd213-hd33-exempt"]).delete()


class Migration(migrations.Migration):
    dependencies = [("nhanxet", "0001_evaluations")]
    operations = [migrations.RunPython(seed, unseed)]
