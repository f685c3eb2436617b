import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chibo.models import Role
from dangvien.models import LetterBatch, LinkState, ResidenceLink
from dangvien.services import letter_batch_run, letter_batch_start
from tests import factories
from tests.images import configure_signing
from vanban.models import Document


@pytest.fixture
def three(tree, clerk_a):
    configure_signing(tree["a"])
    names = ["Nguyễn Văn Đức", "Trần Thị Dung", "Lê Văn An"]
    return [factories.member(tree["a1"], full_name=n, gender="female" if "Thị" in n else "male") for n in names]


def test_batch_issues_renders_and_combines(three, clerk_a, django_capture_on_commit_callbacks, tmp_path):
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_batch_start(actor=clerk_a, member_ids=[m.pk for m in three])
    batch.refresh_from_db()
    assert batch.finished_at and batch.done == 3 and batch.issued == 3 and batch.failed == 0
    documents = Document.objects.filter(doc_type="introduction").order_by("number")
    assert [d.number for d in documents] == [1, 2, 3]
    assert all(d.sha256 and d.pdf for d in documents)
    combined = tmp_path / "all.pdf"
    combined.write_bytes(batch.combined_pdf.open("rb").read())
    text = subprocess.run(["pdftotext", str(combined), "-"], capture_output=True, text=True, check=True).stdout
    for member in three:
        assert member.full_name in text
    assert all(link.state == LinkState.LETTER_ISSUED for link in ResidenceLink.objects.all())


def test_running_twice_issues_once(three, clerk_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_batch_start(actor=clerk_a, member_ids=[m.pk for m in three])
    letter_batch_run(batch.pk)
    assert Document.objects.count() == 3
    LetterBatch.objects.filter(pk=batch.pk).update(results={}, done=0, finished_at=None)
    batch = letter_batch_run(batch.pk)  # a retried task after a crash before the results were saved
    assert Document.objects.count() == 3 and batch.issued == 3


def test_refusals_are_reported_per_member(three, tree, clerk_a, django_capture_on_commit_callbacks):
    not_covered = factories.member(tree["a2"], full_name="Phạm Văn Bình", covered_213=False)
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_batch_start(actor=clerk_a, member_ids=[three[0].pk, not_covered.pk])
    batch.refresh_from_db()
    assert batch.issued == 1 and batch.failed == 1
    assert "QĐ 213" in batch.results[str(not_covered.pk)]["error"]


def test_selection_outside_scope_is_refused(three, tree, clerk_b):
    with pytest.raises(PermissionDenied):
        letter_batch_start(actor=clerk_b, member_ids=[three[0].pk])
    with pytest.raises(ValidationError):
        letter_batch_start(actor=clerk_b, member_ids=[])
    assert not LetterBatch.objects.exists()


def test_batch_pages(client, three, clerk_a, django_capture_on_commit_callbacks):
    client.force_login(clerk_a)
    ids = [m.pk for m in three]
    confirm = client.post(reverse("dangvien:batch_new"), {"member": ids})
    assert confirm.status_code == 200 and "Nguyễn Văn Đức" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dangvien:batch_new"), {"member": ids, "confirm": "1", "duties": ""})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert 'data-testid="combined-pdf"' in page.content.decode()
    batch = LetterBatch.objects.get()
    pdf = client.get(reverse("dangvien:batch_pdf", args=[batch.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    other = factories.user(roles=[(three[0].organization, Role.CLERK)])
    client.force_login(other)
    assert client.get(reverse("dangvien:batch", args=[batch.pk])).status_code == 404
