import datetime

from django.urls import reverse

from chibo.models import Role
from dangvien.models import LinkState, ResidenceLink
from tests import factories
from tests.helpers import query_count
from tests.images import png_upload, scanned_pdf


def test_clerk_issues_letter_from_member_page(client, setup):
    client.force_login(setup["clerk"])
    member = setup["member"]
    page = client.get(reverse("dangvien:letter_issue", args=[member.pk]))
    assert page.status_code == 200
    signatory = setup["a"].signatories.get()
    response = client.post(
        reverse("dangvien:letter_issue", args=[member.pk]), {"signatory": signatory.pk, "duties": "Phụ trách tổ chức"}
    )
    assert response.status_code == 302
    link = ResidenceLink.objects.get(member=member)
    assert link.state == LinkState.LETTER_ISSUED
    detail = client.get(reverse("dangvien:detail", args=[member.pk])).content.decode()
    assert link.letter.symbol in detail


def test_second_issue_shows_error_not_500(client, setup):
    client.force_login(setup["clerk"])
    member, signatory = setup["member"], setup["a"].signatories.get()
    url = reverse("dangvien:letter_issue", args=[member.pk])
    client.post(url, {"signatory": signatory.pk})
    response = client.post(url, {"signatory": signatory.pk})
    assert response.status_code == 200
    assert "đã có liên hệ" in response.content.decode() or "already has" in response.content.decode()


def test_neighbour_clerk_gets_404(client, setup):
    client.force_login(setup["neighbour"])
    assert client.get(reverse("dangvien:letter_issue", args=[setup["member"].pk])).status_code == 404


