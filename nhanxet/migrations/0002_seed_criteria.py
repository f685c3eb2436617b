"""Seeds the criteria sets of QĐ 213 and HD 33 (nhanxet.defaults' data, as the models were then:
a set was put in force by is_active; later the regulation pack holds its sets)."""

from django.db import migrations


def seed(apps, schema_editor):
    from nhanxet.defaults import CONCLUSIONS, CRITERIA, EXEMPT_CODES, LEVEL_CODES, REGULATION

    CriteriaSet = apps.get_model("nhanxet", "CriteriaSet")
    Criterion = apps.get_model("nhanxet", "Criterion")
    if CriteriaSet.objects.filter(code="qd213-hd33").exists():
        return
    sets = [
        ("qd213-hd33", "Nhận xét đảng viên đang công tác hằng năm (Mẫu 3-213)", "yearly", None),
        ("qd213-hd33-exempt", "Nhận xét theo đề nghị: đảng viên được miễn sinh hoạt nơi cư trú", "exempt", EXEMPT_CODES),
    ]
    for code, name, use, only in sets:
        criteria_set = CriteriaSet.objects.create(
            code=code, version=1, name=name, regulation=REGULATION, use=use, conclusions=CONCLUSIONS, is_active=True
        )
        chosen = [c for c in CRITERIA if only is None or c[0] in only]
        Criterion.objects.bulk_create(
            Criterion(
                criteria_set=criteria_set,
                order=order,
                code=c_code,
                duty=duty,
                text=text,
                levels=[{"code": lc, "label": label} for lc, label in zip(LEVEL_CODES, labels, strict=True)],
            )
            for order, (c_code, duty, text, labels) in enumerate(chosen, start=1)
        )


def unseed(apps, schema_editor):
    apps.get_model("nhanxet", "CriteriaSet").objects.filter(code__in=["qd213-hd33", "qd213-hd33-exempt"]).delete()


class Migration(migrations.Migration):
    dependencies = [("nhanxet", "0001_evaluations")]
    operations = [migrations.RunPython(seed, unseed)]
