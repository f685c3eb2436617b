"""Every service that takes what a user typed, fuzzed directly (faster than a page, and deeper: the
values reach the service's own checks without a form's parsing in front).

Values have the types the forms give (text, dates, numbers, model instances, lists of ids); wrong
types and missing fields are fuzzed through the pages (test_forms.py). Text is anything: NFC and NFD
Vietnamese, huge, control characters, odd Unicode. Dates run from 0001-01-01 to 9999-12-31.
"""

import copy
import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from .harness import Fuzzer
from .prerequisites import (
    COMMUNE_OFFICES,
    COMMUNE_OTHERS,
    RECEIPT_CLERKS,
    RECEIPT_OTHERS,
    dates_received,
    listed_letter,
    readable_scans,
    signed_commend_form,
    unlisted_letter,
)
from .strategies import (
    any_text,
    boundary_dates,
    date_value,
    dates_near,
    fuzz_settings,
    mutated,
    upload,
    vi_text,
)

N = 40  # examples per service in CI (FUZZ_SCALE multiplies it in bench/fuzz.py)
TODAY = datetime.date.today()


def text(valid="Nguyễn Văn Bình"):
    return st.one_of(st.just(valid), vi_text, any_text, any_text)


def day(center=TODAY, optional=False):
    return date_value(center, optional=optional)


def fuzz_service(name, call, kwargs, *, n=N, refusals=()):
    """`n` cases of `call(**drawn kwargs)`; `kwargs` is {name: strategy}, or a strategy of such dicts."""
    fuzzer = Fuzzer(name)

    @fuzz_settings(n)
    @given(st.fixed_dictionaries(kwargs) if isinstance(kwargs, dict) else kwargs)
    def case(drawn):
        # A copy per case: a service may change the instances it is given (never saved when it
        # refuses), and the next case must not see that.
        drawn = copy.deepcopy(drawn)
        fuzzer.service(lambda: call(**drawn), inputs=drawn, refusals=refusals)

    case()
    fuzzer.check_reached()


def ids(*existing):
    """Lists of ids: the first existing one alone (so some cases are accepted), or any mix."""
    return st.one_of(
        st.just([existing[0]]),
        st.lists(st.one_of(st.sampled_from(existing), st.integers(-(2**63), 2**63 - 1), st.just(0)), max_size=4),
    )


# ---- members and links (dangvien) -----------------------------------------------------------


def member_data(world):
    """(valid, hostile) values of member_create's `data`."""
    from chibo.models import Commune
    from tests.factories import citizen_id_for

    born = datetime.date(1985, 3, 12)
    valid = {
        "full_name": "Nguyễn Văn Bình",
        "gender": "male",
        "birth_date": born,
        "citizen_id": citizen_id_for("male", born, serial=999),
        "card_number": None,
        "admission_date": datetime.date(2010, 5, 19),
        "full_membership_date": datetime.date(2011, 5, 19),
        "status": "full",
        "organization": world["a1"],
        "position": "Chuyên viên",
        "workplace_unit": "Sở Giáo dục",
        "residence_commune": Commune.objects.get(code=70),
        "residence_hamlet": "Tổ 5",
        "residence_street": "Số 12",
        "phone": "0912345678",
        "email": "",
        "covered_213": True,
        "notes": "",
    }
    hostile = {name: any_text for name in valid}
    hostile.update(
        gender=st.sampled_from(["female", "", "x"]),
        birth_date=day(born, optional=True),
        card_number=st.one_of(st.from_regex(r"\A[0-9]{6,12}\Z"), any_text),
        admission_date=day(datetime.date(2010, 5, 19), optional=True),
        full_membership_date=day(datetime.date(2011, 5, 19), optional=True),
        status=st.sampled_from(["probationary", "", "dead"]),
        organization=st.sampled_from([world["a"], world["b1"], world["res"]]),
        residence_commune=st.none(),
        citizen_id=st.one_of(st.from_regex(r"\A0[0-9]{11}\Z"), any_text, st.just(world["links"][1].member.citizen_id)),
        email=st.one_of(st.emails(), any_text),
        covered_213=st.just(False),
    )
    return valid, hostile


