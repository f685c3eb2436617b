import threading

import pytest
from django.db import close_old_connections, connection, transaction

from vanban.models import DocumentType, NumberRegister
from vanban.services import number_take


def test_numbers_are_consecutive_and_formatted(tree):
    with transaction.atomic():
        first = number_take(issuer=tree["a"], doc_type=DocumentType.INTRODUCTION, year=2025)
        second = number_take(issuer=tree["a"], doc_type=DocumentType.INTRODUCTION, year=2025)
        other_type = number_take(issuer=tree["a"], doc_type=DocumentType.CHANGE_NOTICE, year=2025)
        other_year = number_take(issuer=tree["a"], doc_type=DocumentType.INTRODUCTION, year=2026)
    assert first == (1, "1-GGT/ĐU") and second == (2, "2-GGT/ĐU")
    assert other_type == (1, "1-TB/ĐU") and other_year == (1, "1-GGT/ĐU")


def test_symbol_format_is_per_organisation(tree, admin_user):
    from chibo.services import organization_update

    organization_update(actor=admin_user, org=tree["b"], doc_symbol_format="{number}/{code}-{abbr}")
    tree["b"].refresh_from_db()
    with transaction.atomic():
        assert number_take(issuer=tree["b"], doc_type=DocumentType.INTRODUCTION, year=2025)[1] == "1/GGT-ĐU"


def test_a_rolled_back_issue_gives_its_number_back(tree):
    with pytest.raises(RuntimeError), transaction.atomic():
        number_take(issuer=tree["a"], doc_type=DocumentType.INTRODUCTION, year=2025)
        raise RuntimeError("rendering failed")
    with transaction.atomic():
        assert number_take(issuer=tree["a"], doc_type=DocumentType.INTRODUCTION, year=2025)[0] == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused(tree):
    with pytest.raises(RuntimeError):
        number_take(issuer=tree["a"], doc_type=DocumentType.INTRODUCTION, year=2025)


@pytest.mark.django_db(transaction=True)
def test_100_concurrent_issues_get_100_consecutive_numbers(tree):
    """Threads with their own PostgreSQL connections race for one committee's register."""
    assert connection.vendor == "postgresql"
    issuer = tree["a"]
    results, errors = [], []
    barrier = threading.Barrier(20)

    def worker(count):
        try:
            barrier.wait()
            for _ in range(count):
                with transaction.atomic():
                    results.append(number_take(issuer=issuer, doc_type=DocumentType.INTRODUCTION, year=2030)[0])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(5,)) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == list(range(1, 101))
    assert NumberRegister.objects.get(issuer=issuer, year=2030).last_number == 100
