"""Who sees documents, who signs by default, what a symbol format may hold, the public page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chibo.models import Role
from tests import factories
from tests.images import configure_signing


def test_national_administrator_opens_acknowledgements_too(
    client, setup, admin_user, django_capture_on_commit_callbacks
):
    import datetime

    from dangvien.services import letter_issue, link_receive

    with django_capture_on_commit_callbacks(execute=True):
        link = letter_issue(actor=setup["clerk"], member=setup["member"])
        link = link_receive(actor=setup["office"], link=link, received_date=datetime.date.today(), branch=setup["res"])
    client.force_login(admin_user)
    for document in (link.letter, link.acknowledgement):
        assert client.get(reverse("vanban:pdf", args=[document.pk])).status_code == 200


def test_the_secretary_signs_unless_someone_else_is_chosen(tree):
    from vanban.services import signer_for

    configure_signing(tree["b"], name="Phạm Văn Phó", title="deputy")
    secretary = configure_signing(tree["b"], name="Trần Văn Bí Thư", title="secretary")
    tree["b"].refresh_from_db()
    assert signer_for(tree["b"]) == secretary


@pytest.mark.parametrize("fmt", ["{num}-{code}/{abbr}", "{number}-{code", "{abbr.__class__}{number}", "{code}/{abbr}"])
def test_bad_symbol_formats_are_refused_at_the_field(tree, admin_user, fmt):
    from chibo.services import organization_update

    with pytest.raises(ValidationError) as error:
        organization_update(actor=admin_user, org=tree["a"], doc_symbol_format=fmt)
    assert "doc_symbol_format" in error.value.message_dict


def test_public_page_hides_the_revocation_reason(client, setup):
    from dangvien.services import letter_issue, letter_revoke

    link = letter_issue(actor=setup["clerk"], member=setup["member"])
    letter_revoke(actor=setup["clerk"], link=link, reason="Sai địa chỉ: số 12 ngõ 5")
    page = client.get(reverse("vanban:verify", args=[link.letter.token])).content.decode()
    assert 'data-testid="status"' in page and "Sai địa chỉ" not in page


def test_only_the_issuer_office_revokes(setup):
    from django.core.exceptions import PermissionDenied

    from dangvien.services import letter_issue
    from vanban.services import document_revoke

    link = letter_issue(actor=setup["clerk"], member=setup["member"])
    outsider = factories.user("viewer", roles=[(setup["a"], Role.BOARD_VIEWER)])
    with pytest.raises(PermissionDenied):
        document_revoke(actor=outsider, document=link.letter, reason="Thử")