def test_member_create_and_update(world):
    from dangvien.services import member_create, member_update

    valid, hostile = member_data(world)
    fuzz_service(
        "svc:member_create",
        lambda **kw: member_create(actor=world["clerk_a"], **kw),
        {"data": mutated(valid, hostile)},
    )
    member = world["links"][0].member
    partial = st.dictionaries(st.sampled_from(sorted(hostile)), st.none(), max_size=4).flatmap(
        lambda keys: st.fixed_dictionaries({k: st.one_of(st.just(valid[k]), hostile[k]) for k in keys})
    )
    fuzz_service(
        "svc:member_update",
        lambda **kw: member_update(actor=world["clerk_a"], member=member, **kw),
        {"data": partial, "reason": text("")},
    )


def test_exemption_record(world):
    from dangvien.services import exemption_record

    fuzz_service(
        "svc:exemption_record",
        lambda **kw: exemption_record(actor=world["clerk_a"], member=world["newcomer"], **kw),
        {
            "category": st.sampled_from(["barracks", "full_time_study", "secret_duty", "other", "", "x"]),
            "reason": text("Học tập trung"),
            "start_date": day(),
            "end_date": day(optional=True),
            "decided_by": text("Đảng ủy Sở"),
        },
    )


def test_letters(world):
    from dangvien.services import letter_issue, letter_revoke
    from dangvien.services.batches import letter_batch_start

    clerk = world["clerk_a"]
    signatories = [world["a"].signatories.first(), world["res"].signatories.first(), None]
    fuzz_service(
        "svc:letter_issue",
        lambda **kw: letter_issue(actor=clerk, member=world["newcomer"], **kw),
        {"signatory": st.sampled_from(signatories), "duties": text("Giáo viên")},
        n=N // 2,
    )
    fuzz_service(
        "svc:letter_batch_start",
        lambda **kw: letter_batch_start(actor=clerk, **kw),
        {
            "member_ids": ids(world["newcomer"].pk, world["links"][0].member_id, world["links"][3].member_id),
            "signatory": st.sampled_from(signatories),
            "duties": text(""),
        },
    )
    fuzz_service(
        "svc:letter_revoke",
        lambda **kw: letter_revoke(actor=clerk, link=world["issued"], **kw),
        {"reason": text("Sai địa chỉ")},
        n=N // 2,
    )


# Who receives which letter. The commune committee's office (or an office or administrator above)
# with a letter to its commune, a date since the letter was issued, its residence branch and the
# branch's party group or none is drawn about half of the time; the rest are any of them: a
# workplace's clerk, the branch secretary or a group leader (no right), a letter to a commune no
# committee covers, one issued today (any earlier date is before it), a link already received, a
# date in the future, at the calendar's edges or missing, the commune itself, a workplace branch or
# no branch.
RECEIVE_LINKS = ["listed", "issued", "unlisted", "received"]
RECEIVE_BRANCHES = ["res", "a1", "commune", None]


def receive_requests(listed):
    """(user, link name, received date, branch name, group name)."""
    group = st.sampled_from(["group", None])
    valid = st.tuples(
        st.sampled_from(COMMUNE_OFFICES), st.just("listed"), dates_received(listed), st.just("res"), group
    )
    anything = st.tuples(
        st.sampled_from(COMMUNE_OFFICES + COMMUNE_OTHERS),
        st.sampled_from(RECEIVE_LINKS),
        day(optional=True),
        st.sampled_from(RECEIVE_BRANCHES),
        group,
    )
    return st.one_of(valid, anything)


