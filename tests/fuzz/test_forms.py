"""Every page that writes, and the list pages' filters, fuzzed through the whole stack.

Each target starts from a valid submission and changes up to three fields to hostile values
(Vietnamese text in NFC and NFD, huge strings, control characters, odd Unicode, numbers and dates
in every form, ids that do not exist, a field sent twice or left out). Judged by harness.Fuzzer:
no 500, no partial write, a Vietnamese message for every refusal, no control characters stored.
"""

import datetime
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from .harness import Fuzzer
from .prerequisites import RECEIPT_CLERKS, RECEIPT_OTHERS, dates_received, readable_scans, unlisted_letter
from .strategies import (
    MISSING,
    any_text,
    choice_text,
    date_text,
    form_data,
    form_value,
    fuzz_settings,
    id_text,
    mutated,
    numbers_as_text,
    time_text,
    upload,
    vi_text,
)

N = 40  # examples per target in CI (FUZZ_SCALE multiplies it in bench/fuzz.py)


def fuzz_view(client, name, url, valid, hostile, *, method="post", n=N, urls=None, files=None, **extra):
    """Run `n` cases of one page. `urls`: a strategy of addresses (ids in the path); `files`:
    {field: strategy of (name, bytes)} sent as uploads."""
    fuzzer = Fuzzer(name, read_only=method == "get")
    files = files or {}
    url_strategy = urls if urls is not None else st.just(url)
    file_strategy = st.fixed_dictionaries(
        {k: st.one_of(v.map(lambda t: SimpleUploadedFile(t[0], t[1])), st.just(MISSING)) for k, v in files.items()}
    )

    @fuzz_settings(n)
    @given(url_strategy, mutated(valid, {k: form_value(v) for k, v in hostile.items()}), file_strategy)
    def case(address, data, uploads):
        data = {**data, **{k: v for k, v in uploads.items() if v is not MISSING}}
        fuzzer.view(client, method, address, data, **extra)

    case()
    fuzzer.check_reached()