def test_residence_office_receives(client, setup):
    from dangvien.services import letter_issue

    link = letter_issue(actor=setup["clerk"], member=setup["member"])
    client.force_login(setup["office"])
    inbox = client.get(reverse("dangvien:residence_inbox")).content.decode()
    assert "Nguyễn Văn Đức" in inbox
    response = client.post(
        reverse("dangvien:link_receive", args=[link.pk]),
        {
            "received_date": datetime.date.today().strftime("%d/%m/%Y"),
            "branch": setup["res"].pk,
            "group": "",
        },
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.state == LinkState.RECEIVED and link.acknowledgement.symbol == "1-PB/ĐU"
    client.force_login(setup["clerk"])
    sent = client.get(reverse("dangvien:workplace_inbox"), {"state": "received"}).content.decode()
    assert "1-PB/ĐU" in sent


def test_receive_is_404_for_workplace_clerk_and_neighbour(client, setup):
    from dangvien.services import letter_issue

    link = letter_issue(actor=setup["clerk"], member=setup["member"])
    for user in (setup["clerk"], setup["neighbour"]):
        client.force_login(user)
        assert client.get(reverse("dangvien:link_receive", args=[link.pk])).status_code == 404


def test_receive_bad_input_stays_on_form(client, setup):
    from dangvien.services import letter_issue

    link = letter_issue(actor=setup["clerk"], member=setup["member"])
    client.force_login(setup["office"])
    future = (datetime.date.today() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    response = client.post(
        reverse("dangvien:link_receive", args=[link.pk]), {"received_date": future, "branch": setup["res"].pk}
    )
    assert response.status_code == 200 and "received_date" in response.context["form"].errors
    link.refresh_from_db()
    assert link.state == LinkState.LETTER_ISSUED


def test_signing_page_upload_and_bad_image(client, setup):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(setup["clerk"])
    url = reverse("chibo:signing", args=[setup["a"].pk])
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("dau.png", b"not an image at all", content_type="image/png")
    response = client.post(url, {"form": "stamp", "stamp-stamp": bad})
    assert response.status_code == 200 and response.context["stamp_form"].errors
    response = client.post(url, {"form": "stamp", "stamp-stamp": png_upload()})
    assert response.status_code == 302
    assert client.get(reverse("chibo:stamp_image", args=[setup["a"].pk])).status_code == 200
    client.force_login(setup["neighbour"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("chibo:stamp_image", args=[setup["a"].pk])).status_code == 404


def test_oversized_image_refused(client, setup, settings):
    settings.UPLOAD_IMAGE_MAX_BYTES = 1000
    client.force_login(setup["clerk"])
    response = client.post(
        reverse("chibo:signing", args=[setup["a"].pk]), {"form": "stamp", "stamp-stamp": png_upload(size=(800, 800))}
    )
    assert response.status_code == 200 and "stamp" in response.context["stamp_form"].errors


def test_verification_page_is_public_and_masked(client, setup):
    from dangvien.services import letter_issue

    link = letter_issue(actor=setup["clerk"], member=setup["member"])
    response = client.get(reverse("vanban:verify", args=[link.letter.token]))
    body = response.content.decode()
    assert response.status_code == 200 and link.letter.symbol in body
    assert "N. V. Đức" in body and "Nguyễn Văn Đức" not in body
    assert client.get(reverse("vanban:verify", args=["khong-ton-tai"])).status_code == 404


def test_revoke_then_reissue_takes_a_new_number(client, setup):
    from dangvien.services import letter_issue

    link = letter_issue(actor=setup["clerk"], member=setup["member"])
    client.force_login(setup["clerk"])
    url = reverse("dangvien:letter_revoke", args=[link.pk])
    assert client.post(url, {"reason": ""}).context["form"].errors
    assert client.post(url, {"reason": "Sai địa chỉ nơi cư trú"}).status_code == 302
    link.refresh_from_db()
    link.letter.refresh_from_db()
    assert link.state == LinkState.PENDING and link.letter.status == "revoked"
    verify = client.get(reverse("vanban:verify", args=[link.letter.token])).content.decode()
    assert "Sai địa chỉ nơi cư trú" in verify
    again = letter_issue(actor=setup["clerk"], member=setup["member"])
    assert again.pk == link.pk and again.letter.symbol == "2-GGT/ĐU"
    client.force_login(setup["neighbour"])
    assert client.get(reverse("dangvien:letter_revoke", args=[link.pk])).status_code == 404


def test_home_shows_both_inboxes(client, setup):
    from dangvien.services import letter_issue

    letter_issue(actor=setup["clerk"], member=setup["member"])
    client.force_login(setup["clerk"])
    assert 'data-testid="awaiting-ack">1<' in client.get(reverse("taikhoan:home")).content.decode()
    client.force_login(setup["office"])
    assert 'data-testid="to-receive">1<' in client.get(reverse("taikhoan:home")).content.decode()


def test_position_change_leads_to_change_notice(client, setup):
    from dangvien.services import letter_issue
    from tests.dangvien.test_views import _form_post

    member = setup["member"]
    letter_issue(actor=setup["clerk"], member=member)
    client.force_login(setup["clerk"])
    data = _form_post(
        setup, citizen_id=member.citizen_id, full_name=member.full_name, position="Trưởng phòng", commune_code=70
    )
    response = client.post(reverse("dangvien:edit", args=[member.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("dangvien:change_notice", args=[member.pk])


def test_verify_upload_matches_only_the_archived_pdf(client, setup, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvien.services import letter_issue

    with django_capture_on_commit_callbacks(execute=True):
        link = letter_issue(actor=setup["clerk"], member=setup["member"])
    letter = link.letter.__class__.objects.get(pk=link.letter_id)
    pdf = letter.pdf.open("rb").read()
    url = reverse("vanban:verify", args=[letter.token])
    same = client.post(url, {"pdf": SimpleUploadedFile("a.pdf", pdf, content_type="application/pdf")})
    assert same.context["match"] is True
    changed = client.post(url, {"pdf": SimpleUploadedFile("a.pdf", pdf + b"\n%x", content_type="application/pdf")})
    assert changed.context["match"] is False
    not_pdf = client.post(url, {"pdf": SimpleUploadedFile("a.pdf", b"hello", content_type="application/pdf")})
    assert not_pdf.context["form"].errors


def test_paper_receipt_with_scan_upload(client, setup):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvien.services import letter_issue

    member = factories.member(setup["a1"], full_name="Vũ Thị Lan", gender="female", commune_code=4)
    link = letter_issue(actor=setup["clerk"], member=member)
    client.force_login(setup["clerk"])
    url = reverse("dangvien:link_receive_manual", args=[link.pk])
    today = datetime.date.today().strftime("%d/%m/%Y")
    bad = client.post(url, {"received_date": today, "scan": SimpleUploadedFile("x.pdf", b"MZ\\x90 not a scan")})
    assert bad.status_code == 200 and bad.context["form"].errors
    scan = SimpleUploadedFile("phieu.pdf", scanned_pdf(), content_type="application/pdf")
    assert client.post(url, {"received_date": today, "scan": scan}).status_code == 302
    link.refresh_from_db()
    assert link.state == LinkState.RECEIVED and link.acknowledgement_scan.startswith("scans/")
    response = client.get(reverse("dangvien:link_scan", args=[link.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(setup["neighbour"])
    assert client.get(reverse("dangvien:link_scan", args=[link.pk])).status_code == 404


def test_text_engine_check_is_clean_here():
    from vanban.checks import text_engine

    assert text_engine(None) == []


def test_board_viewer_sees_inbox_without_receive_button(client, setup):
    from dangvien.services import letter_issue

    letter_issue(actor=setup["clerk"], member=setup["member"])
    viewer = factories.user("board_commune", roles=[(setup["commune"], Role.BOARD_VIEWER)])
    client.force_login(viewer)
    body = client.get(reverse("dangvien:residence_inbox")).content.decode()
    assert "Nguyễn Văn Đức" in body and "/tiep-nhan/" not in body
    client.force_login(setup["office"])
    assert "/tiep-nhan/" in client.get(reverse("dangvien:residence_inbox")).content.decode()


def test_residence_office_opens_the_letter_addressed_to_it(client, setup, django_capture_on_commit_callbacks):
    from dangvien.services import letter_issue

    with django_capture_on_commit_callbacks(execute=True):
        link = letter_issue(actor=setup["clerk"], member=setup["member"])
    url = reverse("vanban:pdf", args=[link.letter_id])
    client.force_login(setup["office"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(setup["neighbour"])
    assert client.get(url).status_code == 404


_count = query_count


def test_inbox_query_counts_do_not_grow_with_rows(client, setup):
    from dangvien.services import letter_issue, link_receive

    letter_issue(actor=setup["clerk"], member=setup["member"])
    sent = reverse("dangvien:workplace_inbox")
    received = reverse("dangvien:residence_inbox")
    client.force_login(setup["clerk"])
    before_sent = _count(client, sent)
    client.force_login(setup["office"])
    before_received = _count(client, received)
    for i in range(4):
        m = factories.member(setup["a2"], full_name=f"Lê Văn Thứ{i}", commune_code=70)
        link = letter_issue(actor=setup["clerk"], member=m)
        if i % 2:
            link_receive(actor=setup["office"], link=link, received_date=datetime.date.today(), branch=setup["res"])
    client.force_login(setup["clerk"])
    assert _count(client, sent) == before_sent
    assert _count(client, f"{sent}?state=received") == before_sent
    client.force_login(setup["office"])
    assert _count(client, received) == before_received


def test_batch_page_query_count_does_not_grow(client, setup, django_capture_on_commit_callbacks):
    from dangvien.services import letter_batch_start

    def batch_of(members):
        with django_capture_on_commit_callbacks(execute=True):
            return letter_batch_start(actor=setup["clerk"], member_ids=[m.pk for m in members])

    small = batch_of([setup["member"]])
    others = [factories.member(setup["a2"], full_name=f"Vũ Văn Số{i}", commune_code=70) for i in range(5)]
    large = batch_of(others)
    client.force_login(setup["clerk"])
    assert _count(client, reverse("dangvien:batch", args=[small.pk])) == _count(
        client, reverse("dangvien:batch", args=[large.pk])
    )


def test_residence_office_sees_change_notices_addressed_to_it(client, setup):
    from dangvien.models import ChangeKind
    from dangvien.services import change_notice_issue, letter_issue

    member = setup["member"]
    letter_issue(actor=setup["clerk"], member=member)
    notice = change_notice_issue(
        actor=setup["clerk"],
        member=member,
        kind=ChangeKind.POSITION,
        effective_date=datetime.date(2025, 7, 2),
        details="Trưởng phòng",
    )
    url = reverse("dangvien:residence_inbox") + "?state=notices"
    client.force_login(setup["office"])
    page = client.get(url).content.decode()
    assert 'data-testid="count-notices">1<' in page
    assert notice.document.symbol in page and "Trưởng phòng" in page and "02/07/2025" in page
    client.force_login(setup["clerk"])
    assert notice.document.symbol in client.get(reverse("dangvien:workplace_inbox") + "?state=notices").content.decode()
    # The neighbouring office neither counts nor lists it.
    client.force_login(setup["neighbour"])
    page = client.get(url).content.decode()
    assert 'data-testid="count-notices">0<' in page and notice.document.symbol not in page


def test_batch_selection_with_odd_ids_is_not_a_500(client, setup):
    client.force_login(setup["clerk"])
    response = client.post(reverse("dangvien:batch_new"), {"member": ["²", "abc", str(setup["member"].pk)]})
    assert response.status_code == 200 and setup["member"].full_name in response.content.decode()
