"""Reference data: organisation kinds and the official 2025 administrative units (`vietnam-provinces`)."""

from django.db import transaction

from common.text import fold, normalize

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


def load_kinds(OrganizationKind) -> int:
    """Insert or refresh the seeded organisation kinds; administrators may add more."""
    for code, name, committee, abbr, order in KINDS:
        OrganizationKind.objects.update_or_create(
            code=code, defaults={"name": name, "is_committee": committee, "default_abbreviation": abbr, "order": order}
        )
    return len(KINDS)


def load_units(Province, Commune) -> tuple[int, int]:
    """Insert or refresh all provinces and communes; idempotent (used by a migration and a command)."""
    from vietnam_provinces import Province as VnProvince
    from vietnam_provinces import Ward as VnWard

    provinces = [
        Province(
            code=int(p.code),
            name=normalize(p.name),
            division_type=p.division_type.value,
            codename=p.codename,
            search_name=fold(p.name),
        )
        for p in VnProvince.iter_all()
    ]
    names = {p.code: p.name for p in provinces}
    communes = [
        Commune(
            code=int(w.code),
            name=normalize(w.name),
            division_type=w.division_type.value,
            codename=w.codename,
            province_id=int(w.province_code),
            search_name=fold(f"{w.name} {names[int(w.province_code)]}"),
        )
        for w in VnWard.iter_all()
    ]
    with transaction.atomic():
        Province.objects.bulk_create(
            provinces,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "division_type", "codename", "search_name"],
        )
        Commune.objects.bulk_create(
            communes,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "division_type", "codename", "province", "search_name"],
        )
    return len(provinces), len(communes)