def d(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def iso(day: datetime.date) -> str:
    return day.isoformat()


TEXT = any_text
DATE = date_text()
NOW = datetime.date.today()


# ---- members (dangvien) ---------------------------------------------------------------------


def member_fields(world):
    from tests.factories import citizen_id_for

    valid = {
        "full_name": "Nguyễn Văn Bình",
        "gender": "male",
        "birth_date": "12/03/1985",
        "citizen_id": citizen_id_for("male", datetime.date(1985, 3, 12), serial=999),
        "card_number": "",
        "admission_date": "19/05/2010",
        "full_membership_date": "19/05/2011",
        "status": "full",
        "organization": str(world["a1"].pk),
        "position": "Chuyên viên",
        "workplace_unit": "Sở Giáo dục",
        "residence_commune": "70",
        "residence_hamlet": "Tổ dân phố 5",
        "residence_street": "Số 12 Hàng Bài",
        "phone": "0912345678",
        "email": "",
        "covered_213": "on",
        "notes": "",
    }
    hostile = {name: TEXT for name in valid}
    hostile.update(
        birth_date=DATE,
        admission_date=DATE,
        full_membership_date=DATE,
        gender=choice_text(["male", "female"]),
        status=choice_text(["full", "probationary"]),
        organization=id_text(world["a1"].pk, world["b1"].pk, world["res"].pk, world["a"].pk),
        residence_commune=st.one_of(numbers_as_text, id_text(70, 1, 3321)),
        citizen_id=st.one_of(TEXT, st.from_regex(r"\A0[0-9]{11}\Z"), st.just(world["links"][0].member.citizen_id)),
        card_number=st.one_of(TEXT, st.from_regex(r"\A[0-9]{6,12}\Z")),
        email=st.one_of(TEXT, st.emails().map(str)),
    )
    return valid, hostile


def test_member_create(world, login):
    valid, hostile = member_fields(world)
    fuzz_view(login(world["clerk_a"]), "member_create", reverse("dangvien:create"), valid, hostile)


def test_member_edit(world, login):
    valid, hostile = member_fields(world)
    member = world["links"][0].member
    valid.update(citizen_id=member.citizen_id, reason="Cập nhật lý lịch")
    hostile["reason"] = TEXT
    urls = st.sampled_from([reverse("dangvien:edit", args=[member.pk]), reverse("dangvien:edit", args=[10**12])])
    fuzz_view(login(world["clerk_a"]), "member_edit", None, valid, hostile, urls=urls)


def test_letter_issue(world, login):
    signatory = world["a"].signatories.first()
    valid = {"signatory": str(signatory.pk), "duties": "Giáo viên"}
    hostile = {"signatory": id_text(signatory.pk, world["res"].signatories.first().pk), "duties": TEXT}
    url = reverse("dangvien:letter_issue", args=[world["newcomer"].pk])
    fuzz_view(login(world["clerk_a"]), "letter_issue", url, valid, hostile)


def test_exemption_add(world, login):
    valid = {
        "category": "full_time_study",
        "reason": "Học tập trung 18 tháng",
        "start_date": d(NOW),
        "end_date": d(NOW + datetime.timedelta(days=400)),
        "decided_by": "Đảng ủy Sở Giáo dục",
    }
    hostile = {
        "category": choice_text(["barracks", "mobile_work", "full_time_study", "secret_duty", "other"]),
        "reason": TEXT,
        "start_date": DATE,
        "end_date": DATE,
        "decided_by": TEXT,
    }
    url = reverse("dangvien:exemption_add", args=[world["newcomer"].pk])
    fuzz_view(login(world["clerk_a"]), "exemption_add", url, valid, hostile)


def test_change_notice(world, login):
    valid = {"kind": "position", "effective_date": d(NOW), "details": "Được bổ nhiệm Phó trưởng phòng"}
    hostile = {
        "kind": choice_text(["position", "moved_house", "retired", "died"]),
        "effective_date": DATE,
        "details": TEXT,
    }
    url = reverse("dangvien:change_notice", args=[world["links"][0].member.pk])
    fuzz_view(login(world["clerk_a"]), "change_notice", url, valid, hostile)


def test_link_receive(world, login):
    link = world["issued"]
    valid = {"received_date": d(NOW), "branch": str(world["res"].pk), "group": str(world["group"].pk)}
    hostile = {
        "received_date": DATE,
        "branch": id_text(world["res"].pk, world["a1"].pk),
        "group": id_text(world["group"].pk),
    }
    url = reverse("dangvien:link_receive", args=[link.pk])
    fuzz_view(login(world["office"]), "link_receive", url, valid, hostile)


# Who records which paper receipt through the page. The member's clerk (or an office or
# administrator above) with the letter to a commune that no committee covers, a date since it was
# issued, typed in one of the accepted formats, and a readable scan (PNG or PDF) are drawn about half
# of the time; the rest are any user, link, date and file: another workplace's clerk or the residence
# side (not found), a letter whose residence committee is in the system, a link already received or
# that does not exist, any date, the date sent twice or left out, no scan or a file that is not one.
RECEIPT_LINKS = ["unlisted", "issued", "received", "unknown"]
TYPED_DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]  # DATE_INPUT_FORMATS (config/formats)


def manual_receipts(unlisted):
    """(user, link name, POST data, scan as (name, bytes) or MISSING)."""
    from tests.images import scanned_pdf

    typed = st.tuples(dates_received(unlisted), st.sampled_from(TYPED_DATE_FORMATS)).map(lambda t: t[0].strftime(t[1]))
    valid = st.tuples(
        st.sampled_from(RECEIPT_CLERKS),
        st.just("unlisted"),
        st.fixed_dictionaries({"received_date": typed}),
        readable_scans(),
    )
    anything = st.tuples(
        st.sampled_from(RECEIPT_CLERKS + RECEIPT_OTHERS),
        st.sampled_from(RECEIPT_LINKS),
        form_data({"received_date": st.one_of(typed, DATE)}),
        st.one_of(st.just(MISSING), readable_scans(), upload(extra_contents=[scanned_pdf()])),
    )
    return st.one_of(valid, anything)


