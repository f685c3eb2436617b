"""Organisation kinds and the official 2025 administrative units, as data."""

from django.db import migrations

KINDS = [
    # code, name, is_committee, abbreviation, order
    ("trung-uong", "Ban Chấp hành Trung ương", True, "TW", 0),
    ("tinh-uy", "Đảng bộ tỉnh / thành phố", True, "TU", 10),
    ("dang-bo-truc-thuoc-tinh", "Đảng bộ trực thuộc tỉnh ủy (khối)", True, "ĐU", 20),
    ("dang-uy-xa", "Đảng bộ xã / phường / đặc khu", True, "ĐU", 30),
    ("dang-bo-co-so", "Đảng bộ cơ sở", True, "ĐU", 40),
    ("dang-bo-bo-phan", "Đảng bộ bộ phận", True, "ĐU", 50),
    ("chi-bo-co-so", "Chi bộ cơ sở", False, "CB", 60),
    ("chi-bo-truc-thuoc", "Chi bộ trực thuộc", False, "CB", 70),
    ("chi-bo-noi-cu-tru", "Chi bộ thôn, tổ dân phố, khu phố", False, "CB", 80),
]


def forwards(apps, schema_editor):
    OrganizationKind = apps.get_model("chibo", "OrganizationKind")
    for code, name, committee, abbr, order in KINDS:
        OrganizationKind.objects.update_or_create(
            code=code, defaults={"name": name, "is_committee": committee, "default_abbreviation": abbr, "order": order}
        )
    from chibo.units import load_units

    load_units(apps.get_model("chibo", "Province"), apps.get_model("chibo", "Commune"))


class Migration(migrations.Migration):
    dependencies = [("chibo", "0002_initial")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
