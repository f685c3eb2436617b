"""The access log (who read whose data), its retention, and the data-subject export (issue 10)."""

import datetime
import hashlib
import io
import json
import zipfile

from django.urls import reverse
from django.utils import timezone

from chibo.models import Role
from nhatky.models import AccessAction, AccessEvent
from tests import factories


def test_reading_a_member_record_is_logged(client, setup):
    member = setup["member"]
    client.force_login(setup["clerk"])
    assert client.get(reverse("dangvien:detail", args=[member.pk]), REMOTE_ADDR="10.1.2.3").status_code == 200
    event = AccessEvent.objects.get()
    assert (event.actor, event.action, event.member_id) == (setup["clerk"], AccessAction.MEMBER_VIEW, member.pk)
    assert event.path == f"/dang-vien/{member.pk}/" and event.ip == "10.1.2.3"


def test_a_refused_read_is_not_logged_as_a_read(client, setup):
    client.force_login(setup["neighbour"])
    assert client.get(reverse("dangvien:detail", args=[setup["member"].pk])).status_code == 404
    assert not AccessEvent.objects.exists()


def test_exports_are_logged_with_their_filters(client, setup):
    client.force_login(setup["clerk"])
    response = client.get(reverse("dangvien:list_xlsx"), {"q": "Đức", "covered": "1"})
    assert response.status_code == 200
    event = AccessEvent.objects.get(action=AccessAction.LIST_EXPORT)
    assert event.detail["filters"] == {"q": ["Đức"], "covered": ["1"]} and event.member_id is None


def test_document_downloads_are_logged(client, setup, django_capture_on_commit_callbacks):
    from dangvien.services import letter_issue

    with django_capture_on_commit_callbacks(execute=True):
        link = letter_issue(actor=setup["clerk"], member=setup["member"])
    client.force_login(setup["clerk"])
    assert client.get(reverse("vanban:pdf", args=[link.letter.pk])).status_code == 200
    event = AccessEvent.objects.get(action=AccessAction.DOCUMENT_DOWNLOAD)
    assert event.detail == {"pk": link.letter.pk}


