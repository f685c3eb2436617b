from chibo.models import Commune, Province
from chibo.selectors import commune_search
from chibo.services import admin_units_load


def test_official_units_are_loaded_by_migration(db):
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    assert Commune.objects.filter(division_type="đặc khu").count() == 13


def test_load_is_idempotent(db):
    assert admin_units_load() == (34, 3321)
    assert Commune.objects.count() == 3321


def test_unit_names_are_normalised(db):
    assert not Commune.objects.filter(name__contains="  ").exists()


def test_commune_search_without_diacritics(db):
    names = [c.name for c in commune_search("pho hien")]
    assert "Phường Phố Hiến" in names


def test_commune_search_by_province_words_and_code(db):
    results = list(commune_search("hoan kiem ha noi"))
    assert results and results[0].code == 70
    assert list(commune_search("70"))[0].name == "Phường Hoàn Kiếm"


def test_commune_search_empty_query(db):
    assert list(commune_search("   ")) == []