def test_link_receive_manual(world, login):
    """A receipt the residence side sent on paper, recorded through the page (the link received, the
    scan stored, back to the inbox) or refused, never a 500 nor a partial write. Every case used to
    be refused: the one letter offered went to a commune whose committee is in the system (it
    records the receipt itself); the one case counted as accepted was an empty POST, answered with
    the blank form. A case is now accepted only if it redirects to the inbox with the receipt
    written."""
    from dangvien.models import LinkState, ResidenceLink

    name = "link_receive_manual"
    unlisted = unlisted_letter(world)
    links = {"unlisted": unlisted.pk, "issued": world["issued"].pk, "received": world["links"][0].pk, "unknown": 10**12}
    clients = {user: login(world[user]) for user in RECEIPT_CLERKS + RECEIPT_OTHERS}
    inbox = reverse("dangvien:workplace_inbox")
    fuzzer = Fuzzer(name)

    @fuzz_settings(N)
    @given(manual_receipts(unlisted))
    def case(request):
        user, link, data, scan = request
        pk = links[link]

        def recorded(response):
            written = ResidenceLink.objects.filter(pk=pk, state=LinkState.RECEIVED).exclude(acknowledgement_scan="")
            return response.status_code == 302 and response.url == inbox and written.exists()

        if scan is not MISSING:
            data = {**data, "scan": SimpleUploadedFile(*scan)}
        url = reverse("dangvien:link_receive_manual", args=[pk])
        fuzzer.view(clients[user], "post", url, data, accepted=recorded)

    case()
    fuzzer.check_reached(refused_too=True)


def test_letter_revoke(world, login):
    valid = {"reason": "Sai địa chỉ nơi cư trú"}
    url = reverse("dangvien:letter_revoke", args=[world["issued"].pk])
    fuzz_view(login(world["clerk_a"]), "letter_revoke", url, valid, {"reason": TEXT})


def test_batch_new(world, login):
    ids = [world["newcomer"].pk, world["links"][0].member.pk]
    signatory = world["a"].signatories.first()
    valid = {"member": [str(i) for i in ids], "confirm": "1", "signatory": str(signatory.pk), "duties": ""}
    hostile = {
        "member": st.lists(id_text(*ids), max_size=4),
        "confirm": TEXT,
        "signatory": id_text(signatory.pk),
        "duties": TEXT,
    }
    fuzz_view(login(world["clerk_a"]), "batch_new", reverse("dangvien:batch_new"), valid, hostile)


# ---- organisations, branches, meetings (chibo) ----------------------------------------------


