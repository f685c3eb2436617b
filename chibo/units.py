"""The official 2025 administrative units from the `vietnam-provinces` package."""

from django.db import transaction

from common.text import fold, normalize


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
