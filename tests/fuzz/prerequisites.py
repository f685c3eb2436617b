"""What a write needs beyond the shared world (conftest.py) before any case can reach it, made in
the calling test's transaction (rolled back after the test) and shared by the page and the service
of that write, so both fuzz the same accepted path.

The world's one letter (`world["issued"]`) was issued today to a commune whose committee is in the
system: only its office receives it, and only with today's date; a paper receipt (the workplace
records it) is always refused for it. The letters here were issued LETTER_DAYS ago.
"""

import datetime

from django.utils import timezone
from hypothesis import strategies as st

LETTER_DAYS = 30  # the letters below were issued this many days ago

# Who records a paper receipt of a member of workplace A: its clerk, or an office (the province's)
# or administrator above; the others may not (another workplace's clerk, the residence side).
RECEIPT_CLERKS = ["clerk_a", "board", "admin"]
RECEIPT_OTHERS = ["clerk_b", "office", "secretary"]
# Who acts for the commune committee (receives its letters, confirms its branches' forms): its
# office, or an office (the province's) or administrator above; the others may not (the residence
# branch's secretary, a workplace's clerk, a group leader).
COMMUNE_OFFICES = ["office", "board", "admin"]
COMMUNE_OTHERS = ["secretary", "clerk_a", "leader"]


def letter_sent(world, *, commune_code: int, full_name: str):
    """The link of a new member of branch A1 living in `commune_code`, whose letter (workplace A's)
    was issued LETTER_DAYS ago."""
    from dangvien.services import letter_issue
    from tests import factories

    member = factories.member(world["a1"], full_name=full_name, commune_code=commune_code)
    issued_at = timezone.now() - datetime.timedelta(days=LETTER_DAYS)
    return letter_issue(actor=world["clerk_a"], member=member, issued_at=issued_at)


def unlisted_letter(world):
    """A letter to commune 4, which no committee in the data set covers: the residence side is not in
    the system, so the workplace records the receipt it sends on paper (link_receive_manual)."""
    link = letter_sent(world, commune_code=4, full_name="Phan Thị Giấy")
    assert link.residence_committee_id is None
    return link


def listed_letter(world):
    """A letter to commune 70, the commune committee's: its office receives it (link_receive)."""
    link = letter_sent(world, commune_code=70, full_name="Vũ Văn Đến")
    assert link.residence_committee_id == world["commune"].pk
    return link


def dates_received(link):
    """The dates a receipt of `link` may bear: from the day its letter was issued to today."""
    issued = timezone.localtime(link.letter.issued_at).date()
    days = (timezone.localdate() - issued).days
    return st.integers(0, days).map(lambda n: issued + datetime.timedelta(days=n))


def readable_scans():
    """A scanned acknowledgement as (name, bytes) that the scan store takes: a PNG or a real PDF."""
    from tests.images import png_upload, scanned_pdf

    return st.sampled_from([("phieu-bao.png", png_upload().read()), ("phieu-bao.pdf", scanned_pdf())])


def signed_commend_form(world):
    """Beside `world["signed"]` (a member of workplace A, no conclusion), the signed form of a member
    of workplace B (links[4]) that proposes commendation: confirming both issues two documents,
    forwarding them tells two committees and makes a proposal."""
    from nhanxet.services import evaluation_save, evaluations_sign

    secretary = world["secretary"]
    form = evaluation_save(
        actor=secretary,
        link=world["links"][4],
        year=world["year"],
        lock_version=0,
        answers=world["answers"],
        conclusion="commend",
        conclusion_details="Gương mẫu trong phong trào khu phố",
    )
    return evaluations_sign(actor=secretary, branch=world["res"], ids=[form.pk])[0]