def test_administrators_filter_the_log_by_member(client, setup, admin_user):
    other = factories.member(setup["a1"], full_name="Phạm Thị Khác")
    client.force_login(setup["clerk"])
    client.get(reverse("dangvien:detail", args=[setup["member"].pk]))
    client.get(reverse("dangvien:detail", args=[other.pk]))
    client.force_login(admin_user)
    page = client.get(reverse("admin:nhatky_accessevent_changelist"), {"member_id": setup["member"].pk})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list.values_list("member_id", flat=True)) == [setup["member"].pk]
    by_action = client.get(reverse("admin:nhatky_accessevent_changelist"), {"action": "member_view"})
    assert by_action.context["cl"].result_count == 2
    # Read-only: no one edits or deletes the log in the admin.
    event = AccessEvent.objects.first()
    assert client.post(reverse("admin:nhatky_accessevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    # Not for office users.
    client.force_login(setup["clerk"])
    assert client.get(reverse("admin:nhatky_accessevent_changelist")).status_code == 302


def test_retention_removes_only_what_is_past_it(setup, settings):
    from axes.models import AccessLog

    from nhatky.access import access_log_prune

    settings.ACCESS_LOG_RETENTION_DAYS = 30
    settings.LOGIN_LOG_RETENTION_DAYS = 10
    now = timezone.now()
    old, recent = (
        AccessEvent.objects.create(action=AccessAction.MEMBER_VIEW, path="/x/", member_id=1) for _ in range(2)
    )
    AccessEvent.objects.filter(pk=old.pk).update(at=now - datetime.timedelta(days=31))
    AccessEvent.objects.filter(pk=recent.pk).update(at=now - datetime.timedelta(days=29))
    for username, days in (("u", 11), ("v", 9)):
        row = AccessLog.objects.create(username=username, user_agent="", ip_address="1.1.1.1")
        AccessLog.objects.filter(pk=row.pk).update(attempt_time=now - datetime.timedelta(days=days))
    assert access_log_prune(batch=1) == 2
    assert list(AccessEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["v"]


def test_the_prune_is_scheduled_daily(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="nhatky.tasks.prune_access_log")
    assert (task.interval.every, task.interval.period) == (1, "days")


def test_data_subject_export_holds_everything_about_the_member(client, setup, django_capture_on_commit_callbacks):
    from dangvien.services import letter_issue, link_receive
    from vanban.models import Document

    member = setup["member"]
    with django_capture_on_commit_callbacks(execute=True):
        link = letter_issue(actor=setup["clerk"], member=member)
        link_receive(actor=setup["office"], link=link, received_date=datetime.date.today(), branch=setup["res"])
    someone_else = factories.member(setup["a1"], full_name="Phạm Thị Khác")
    with django_capture_on_commit_callbacks(execute=True):
        letter_issue(actor=setup["clerk"], member=someone_else)
    admin_a = factories.user("admin_a", roles=[(setup["a"], Role.ADMIN)])
    client.force_login(setup["clerk"])
    client.get(reverse("dangvien:detail", args=[member.pk]))

    client.force_login(admin_a)
    page = client.get(reverse("dangvien:detail", args=[member.pk])).content.decode()
    assert 'data-testid="subject-export"' in page
    response = client.get(reverse("dangvien:subject_export", args=[member.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("du-lieu.json"))
    assert data["member"]["fields"]["full_name"] == "Nguyễn Văn Đức"
    assert data["history"], "the change history is included"
    links = data["related"]["dangvien.residencelink"]
    assert [row["pk"] for row in links] == [link.pk]
    documents = data["related"]["vanban.document"]
    assert {row["fields"]["member"] for row in documents} == {member.pk} and len(documents) == 2
    assert {"dangvien.residencelink", "dangvien.member"} <= {row["fields"]["object_type"] for row in data["audit"]}
    assert "Phạm Thị Khác" not in archive.read("du-lieu.json").decode()
    readers = {row["fields"]["actor"] for row in data["access_log"]}
    assert setup["clerk"].pk in readers
    for document in Document.objects.filter(member=member):
        pdf = archive.read(f"van-ban/{document.pk}.pdf")
        assert hashlib.sha256(pdf).hexdigest() == document.sha256
    assert "DOC-TRUOC.txt" in archive.namelist()
    assert AccessEvent.objects.filter(action=AccessAction.SUBJECT_EXPORT, actor=admin_a, member_id=member.pk).exists()


def test_data_subject_export_is_for_administrators_in_scope(client, setup):
    member = setup["member"]
    client.force_login(setup["clerk"])
    page = client.get(reverse("dangvien:detail", args=[member.pk])).content.decode()
    assert 'data-testid="subject-export"' not in page
    assert client.get(reverse("dangvien:subject_export", args=[member.pk])).status_code == 403
    admin_b = factories.user("admin_b", roles=[(setup["b"], Role.ADMIN)])
    client.force_login(admin_b)
    assert client.get(reverse("dangvien:subject_export", args=[member.pk])).status_code == 404
    assert not AccessEvent.objects.filter(action=AccessAction.SUBJECT_EXPORT).exists()


def test_control_characters_in_filters_are_dropped_from_the_log(client, setup):
    client.force_login(setup["clerk"])
    response = client.get(reverse("dangvien:list_xlsx"), {"q": "Đ\x00ức\x07" + "x" * 1000})
    assert response.status_code == 200
    event = AccessEvent.objects.get(action=AccessAction.LIST_EXPORT)
    assert event.detail["filters"]["q"] == ["Đức" + "x" * 495]  # cut at 500, then two dropped


def test_every_download_and_export_is_logged():
    """Each page that hands out a file of personal data (.xlsx, .pdf, .zip, scans, images of
    minutes) carries @access_logged: a new one that doesn't fails here."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                yield prefix + p.name, str(p.pattern), p.callback

    files = {
        name: callback
        for name, route, callback in walk(get_resolver().url_patterns)
        if not name.startswith("admin:")
        and (route.endswith((".xlsx", ".pdf", ".zip", "pdf/")) or name.endswith(("_xlsx", "_pdf", "_scan")))
        or name in {"chibo:meeting_attachment", "dangvien:detail"}
    }
    # The invitation is a POST that issues the document and redirects; its PDF is downloaded
    # through vanban:document_pdf, logged there (the log records only GETs that answer 200).
    # Templates to fill in, and a regulation pack's preview from sample data: not anyone's data.
    files.pop("nhapdulieu:template", None)
    files.pop("nhanxet:pack_preview", None)
    assert len(files) >= 15
    missing = sorted(name for name, callback in files.items() if not hasattr(callback, "access_action"))
    assert missing == []


def test_data_subject_export_holds_absence_notices_and_paper_receipts(branch, django_capture_on_commit_callbacks):
    """What the models do not lead to from the member: the absence notice (it names no member, it
    lists a meeting's absent members for one workplace) and the scan of a receipt on paper."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from chibo.models import AbsenceNotice
    from chibo.services import attendance_mark, meeting_close, meeting_schedule
    from dangvien.services import letter_issue, link_receive_manual
    from dangvien.subject_export import subject_export
    from tests.images import scanned_pdf

    absent = branch["links"][0].member
    meeting = meeting_schedule(
        actor=branch["secretary"], branch=branch["res"], kind="when_needed", starts_at=timezone.now(),
        place="Nhà văn hóa", agenda="Họp",
    )  # fmt: skip
    for row in meeting.attendance.all():
        status = "unexcused" if row.member_id == absent.pk else "present"
        attendance_mark(
            actor=branch["secretary"], meeting=meeting, member_id=row.member_id, status=status, version=row.version
        )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(actor=branch["secretary"], meeting=meeting, minutes="Biên bản")
    notice = AbsenceNotice.objects.get(workplace_committee=branch["a"])
    data = json.loads(zipfile.ZipFile(io.BytesIO(subject_export(member=absent))).read("du-lieu.json"))
    assert [row["pk"] for row in data["absence_notices"]] == [notice.pk]
    assert data["absence_notices"][0]["document_symbol"] == notice.document.symbol
    present = branch["links"][1].member
    present_data = json.loads(zipfile.ZipFile(io.BytesIO(subject_export(member=present))).read("du-lieu.json"))
    assert present_data["absence_notices"] == []

    paper = factories.member(branch["a1"], full_name="Lò Văn Giấy", commune_code=4)  # no committee there
    link = letter_issue(actor=branch["clerk_a"], member=paper)
    scan = scanned_pdf()
    link = link_receive_manual(
        actor=branch["clerk_a"], link=link, received_date=datetime.date.today(),
        scan=SimpleUploadedFile("phieu-bao.pdf", scan, content_type="application/pdf"),
    )  # fmt: skip
    archive = zipfile.ZipFile(io.BytesIO(subject_export(member=paper)))
    assert archive.read(f"phieu-bao/{link.pk}.pdf").startswith(b"%PDF-")