def test_signing_stamp(world, login):
    from chibo.sample_images import stamp_png

    url = reverse("chibo:signing", args=[world["a"].pk])
    files = {"stamp-stamp": upload(extra_contents=[stamp_png(1)])}
    valid = {"form": "stamp"}
    fuzz_view(login(world["clerk_a"]), "signing_stamp", url, valid, {"form": TEXT}, files=files, n=N // 2)


def test_signing_signer(world, login):
    from chibo.sample_images import signature_png

    url = reverse("chibo:signing", args=[world["a"].pk])
    files = {"signer-signature": upload(extra_contents=[signature_png(1)])}
    valid = {"form": "signer", "signer-full_name": "Phạm Thị Lan", "signer-title": "deputy"}
    hostile = {"signer-full_name": TEXT, "signer-title": choice_text(["secretary", "deputy"])}
    fuzz_view(login(world["clerk_a"]), "signing_signer", url, valid, hostile, files=files, n=N // 2)


def test_group_new_and_edit(world, login):
    client = login(world["secretary"])
    res, group = world["res"], world["group"]
    valid = {"name": "Tổ 2", "leader": str(world["leader"].pk)}
    hostile = {"name": TEXT, "leader": id_text(world["leader"].pk, world["clerk_a"].pk), "delete": TEXT}
    fuzz_view(client, "group_new", reverse("chibo:group_new", args=[res.pk]), valid, hostile)
    url = reverse("chibo:group_edit", args=[res.pk, group.pk])
    fuzz_view(client, "group_edit", url, valid, {k: v for k, v in hostile.items() if k != "delete"})


def test_members_move(world, login):
    links = [link.pk for link in world["links"]]
    valid = {"links": [str(links[0])], "group": str(world["group"].pk)}
    hostile = {"links": st.lists(id_text(*links), max_size=4), "group": id_text(world["group"].pk)}
    url = reverse("chibo:members_move", args=[world["res"].pk])
    fuzz_view(login(world["secretary"]), "members_move", url, valid, hostile)


def meeting_fields():
    today = timezone.localdate()
    valid = {
        "kind": "when_needed",
        "day": iso(today),
        "time": "19:30",
        "year": str(today.year),
        "half": "1" if today.month <= 6 else "2",
        "place": "Nhà văn hóa tổ 5",
        "agenda": "Triển khai nghị quyết\nNhận xét đảng viên",
    }
    hostile = {
        "kind": choice_text(["periodic", "when_needed"]),
        "day": DATE,
        "time": time_text,
        "year": st.one_of(numbers_as_text, st.integers(1999, 2101).map(str)),
        "half": choice_text(["1", "2", "0", "3"]),
        "place": TEXT,
        "agenda": TEXT,
    }
    return valid, hostile


def test_meeting_new(world, login):
    valid, hostile = meeting_fields()
    url = reverse("chibo:meeting_new", args=[world["res"].pk])
    fuzz_view(login(world["secretary"]), "meeting_new", url, valid, hostile)


def test_meeting_edit(world, login):
    valid, hostile = meeting_fields()
    url = reverse("chibo:meeting_edit", args=[world["meeting"].pk])
    fuzz_view(login(world["secretary"]), "meeting_edit", url, valid, hostile)


def test_meeting_attendance(world, login):
    meeting = world["meeting"]
    members = list(meeting.attendance.values_list("member_id", flat=True))
    valid = {"member": str(members[0]), "version": "0", "status": "present", "reason": ""}
    hostile = {
        "member": id_text(*members),
        "version": st.one_of(numbers_as_text, st.integers(-2, 3).map(str)),
        "status": choice_text(["present", "excused", "unexcused", ""]),
        "reason": TEXT,
    }
    url = reverse("chibo:meeting_attendance", args=[meeting.pk])
    fuzz_view(login(world["secretary"]), "meeting_attendance", url, valid, hostile)


def test_meeting_close(world, login):
    from chibo.services import attendance_mark

    meeting = world["meeting"]
    for row in meeting.attendance.all():
        attendance_mark(
            actor=world["secretary"], meeting=meeting, member_id=row.member_id, status="present", version=row.version
        )
    url = reverse("chibo:meeting_close", args=[meeting.pk])
    valid = {"minutes": "Chi bộ đã thông qua nghị quyết."}
    files = {"attachment": upload()}
    fuzz_view(login(world["secretary"]), "meeting_close", url, valid, {"minutes": TEXT}, files=files)


def test_attendance_correct(world, login):
    from chibo.services import attendance_mark, meeting_close

    meeting = world["meeting"]
    for row in meeting.attendance.all():
        attendance_mark(
            actor=world["secretary"], meeting=meeting, member_id=row.member_id, status="present", version=row.version
        )
    meeting_close(actor=world["secretary"], meeting=meeting, minutes="Biên bản")
    member_id = meeting.attendance.first().member_id
    valid = {"status": "excused", "reason": "Ốm", "why": "Ghi nhầm khi điểm danh"}
    hostile = {"status": choice_text(["present", "excused", "unexcused"]), "reason": TEXT, "why": TEXT}
    url = reverse("chibo:attendance_correct", args=[meeting.pk, member_id])
    fuzz_view(login(world["secretary"]), "attendance_correct", url, valid, hostile)


# ---- evaluation (nhanxet) -------------------------------------------------------------------


def test_period_new(world, login):
    year = world["year"] + 1
    valid = {
        "organization": str(world["commune"].pk),
        "year": str(year),
        "scope": "all",
        "branch_deadline": f"{year}-12-10",
        "confirm_deadline": f"{year}-12-20",
        "forward_deadline": f"{year}-12-31",
    }
    hostile = {
        "organization": id_text(world["commune"].pk, world["a"].pk),
        "year": st.one_of(numbers_as_text, st.integers(2019, 2101).map(str)),
        "scope": choice_text(["all", "requested"]),
        "branch_deadline": DATE,
        "confirm_deadline": DATE,
        "forward_deadline": DATE,
    }
    fuzz_view(login(world["office"]), "period_new", reverse("nhanxet:period_new"), valid, hostile)


def test_front_meeting(world, login):
    valid = {"held_on": iso(NOW), "attendees": "Chi ủy; Mặt trận", "notes": ""}
    hostile = {"held_on": DATE, "attendees": TEXT, "notes": TEXT}
    years = st.sampled_from([world["year"], world["year"] + 1, 1999, 9999])
    urls = years.map(lambda y: reverse("nhanxet:front_meeting", args=[world["res"].pk, y]))
    fuzz_view(login(world["secretary"]), "front_meeting", None, valid, hostile, urls=urls)


def test_sign(world, login):
    ids = [world["draft"].pk, world["signed"].pk]
    valid = {"forms": [str(world["draft"].pk)]}
    url = reverse("nhanxet:sign", args=[world["res"].pk, world["year"]])
    fuzz_view(login(world["secretary"]), "sign", url, valid, {"forms": st.lists(id_text(*ids), max_size=3)})


def evaluation_fields(world, draft=None):
    valid = {
        "lock_version": str(draft.lock_version if draft else 0),
        **{f"c_{code}": level for code, level in world["answers"].items()},
        "remarks": "Gương mẫu, nhiệt tình",
        "conclusion": "commend",
        "conclusion_details": "Vận động bà con làm đường",
    }
    hostile = {name: choice_text(["good", "fair", "poor"]) for name in valid if name.startswith("c_")}
    hostile.update(
        lock_version=st.one_of(numbers_as_text, st.integers(-1, 3).map(str)),
        remarks=TEXT,
        conclusion=choice_text(["commend", "none", "handle"]),
        conclusion_details=TEXT,
        c_unknown=TEXT,
        r_meetings=TEXT,
        r_conclusion=TEXT,
        r_unknown=TEXT,
        next=st.sampled_from(["/", "//evil.example", "https://evil.example/", "/nhan-xet/", "javascript:alert(1)"]),
    )
    return valid, hostile


def test_evaluation_form(world, login):
    client = login(world["secretary"])
    draft = world["draft"]
    valid, hostile = evaluation_fields(world, draft)
    url = reverse("nhanxet:form", args=[world["res"].pk, world["year"], draft.link_id])
    fuzz_view(client, "evaluation_form_json", url, valid, hostile, headers={"Accept": "application/json"})
    valid, hostile = evaluation_fields(world)
    url = reverse("nhanxet:form", args=[world["res"].pk, world["year"], world["links"][4].pk])
    fuzz_view(client, "evaluation_form_page", url, valid, hostile, n=N // 2)


def test_request_form(world, login):
    valid, hostile = evaluation_fields(world)
    url = reverse("nhanxet:request_form", args=[world["request"].pk])
    fuzz_view(login(world["secretary"]), "request_form", url, valid, hostile, headers={"Accept": "application/json"})


def test_correct(world, login):
    url = reverse("nhanxet:correct", args=[world["signed"].pk])
    fuzz_view(login(world["secretary"]), "evaluation_correct", url, {"reason": "Ghi nhầm mức"}, {"reason": TEXT})


def test_commune_confirm_forward(world, login):
    ids = [world["signed"].pk, world["draft"].pk]
    valid = {"action": "confirm", "forms": [str(world["signed"].pk)]}
    hostile = {"action": choice_text(["confirm", "forward"]), "forms": st.lists(id_text(*ids), max_size=3)}
    url = reverse("nhanxet:commune", args=[world["commune"].pk])
    fuzz_view(login(world["office"]), "commune_confirm", url, valid, hostile)


def test_rating(world, login):
    member = world["links"][0].member
    valid = {"scheme": "qd366", "score": "85", "level": "good", "notes": ""}
    hostile = {
        "scheme": choice_text(["qd366", "qd124", ""]),
        "score": choice_text(["85", "85,5", "100", "101", "-1", "NaN", "1e309", ""]),
        "group_general": choice_text(["27", "31", ""]),
        "level": choice_text(["excellent", "good", "done", "not_done", ""]),
        "lower_reason": TEXT,
        "notes": TEXT,
    }
    years = st.sampled_from([world["year"], world["year"] - 1, 1, 2100, 9999, 10**6])
    urls = years.map(lambda y: reverse("nhanxet:rating", args=[member.pk, y]))
    fuzz_view(login(world["clerk_a"]), "rating", None, valid, hostile, urls=urls)


def test_proposal_act(world, login):
    valid = {"action": "commended", "action_note": "Đã biểu dương"}
    hostile = {"action": choice_text(["commended", "reminded", "handled", "none"]), "action_note": TEXT}
    url = reverse("nhanxet:proposal_act", args=[world["proposal"].pk])
    fuzz_view(login(world["clerk_a"]), "proposal_act", url, valid, hostile)


def test_proposal_new(world, login):
    valid = {"kind": "remind", "facts": "Vắng sinh hoạt hai lần"}
    hostile = {"kind": choice_text(["commend", "remind", "handle"]), "facts": TEXT}
    url = reverse("nhanxet:proposal_new", args=[world["res"].pk, world["links"][1].pk])
    fuzz_view(login(world["secretary"]), "proposal_new", url, valid, hostile)


def test_request_new(world, login):
    valid = {"purpose": "appointment", "details": "Quy hoạch cán bộ", "due_date": iso(NOW + datetime.timedelta(15))}
    hostile = {"purpose": choice_text(["appointment", "award", "discipline", "other"]), "details": TEXT}
    hostile["due_date"] = DATE
    url = reverse("nhanxet:request_new", args=[world["links"][0].member.pk])
    fuzz_view(login(world["clerk_a"]), "request_new", url, valid, hostile)


# ---- import, reports, account ---------------------------------------------------------------

CSV = "Họ và tên,Ngày sinh,Giới tính,Số CCCD\nNguyễn Văn A,01/01/1980,Nam,033080000123\n".encode()


def test_import_upload(world, login):
    valid = {"organization": str(world["a"].pk)}
    hostile = {"organization": id_text(world["a"].pk, world["b"].pk)}
    files = {"file": upload(extra_contents=[CSV, CSV.decode().encode("cp1258", "replace")])}
    url = reverse("nhapdulieu:upload")
    fuzz_view(login(world["clerk_a"]), "import_upload", url, valid, hostile, files=files)


def test_import_job(world, login):
    from nhapdulieu.services import import_upload

    job = import_upload(actor=world["clerk_a"], organization=world["a"], uploaded=SimpleUploadedFile("ds.csv", CSV))
    fields = ["", "full_name", "birth_date", "gender", "citizen_id", "phone"]
    valid = {"action": "check", "duplicates": "skip", "mode": "valid"}
    valid.update({f"col_{n}": value for n, value in enumerate(["full_name", "birth_date", "gender", "citizen_id"])})
    hostile = {f"col_{n}": choice_text(fields) for n in range(5)}
    hostile.update(
        action=choice_text(["check", "communes", "write"]),
        duplicates=choice_text(["skip", "update"]),
        mode=choice_text(["valid", "all"]),
        commune_0=TEXT,
    )
    url = reverse("nhapdulieu:job", args=[job.pk])
    fuzz_view(login(world["clerk_a"]), "import_job", url, valid, hostile)


def period_params():
    return {"year": st.one_of(numbers_as_text, st.integers(1990, 2200).map(str)), "half": choice_text(["1", "2"])}


# Who asks for which organisation's report. The pairs that may issue it (the office of a committee
# or branch with a signatory and a stamp, or an office above it) are drawn about half of the time;
# the rest are any user with any organisation: no role to issue (a group leader), an organisation
# outside the user's scope or that does not exist, the stand-in for all of a user's organisations
# (0), one with no signatory configured (the province, a branch of a workplace committee).
REPORT_ALLOWED = [
    ("board", "a"), ("board", "b"), ("board", "commune"), ("board", "res"), ("clerk_a", "a"),
    ("office", "commune"), ("office", "res"), ("secretary", "res"), ("admin", "a"), ("admin", "commune"),
]  # fmt: skip
REPORT_USERS = sorted({user for user, _ in REPORT_ALLOWED} | {"leader", "clerk_b"})
REPORT_ORGS = ["province", "a", "a1", "b", "b1", "commune", "res", "q1", 0, 10**6]


def report_requests(world):
    """(user, organisation pk, query string) of a request to issue a report. The figures exist for
    this year only: a year in range without figures is refused; one out of range or not a number
    falls back to this year (the dashboard's rule), so it may be accepted."""
    org_pk = {name: world[name].pk for name in REPORT_ORGS if isinstance(name, str)}
    every_pair = [(user, org) for user in REPORT_USERS for org in REPORT_ORGS]
    pairs = st.sampled_from(REPORT_ALLOWED * 8 + every_pair).map(lambda p: (p[0], org_pk.get(p[1], p[1])))
    year = st.one_of(
        st.just(str(world["year"])),
        st.just(str(world["year"])),
        st.integers(2000, world["year"] + 1).map(str),
        numbers_as_text,
        st.integers(1990, 2200).map(str),
    )
    params = st.fixed_dictionaries({"year": form_value(year), "half": form_value(choice_text(["1", "2"]))})
    query = params.map(lambda p: urlencode({k: v for k, v in p.items() if v is not MISSING}, doseq=True))
    return st.tuples(pairs, query).map(lambda t: (*t[0], t[1]))


def test_report_issue(world, login):
    """The formal report, issued (a numbered document) or refused, never a 500 nor a partial write.
    The figures of this year are computed first: without them every request was refused ("not
    computed yet"), so the issuing itself was never fuzzed."""
    from baocao.services import figures_refresh

    figures_refresh(year=world["year"])
    clients = {name: login(world[name]) for name in REPORT_USERS}
    fuzzer = Fuzzer("report_issue")

    @fuzz_settings(N // 2)
    @given(report_requests(world))
    def case(request):
        user, org, query = request
        fuzzer.view(clients[user], "post", reverse("baocao:report", args=[org]) + f"?{query}", {})

    case()
    fuzzer.check_reached(refused_too=True)


def test_notification_settings(world, login):
    valid = {"email_kinds": ["letter", "meeting"], "digest": "daily"}
    kinds = ["letter", "meeting", "evaluation", "digest", "general"]
    hostile = {
        "email_kinds": st.lists(choice_text(kinds), max_size=6),
        "digest": choice_text(["immediate", "daily", "weekly"]),
        "sms": TEXT,
        "zalo": TEXT,
    }
    url = reverse("taikhoan:notification_settings")
    fuzz_view(login(world["clerk_a"]), "notification_settings", url, valid, hostile)


# ---- read-only pages: filters in the query string -------------------------------------------

MEMBER_FILTERS = {
    "q": st.one_of(TEXT, vi_text),
    "org": id_text(),
    "status": choice_text(["full", "probationary"]),
    "covered": choice_text(["1", "0", "letter"]),
    "after": TEXT,
    "before": TEXT,
}


@pytest.mark.parametrize("name", ["dangvien:list", "dangvien:list_xlsx"])
def test_member_list_filters(world, login, name):
    hostile = {**MEMBER_FILTERS, "org": id_text(world["a"].pk, world["res"].pk, world["q1"].pk)}
    client = login(world["clerk_a"])
    fuzz_view(client, name, reverse(name), {"q": "nguyen"}, hostile, method="get", n=N // 2)


def test_inboxes_and_lists(world, login):
    states = choice_text(["pending", "letter_issued", "received", "active", "ended", "notices", "absences"])
    client = login(world["office"])
    for name in ("dangvien:workplace_inbox", "dangvien:residence_inbox", "dangvien:workplace_inbox_xlsx"):
        fuzz_view(client, name, reverse(name), {}, {"state": states}, method="get", n=N // 6)
    statuses = choice_text(["scheduled", "closed", "cancelled"])
    for name in ("chibo:meetings", "chibo:meetings_xlsx"):
        fuzz_view(client, name, reverse(name), {}, {"status": statuses}, method="get", n=N // 6)
    fuzz_view(
        client,
        "taikhoan:notifications",
        reverse("taikhoan:notifications"),
        {},
        {"chua-doc": TEXT},
        method="get",
        n=N // 6,
    )
    search = {"q": TEXT, "target": TEXT}
    fuzz_view(client, "chibo:commune_search", reverse("chibo:commune_search"), {}, search, method="get", n=N // 6)


def test_evaluation_pages_by_year(world, login):
    client = login(world["clerk_a"])
    year = {"year": st.one_of(numbers_as_text, st.integers(1990, 2200).map(str))}
    for name in ("nhanxet:index", "nhanxet:incoming", "nhanxet:incoming_xlsx"):
        fuzz_view(client, name, reverse(name), {}, year, method="get", n=N // 6)
    years = st.sampled_from([world["year"], 1, 1999, 2101, 9999, 10**9])
    secretary = login(world["secretary"])
    urls = years.map(lambda y: reverse("nhanxet:branch", args=[world["res"].pk, y]))
    fuzz_view(secretary, "nhanxet:branch", None, {}, {}, method="get", urls=urls, n=N // 6)


def test_dashboards(world, login):
    viewer = world["board"]
    client = login(viewer)
    province = world["province"].pk
    keys = st.one_of(st.sampled_from(["covered", "introduced", "active", "exempt", "letter"]), TEXT.filter(bool))
    params = {**period_params(), "page": st.one_of(numbers_as_text, TEXT)}
    fuzz_view(client, "baocao:org", reverse("baocao:org", args=[province]), {}, params, method="get", n=N // 4)
    fuzz_view(client, "baocao:xlsx", reverse("baocao:xlsx", args=[province]), {}, params, method="get", n=N // 6)
    urls = keys.map(lambda k: reverse("baocao:members", args=[province, k.replace("/", "")[:50] or "x"]))
    fuzz_view(client, "baocao:members", None, {}, params, method="get", urls=urls, n=N // 4)