def test_link_receive(world):
    """A letter received by the residence side (branch assigned, acknowledgement issued, meetings
    joined) or refused, never a 500 nor a partial write. Almost every case used to be refused: the
    one letter offered was issued today, so only today's date could be right, and only one branch
    of four was."""
    from dangvien.services import link_receive

    name = "svc:link_receive"
    listed = listed_letter(world)
    links = {
        "listed": listed,
        "issued": world["issued"],
        "unlisted": unlisted_letter(world),
        "received": world["links"][0],
    }
    fuzzer = Fuzzer(name)

    @fuzz_settings(N // 2)
    @given(receive_requests(listed))
    def case(request):
        user, link, received_date, branch, group = request
        fuzzer.service(
            lambda: link_receive(
                actor=world[user],
                link=links[link],
                received_date=received_date,
                branch=world[branch] if branch else None,
                group=world[group] if group else None,
            ),
            inputs={"user": user, "link": link, "received_date": received_date, "branch": branch, "group": group},
        )

    case()
    fuzzer.check_reached(refused_too=True)


# Who records which paper receipt. The workplace clerk of the member (or an office or administrator
# above) with a letter sent to a commune that no committee in the system covers is drawn about half
# of the time, with a date from the letter's issue to today and a readable scan (PNG or PDF); the
# rest are any user, link, date and file: another workplace's clerk or the residence side (no right),
# a letter whose residence committee is in the system (it records the receipt itself), a link
# already received, a date in the future, at the calendar's edges or missing, no scan, a file that
# is not a scan.
def receipt_requests(unlisted):
    """(user, link name, received date, scan as (name, bytes) or None)."""
    from tests.images import scanned_pdf

    scans = readable_scans()
    valid = st.tuples(st.sampled_from(RECEIPT_CLERKS), st.just("unlisted"), dates_received(unlisted), scans)
    anything = st.tuples(
        st.sampled_from(RECEIPT_CLERKS + RECEIPT_OTHERS),
        st.sampled_from(["unlisted", "issued", "received"]),
        day(optional=True),
        st.one_of(st.none(), scans, upload(extra_contents=[scanned_pdf()])),
    )
    return st.one_of(valid, anything)


def test_link_receive_manual(world):
    """A receipt the residence side sent on paper, recorded (the link received, the scan stored) or
    refused, never a 500 nor a partial write. Every case used to be refused: the only letter offered
    went to a commune whose committee is in the system, which records the receipt itself."""
    from dangvien.services import link_receive_manual

    name = "svc:link_receive_manual"
    unlisted = unlisted_letter(world)
    links = {"unlisted": unlisted, "issued": world["issued"], "received": world["links"][0]}
    fuzzer = Fuzzer(name)

    @fuzz_settings(N // 2)
    @given(receipt_requests(unlisted))
    def case(request):
        user, link, received_date, scan = request
        upload_ = SimpleUploadedFile(*scan) if scan else None
        fuzzer.service(
            lambda: link_receive_manual(actor=world[user], link=links[link], received_date=received_date, scan=upload_),
            inputs={"user": user, "link": link, "received_date": received_date, "scan": scan and scan[0]},
        )

    case()
    fuzzer.check_reached(refused_too=True)


def test_change_notice(world):
    from dangvien.models import ChangeKind
    from dangvien.services import change_notice_issue

    fuzz_service(
        "svc:change_notice_issue",
        lambda **kw: change_notice_issue(actor=world["clerk_a"], member=world["links"][0].member, **kw),
        {
            "kind": st.sampled_from([*ChangeKind.values, "", "x"]),
            "effective_date": day(optional=True),
            "details": text(""),
        },
    )


# ---- branches and meetings (chibo) ----------------------------------------------------------


def starts_at():
    times = st.sampled_from([datetime.time(0, 0), datetime.time(19, 30), datetime.time(23, 59)])
    days = st.one_of(dates_near(TODAY, 200), boundary_dates)
    return st.tuples(days, times).map(lambda t: timezone.make_aware(datetime.datetime.combine(*t)))


def meeting_kwargs():
    return {
        "kind": st.sampled_from(["periodic", "when_needed", "", "x"]),
        "starts_at": starts_at(),
        "place": text("Nhà văn hóa"),
        "agenda": text("Sinh hoạt"),
        "year": st.one_of(st.none(), st.integers(1999, 2101), st.integers(-(2**31), 2**31)),
        "half": st.one_of(st.none(), st.integers(0, 3)),
    }


def test_groups(world):
    from chibo.services import members_group_set, party_group_save

    secretary, res = world["secretary"], world["res"]
    fuzz_service(
        "svc:party_group_save",
        lambda **kw: party_group_save(actor=secretary, branch=res, **kw),
        {
            "name": text("Tổ 2"),
            "leader": st.sampled_from([world["leader"], world["clerk_a"], None]),
            "group": st.sampled_from([world["group"], None]),
        },
    )
    link_ids = [link.pk for link in world["links"]]
    fuzz_service(
        "svc:members_group_set",
        lambda **kw: members_group_set(actor=secretary, branch=res, **kw),
        {
            "link_ids": st.one_of(ids(*link_ids), st.lists(any_text, max_size=3)),
            "group": st.sampled_from([world["group"], None]),
        },
    )


def test_meetings(world):
    from chibo.services import AttendanceConflict, attendance_mark, meeting_schedule, meeting_update

    secretary, meeting = world["secretary"], world["meeting"]
    fuzz_service(
        "svc:meeting_schedule",
        lambda **kw: meeting_schedule(actor=secretary, branch=world["res"], **kw),
        meeting_kwargs(),
    )
    fuzz_service(
        "svc:meeting_update", lambda **kw: meeting_update(actor=secretary, meeting=meeting, **kw), meeting_kwargs()
    )
    members = list(meeting.attendance.values_list("member_id", flat=True))
    fuzz_service(
        "svc:attendance_mark",
        lambda **kw: attendance_mark(actor=secretary, meeting=meeting, **kw),
        {
            "member_id": st.one_of(st.sampled_from(members), st.integers(-(2**63), 2**63 - 1)),
            "status": st.sampled_from(["present", "excused", "unexcused", "", "x"]),
            "reason": text("Ốm"),
            "version": st.integers(-1, 2),
        },
        refusals=(AttendanceConflict,),
    )


def test_meeting_close_and_correct(world):
    from chibo.services import attendance_correct, attendance_mark, meeting_close

    secretary, meeting = world["secretary"], world["meeting"]
    # Present and absent in turn: a drawn correction to either status changes someone's attendance.
    for i, row in enumerate(meeting.attendance.order_by("member_id")):
        status = "present" if i % 2 else "unexcused"
        attendance_mark(actor=secretary, meeting=meeting, member_id=row.member_id, status=status, version=row.version)
    fuzz_service(
        "svc:meeting_close",
        lambda **kw: meeting_close(actor=secretary, meeting=meeting, **kw),
        {"minutes": text("Biên bản")},
    )
    meeting_close(actor=secretary, meeting=meeting, minutes="Biên bản")
    members = list(meeting.attendance.values_list("member_id", flat=True))
    fuzz_service(
        "svc:attendance_correct",
        lambda **kw: attendance_correct(actor=secretary, meeting=meeting, **kw),
        {
            "member_id": st.one_of(st.sampled_from(members), st.integers(-(2**63), 2**63 - 1)),
            "status": st.sampled_from(["present", "excused", "unexcused", "", "x"]),
            "reason": text("Ốm"),
            "why": text("Ghi nhầm"),
        },
    )


def test_signatory_and_stamp(world):
    from chibo.sample_images import signature_png
    from chibo.services import organization_stamp_set, signatory_save

    files = upload(extra_contents=[signature_png(1)]).map(lambda t: SimpleUploadedFile(t[0], t[1]))
    fuzz_service(
        "svc:signatory_save",
        lambda **kw: signatory_save(actor=world["clerk_a"], org=world["a"], **kw),
        {
            "full_name": text("Phạm Thị Lan"),
            "title": st.sampled_from(["secretary", "deputy", "", "x"]),
            "signature": st.one_of(st.none(), files),
        },
        n=N // 2,
    )
    fuzz_service(
        "svc:organization_stamp_set",
        lambda **kw: organization_stamp_set(actor=world["clerk_a"], org=world["a"], **kw),
        {"upload": files},
        n=N // 2,
    )


# ---- evaluation (nhanxet) -------------------------------------------------------------------


def test_periods_and_requests(world):
    from nhanxet.services import period_open, request_create

    year = world["year"]
    fuzz_service(
        "svc:period_open",
        lambda **kw: period_open(actor=world["office"], organization=world["commune"], **kw),
        {
            "year": st.one_of(st.just(year + 1), st.integers(1999, 2101), st.integers(-(2**31), 2**31)),
            "scope": st.sampled_from(["all", "requested", "", "x"]),
            "branch_deadline": day(datetime.date(year + 1, 12, 10)),
            "confirm_deadline": day(datetime.date(year + 1, 12, 20)),
            "forward_deadline": day(datetime.date(year + 1, 12, 31)),
        },
    )
    fuzz_service(
        "svc:request_create",
        lambda **kw: request_create(actor=world["clerk_a"], member=world["links"][0].member, **kw),
        {
            "purpose": st.sampled_from(["appointment", "award", "discipline", "other", "", "x"]),
            "details": text(""),
            "due_date": day(TODAY + datetime.timedelta(days=15)),
        },
    )


def test_front_meeting_and_forms(world):
    from nhanxet.services import EvaluationConflict, evaluation_save, front_meeting_record

    secretary, year = world["secretary"], world["year"]
    fuzz_service(
        "svc:front_meeting_record",
        lambda **kw: front_meeting_record(actor=secretary, branch=world["res"], **kw),
        {
            "year": st.one_of(st.just(year), st.integers(1999, 2101), st.integers(-(2**31), 2**31)),
            "held_on": day(),
            "attendees": text("Chi ủy; Mặt trận"),
            "notes": text(""),
        },
    )
    codes = sorted(world["answers"])
    answers = st.dictionaries(
        st.one_of(st.sampled_from(codes), any_text), st.one_of(st.sampled_from(["good", "fair", "poor"]), any_text)
    )
    draft = world["draft"]
    for name, link, version in (
        ("svc:evaluation_save", draft.link, draft.lock_version),
        ("svc:evaluation_new", world["links"][4], 0),
    ):
        fuzz_service(
            name,
            lambda link=link, **kw: evaluation_save(actor=secretary, link=link, year=year, **kw),
            {
                "lock_version": st.one_of(st.just(version), st.integers(-1, 3)),
                "answers": st.one_of(answers, st.just(world["answers"])),
                "remarks": text(""),
                "conclusion": st.sampled_from(["commend", "none", "handle", "", "x"]),
                "conclusion_details": text(""),
                "criterion_remarks": st.one_of(
                    st.none(),
                    st.dictionaries(st.sampled_from([*codes, "conclusion", "x"]), text("Đi công tác"), max_size=3),
                ),
            },
            refusals=(EvaluationConflict,),
        )


def test_sign_correct_confirm(world):
    from nhanxet.services import evaluation_correct, evaluations_sign

    pks = [world["draft"].pk, world["signed"].pk]
    as_text = st.lists(st.one_of(st.sampled_from([str(p) for p in pks]), any_text), max_size=3)
    fuzz_service(
        "svc:evaluations_sign",
        lambda **kw: evaluations_sign(actor=world["secretary"], branch=world["res"], **kw),
        {"ids": st.one_of(ids(*pks), as_text)},
        refusals=(ValueError,),  # the pages catch it: "The request is incomplete; reload the page."
    )
    fuzz_service(
        "svc:evaluation_correct",
        lambda **kw: evaluation_correct(actor=world["secretary"], evaluation=world["signed"], **kw),
        {"reason": text("Ghi nhầm")},
    )


# Who confirms or forwards which forms. The commune committee's office (or an office or
# administrator above it) with forms of its branches at the right step (signed to confirm,
# confirmed to forward), the ids as numbers or as the page sends them (text), is drawn about half
# of the time; the rest are any user with any committee and any ids: no right over the commune (a
# workplace's clerk, the branch secretary, a group leader), a workplace committee or the branch
# itself (neither received the members), a draft, ids that do not exist or are not numbers, none.
def commune_requests(ready, others):
    """(user, committee name, ids)."""
    chosen = st.lists(st.sampled_from(ready), min_size=1, max_size=3)
    valid_ids = st.one_of(chosen, chosen.map(lambda pks: [str(pk) for pk in pks]))
    valid = st.tuples(st.sampled_from(COMMUNE_OFFICES), st.just("commune"), valid_ids)
    as_text = st.lists(st.one_of(st.sampled_from([str(p) for p in ready + others]), any_text), max_size=3)
    anything = st.tuples(
        st.sampled_from(COMMUNE_OFFICES + COMMUNE_OTHERS),
        st.sampled_from(["commune", "a", "res"]),
        st.one_of(ids(*others, *ready), as_text),
    )
    return st.one_of(valid, anything)


def _fuzz_commune_step(world, name, service, ready, what):
    """A commune committee's step (`service`: confirm or forward) on the forms `ready` for it, the
    cases drawn by commune_requests: refused or done, never a 500 nor a partial write; in the
    derandomized run (the same cases every run) some are done and some refused."""
    fuzzer = Fuzzer(name)

    @fuzz_settings(N // 2)
    @given(commune_requests(ready, [world["draft"].pk]))
    def case(request):
        user, committee, chosen = request
        fuzzer.service(
            lambda: service(actor=world[user], commune=world[committee], ids=chosen),
            inputs={"user": user, "committee": committee, "ids": chosen},
            refusals=(ValueError,),  # the page catches it: "The request is incomplete; reload the page."
        )

    case()
    fuzzer.check_reached(refused_too=True)


def test_evaluations_confirm(world):
    """Signed forms confirmed by the commune committee (a numbered Mẫu 3-213 each) or refused, never
    a 500 nor a partial write. Almost every case used to be refused: the ids' fixed first choice was
    the draft ("not waiting for confirmation"), and a list drawn at random seldom held only the one
    signed form."""
    from nhanxet.services import evaluations_confirm

    signed = [world["signed"].pk, signed_commend_form(world).pk]
    _fuzz_commune_step(world, "svc:evaluations_confirm", evaluations_confirm, signed, "confirmation")


def test_evaluations_forward(world):
    """Confirmed forms forwarded to the workplaces (a proposal made of a form that proposes
    commendation, the clerks of each committee told) or refused, never a 500 nor a partial write.
    Every case used to be refused: no form of the data set was confirmed ("not confirmed yet")."""
    from nhanxet.services import evaluations_confirm, evaluations_forward

    commend = signed_commend_form(world)
    confirmed = [
        form.pk
        for form in evaluations_confirm(
            actor=world["office"], commune=world["commune"], ids=[world["signed"].pk, commend.pk]
        )
    ]
    _fuzz_commune_step(world, "svc:evaluations_forward", evaluations_forward, confirmed, "forwarding")


def test_workplace_answers(world):
    from nhanxet.services import proposal_act, proposal_create, rating_record

    fuzz_service(
        "svc:proposal_create",
        lambda **kw: proposal_create(actor=world["secretary"], link=world["links"][1], **kw),
        {"kind": st.sampled_from(["commend", "remind", "handle", "", "x"]), "facts": text("Gương mẫu")},
    )
    fuzz_service(
        "svc:proposal_act",
        lambda **kw: proposal_act(actor=world["clerk_a"], proposal=world["proposal"], **kw),
        {"action": st.sampled_from(["commended", "reminded", "handled", "none", "", "x"]), "note": text("")},
    )
    fuzz_service(
        "svc:rating_record",
        lambda **kw: rating_record(actor=world["clerk_a"], member=world["links"][0].member, **kw),
        # About half the cases a level and score in its band (QĐ 366 this year), otherwise any of them.
        st.one_of(
            st.sampled_from([("excellent", 95), ("good", "85"), ("done", "50,0"), ("not_done", 12)]).map(
                lambda pair: {"year": world["year"], "level": pair[0], "score": pair[1], "notes": ""}
            ),
            st.fixed_dictionaries(
                {
                    "year": st.one_of(st.just(world["year"]), st.integers(1999, 2101), st.integers(-(2**31), 2**31)),
                    "level": st.sampled_from(["excellent", "good", "done", "not_done", "", "x"]),
                    "score": st.one_of(
                        st.none(),
                        st.integers(-5, 105),
                        st.sampled_from(["85", "85,5", "89.99", "abc", "NaN", "Infinity", "1e309", "", " 70 "]),
                        st.decimals(allow_nan=True, allow_infinity=True),
                    ),
                    "group_scores": st.one_of(
                        st.none(),
                        st.fixed_dictionaries(
                            {"general": st.sampled_from(["27", "31", "x", ""]), "tasks": st.just("58")}
                        ),
                    ),
                    "lower_reason": text(""),
                    "notes": text(""),
                }
            ),
        ),
    )


# ---- account, import ------------------------------------------------------------------------


def test_notification_preferences(world):
    from taikhoan.services import notification_preference_save

    kinds = ["letter", "meeting", "evaluation", "digest", "general"]
    fuzz_service(
        "svc:notification_preference_save",
        lambda **kw: notification_preference_save(actor=world["clerk_a"], **kw),
        {
            "email_kinds": st.lists(st.one_of(st.sampled_from(kinds), any_text), max_size=6),
            "digest": st.sampled_from(["immediate", "daily", "weekly", "", "x"]),
            "sms": st.booleans(),
            "zalo": st.booleans(),
        },
    )


CSV = "Họ và tên,Ngày sinh,Giới tính,Số CCCD\nNguyễn Văn A,01/01/1980,Nam,033080000123\n".encode()


def test_imports(world):
    from nhapdulieu.services import import_columns, import_communes, import_upload

    clerk = world["clerk_a"]
    files = upload(extra_contents=[CSV]).map(lambda t: SimpleUploadedFile(t[0], t[1]))
    fuzz_service(
        "svc:import_upload",
        lambda **kw: import_upload(actor=clerk, **kw),
        {"organization": st.sampled_from([world["a"], world["b"]]), "uploaded": files},
    )
    job = import_upload(actor=clerk, organization=world["a"], uploaded=SimpleUploadedFile("ds.csv", CSV))
    keys = ["", "full_name", "birth_date", "gender", "citizen_id", "phone", "x"]
    fuzz_service(
        "svc:import_columns",
        lambda **kw: import_columns(actor=clerk, job=job, **kw),
        {
            "mapping": st.one_of(
                st.just({0: "full_name", 1: "birth_date", 2: "gender", 3: "citizen_id"}),
                st.dictionaries(st.integers(-2, 6), st.one_of(st.sampled_from(keys), any_text), max_size=6),
            ),
            "duplicates": st.sampled_from(["skip", "update", "", "x"]),
            "mode": st.sampled_from(["valid", "all", "", "x"]),
        },
    )
    fuzz_service(
        "svc:import_communes",
        lambda **kw: import_communes(actor=clerk, job=job, **kw),
        {"choices": st.dictionaries(any_text, st.one_of(st.integers(-5, 4000).map(str), any_text), max_size=3)},
    )
