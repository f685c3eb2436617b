"""The request's user read by a prepared statement: the same user as the ORM's, the same refusals."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taikhoan.backends import UserBackend
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_user_read_is_the_orms_user(tree, clerk_a):
    found = UserBackend().get_user(clerk_a.pk)
    stored = get_user_model().objects.get(pk=clerk_a.pk)
    fields = [f.attname for f in stored._meta.concrete_fields]
    assert {f: getattr(found, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    assert found.get_session_auth_hash() == stored.get_session_auth_hash()
    assert not found._state.adding and found._state.db == "default"
    # Planned once per connection, then only executed.
    with CaptureQueriesContext(connection) as queries:
        UserBackend().get_user(str(clerk_a.pk))
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["EXECUTE"]


def test_unknown_inactive_and_malformed_ids_are_nobody(db):
    gone = factories.user("gone", is_active=False)
    backend = UserBackend()
    assert backend.get_user(gone.pk) is None
    assert backend.get_user(gone.pk + 1000) is None
    for malformed in ("", "abc", None, "1; DROP TABLE taikhoan_user"):
        assert backend.get_user(malformed) is None


def test_a_deactivated_or_changed_password_session_ends(client, tree, clerk_a):
    client.force_login(clerk_a)
    home = reverse("taikhoan:home")
    assert client.get(home).status_code == 200
    clerk_a.set_password("another-password-213")
    clerk_a.save()
    assert client.get(home).status_code == 302
    client.force_login(clerk_a)
    assert client.get(home).status_code == 200
    get_user_model().objects.filter(pk=clerk_a.pk).update(is_active=False)
    assert client.get(home).status_code == 302
