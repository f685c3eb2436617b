"""Every invariant that matters is a database constraint: a row written past the forms and the
services (ORM bulk_create / update, no save(), no full_clean) is refused by PostgreSQL itself.

Each case writes one valid row (it passes) and one row that breaks exactly one constraint (an
IntegrityError naming that constraint), so dropping a constraint fails its case; a last test
checks that every constraint declared on the models has a case here."""

import datetime
import io
import re
import unicodedata

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from chibo.models import (
    AbsenceNotice,
    Attendance,
    AttendanceCorrection,
    Meeting,
    PartyGroup,
    RoleAssignment,
    Signatory,
)
from dangvien.models import ChangeNotice, Exemption, LetterBatch, ResidenceLink
from nhacviec.models import Delivery, Reminder, ReminderRule
from nhanxet.models import (
    CriteriaSet,
    Criterion,
    Evaluation,
    EvaluationPeriod,
    EvaluationRequest,
    FrontMeeting,
    Proposal,
    QualityRating,
    RatingScheme,
)
from nhapdulieu.models import ImportChange, ImportJob
from nhatky.models import AccessEvent
from quydinh.models import RegulationPack
from taikhoan.models import Notification, NotificationPreference
from vanban.models import Document, NumberRegister

APPS = ("quydinh", "chibo", "dangvien", "nhanxet", "vanban", "nhacviec", "nhapdulieu", "taikhoan", "nhatky")
Y = 2025


def at(year, month, day, hour=19, minute=30):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def new(model, **fields):
    return lambda: model.objects.bulk_create([model(**fields)])


def new_twice(model, **fields):
    return lambda: model.objects.bulk_create([model(**fields), model(**fields)])


def upd(obj, **fields):
    return lambda: type(obj).objects.filter(pk=obj.pk).update(**fields)


@pytest.fixture
def d(branch):
    """The `branch` fixture (five members received into a residence branch, signing set up) and a
    few more rows written the plain way, each valid."""
    link = branch["links"][0]
    member = link.member
    criteria = CriteriaSet.objects.get(use="yearly", pack__code="qd213")
    period = EvaluationPeriod.objects.create(
        organization=branch["commune"],
        org_path=branch["commune"].path,
        year=Y,
        criteria_set=criteria,
        pack=criteria.pack,
        branch_deadline=datetime.date(Y, 12, 10),
        confirm_deadline=datetime.date(Y, 12, 20),
        forward_deadline=datetime.date(Y, 12, 31),
        opened_by=branch["office"],
    )
    meeting = Meeting.objects.create(
        branch=branch["res"],
        branch_path=branch["res"].path,
        year=Y,
        half=1,
        starts_at=at(Y, 3, 15),
        place="Nhà văn hóa khu phố 1",
        agenda="Tình hình địa phương",
        created_by=branch["secretary"],
    )
    attendance = Attendance.objects.create(meeting=meeting, link=link, member=member)
    return {
        **branch,
        "link": link,
        "member": member,
        "letter": link.letter,
        "criteria": criteria,
        "pack": criteria.pack,
        "period": period,
        "meeting": meeting,
        "attendance": attendance,
        "rule": ReminderRule.objects.order_by("pk").first(),
    }


# ---- the valid rows the cases start from ------------------------------------------------------


def meeting_row(d, **over):
    return {
        "branch": d["res"],
        "branch_path": d["res"].path,
        "kind": "periodic",
        "year": Y,
        "half": 2,
        "starts_at": at(Y, 9, 20),
        "place": "Nhà văn hóa",
        "agenda": "Sơ kết",
        "created_by": d["secretary"],
        **over,
    }


def closed_meeting(d, **over):
    closed = {"status": "closed", "minutes": "Biên bản", "closed_at": at(Y, 9, 20, 22), "closed_by": d["secretary"]}
    return {**meeting_row(d), **closed, **over}


def exemption_row(d, **over):
    return {
        "member": d["member"],
        "category": "barracks",
        "kind": "exempt_meetings",
        "reason": "Ở trong doanh trại",
        "start_date": datetime.date(Y, 1, 1),
        "end_date": datetime.date(Y, 12, 31),
        "decided_by": "Đảng ủy Quân sự tỉnh",
        **over,
    }


def evaluation_row(d, status="draft", **over):
    link = d["link"]
    row = {
        "member": d["member"],
        "link": link,
        "branch": d["res"],
        "branch_path": d["res"].path,
        "commune": d["commune"],
        "workplace_committee": link.workplace_committee,
        "workplace_path": link.workplace_path,
        "year": Y,
        "period": d["period"],
        "criteria_set": d["criteria"],
        "pack": d["pack"],
        "status": status,
    }
    if status != "draft":
        row.update(signed_at=at(Y, 12, 1), signed_by=d["secretary"], signer_name="Ngô Văn Nhân")
    if status in ("confirmed", "forwarded"):
        row.update(confirmed_at=at(Y, 12, 5), confirmed_by=d["office"], document=d["letter"])
    if status == "forwarded":
        row.update(forwarded_at=at(Y, 12, 6), forwarded_by=d["office"])
    return {**row, **over}


def correction(d, **over):
    """A second version pointing at the first, written in one go."""

    def write():
        first = Evaluation.objects.bulk_create([Evaluation(**evaluation_row(d, "signed", is_current=False))])[0]
        second = {"version": 2, "supersedes": first, "correction_reason": "Ghi sai mức", **over}
        Evaluation.objects.bulk_create([Evaluation(**evaluation_row(d, **second))])

    return write


def pack_row(d, **over):
    """A draft successor of QĐ 213 (not in force, not frozen)."""
    return {
        "code": "qd213",
        "version": 2,
        "short_name": "QĐ 213",
        "number": "213-QĐ/TW",
        "signed_on": datetime.date(2020, 1, 2),
        "issuer": "Bộ Chính trị",
        "title": "trách nhiệm của đảng viên đang công tác",
        **over,
    }


def proposal_row(d, **over):
    link = d["link"]
    return {
        "member": d["member"],
        "link": link,
        "branch_path": d["res"].path,
        "workplace_committee": link.workplace_committee,
        "workplace_path": link.workplace_path,
        "kind": "commend",
        "facts": "Tích cực tham gia phong trào",
        "created_by": d["secretary"],
        **over,
    }


def document_row(d, **over):
    return {
        "doc_type": "introduction",
        "issuer": d["a"],
        "year": Y,
        "number": 9001,
        "symbol": "9001-GGT/ĐU",
        "subject": "Giới thiệu",
        "template": "introduction/qd213-v1",
        "pack": d["pack"],
        "snapshot": {},
        "issued_at": at(Y, 6, 1, 9),
        "signer_name": "Trần Văn Bình",
        **over,
    }


def import_row(d, **over):
    return {
        "organization": d["a"],
        "created_by": d["clerk_a"],
        "file": "imports/2025/x.csv",
        "file_name": "danh sach.csv",
        "file_sha256": "0" * 64,
        "file_kind": "csv",
        **over,
    }


def import_change(d, **over):
    def write():
        job = ImportJob.objects.bulk_create([ImportJob(**import_row(d))])[0]
        fields = {"job": job, "row": 2, "member": d["member"], "action": "create", **over}
        ImportChange.objects.bulk_create([ImportChange(**fields)])

    return write


def delivery_row(d, **over):
    return {"channel": "email", "key": "k-1", "address": "a@example.org", "subject": "S", "body": "B", **over}


NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Văn Đức")

# (constraint, the valid write, the write that breaks it); `d` is the fixture above.
CASES = [
    # taikhoan and nhatky: notices, notice preferences, the access log
    (
        "notification_once",
        lambda d: new(Notification, user=d["secretary"], key="k-1", title="T"),
        lambda d: new_twice(Notification, user=d["secretary"], key="k-2", title="T"),
    ),
    (
        "notification_kind_valid",
        lambda d: new(Notification, user=d["secretary"], key="k-1", title="T", kind="meeting"),
        lambda d: new(Notification, user=d["secretary"], key="k-1", title="T", kind="gossip"),
    ),
    (
        "notification_digest_valid",
        lambda d: new(NotificationPreference, user=d["secretary"], digest="weekly"),
        lambda d: new(NotificationPreference, user=d["secretary"], digest="hourly"),
    ),
    (
        "access_action_valid",
        lambda d: new(AccessEvent, action="list_export", path="/dang-vien/ds.xlsx"),
        lambda d: new(AccessEvent, action="peek", path="/dang-vien/ds.xlsx"),
    ),
    # chibo: organisations, signatories, roles, groups
    ("org_side_valid", lambda d: upd(d["a"], side="residence"), lambda d: upd(d["a"], side="elsewhere")),
    ("org_name_clean", lambda d: upd(d["a"], name="Đảng bộ Sở Giáo dục"), lambda d: upd(d["a"], name="")),
    ("org_name_clean", lambda d: upd(d["a"], name="Đảng bộ Sở"), lambda d: upd(d["a"], name="Đảng bộ\nSở")),
    ("org_name_clean", lambda d: upd(d["a"], name="Đảng bộ Sở"), lambda d: upd(d["a"], name="Đảng bộ Sở\u200b")),
    ("org_name_clean", lambda d: upd(d["a"], name="Đảng bộ Sở"), lambda d: upd(d["a"], name=" Đảng bộ Sở")),
    ("org_name_clean", lambda d: upd(d["a"], name="Đảng bộ Đức"), lambda d: upd(d["a"], name=f"Đảng bộ {NFD_NAME}")),
    (
        "org_abbreviation_clean",
        lambda d: upd(d["a"], doc_abbreviation="ĐU"),
        lambda d: upd(d["a"], doc_abbreviation=""),
    ),
    (
        "signatory_title_valid",
        lambda d: new(Signatory, organization=d["a"], full_name="Lê Văn Cường", title="deputy"),
        lambda d: new(Signatory, organization=d["a"], full_name="Lê Văn Cường", title="chairman"),
    ),
    (
        "signatory_name_clean",
        lambda d: new(Signatory, organization=d["a"], full_name="Lê Văn Cường", title="deputy"),
        lambda d: new(Signatory, organization=d["a"], full_name="Lê\tVăn", title="deputy"),
    ),
    (
        "role_unique",
        lambda d: new(RoleAssignment, user=d["secretary"], organization=d["res"], role="group_leader"),
        lambda d: new(RoleAssignment, user=d["secretary"], organization=d["res"], role="branch_secretary"),
    ),
    (
        "role_valid",
        lambda d: new(RoleAssignment, user=d["secretary"], organization=d["res"], role="board_viewer"),
        lambda d: new(RoleAssignment, user=d["secretary"], organization=d["res"], role="owner"),
    ),
    (
        "group_name_unique",
        lambda d: new(PartyGroup, branch=d["res"], name="Tổ 1"),
        lambda d: new_twice(PartyGroup, branch=d["res"], name="Tổ 1"),
    ),
    (
        "group_name_clean",
        lambda d: new(PartyGroup, branch=d["res"], name="Tổ 2"),
        lambda d: new(PartyGroup, branch=d["res"], name="  "),
    ),
    # chibo: meetings and attendance
    (
        "meeting_kind_valid",
        lambda d: new(Meeting, **meeting_row(d)),
        lambda d: new(Meeting, **meeting_row(d, kind="x")),
    ),
    (
        "meeting_status_valid",
        lambda d: new(Meeting, **meeting_row(d, status="scheduled")),
        lambda d: new(Meeting, **meeting_row(d, status="cancelled")),
    ),
    (
        "meeting_half_valid",
        lambda d: new(Meeting, **meeting_row(d)),
        lambda d: new(Meeting, **meeting_row(d, half=3)),
    ),
    (
        "meeting_year_range",
        lambda d: new(Meeting, **meeting_row(d, year=2000, starts_at=at(2000, 9, 1))),
        lambda d: new(Meeting, **meeting_row(d, year=1999, starts_at=at(1999, 9, 1))),
    ),
    (
        "closed_meeting_has_time",
        lambda d: new(Meeting, **closed_meeting(d)),
        lambda d: new(Meeting, **closed_meeting(d, closed_at=None)),
    ),
    (
        "closed_meeting_has_minutes",
        lambda d: new(Meeting, **closed_meeting(d)),
        lambda d: new(Meeting, **closed_meeting(d, minutes="")),
    ),
    (
        "closed_meeting_has_minutes",
        lambda d: new(Meeting, **closed_meeting(d)),
        lambda d: new(Meeting, **closed_meeting(d, closed_by=None)),
    ),
    (
        "open_meeting_not_closed",
        lambda d: new(Meeting, **meeting_row(d)),
        lambda d: new(Meeting, **meeting_row(d, closed_at=at(Y, 9, 20, 22))),
    ),
    (
        "meeting_place_clean",
        lambda d: new(Meeting, **meeting_row(d)),
        lambda d: new(Meeting, **meeting_row(d, place="")),
    ),
    (
        "attendance_once_per_member",
        lambda d: new(Attendance, meeting=d["meeting"], link=d["links"][1], member=d["links"][1].member),
        lambda d: new(Attendance, meeting=d["meeting"], link=d["links"][1], member=d["member"]),
    ),
    (
        "attendance_once_per_link",
        lambda d: new(Attendance, meeting=d["meeting"], link=d["links"][1], member=d["links"][1].member),
        lambda d: new(Attendance, meeting=d["meeting"], link=d["link"], member=d["links"][1].member),
    ),
    (
        "absence_notice_once",
        lambda d: new(AbsenceNotice, **notice_row(d)),
        lambda d: new_twice(AbsenceNotice, **notice_row(d)),
    ),
    (
        "attendance_status_valid",
        lambda d: upd(d["attendance"], status="unexcused"),
        lambda d: upd(d["attendance"], status="late"),
    ),
    (
        "attendance_reason_iff_excused",
        lambda d: upd(d["attendance"], status="excused", reason="Ốm"),
        lambda d: upd(d["attendance"], status="excused", reason=" "),
    ),
    (
        "attendance_reason_iff_excused",
        lambda d: upd(d["attendance"], status="present", reason=""),
        lambda d: upd(d["attendance"], status="present", reason="Ốm"),
    ),
    (
        "attendance_correction_valid",
        lambda d: new(
            AttendanceCorrection,
            attendance=d["attendance"],
            new_status="present",
            reason="Ghi nhầm",
            corrected_by=d["secretary"],
        ),
        lambda d: new(
            AttendanceCorrection,
            attendance=d["attendance"],
            new_status="",
            reason="Ghi nhầm",
            corrected_by=d["secretary"],
        ),
    ),
    (
        "attendance_correction_valid",
        lambda d: new(
            AttendanceCorrection,
            attendance=d["attendance"],
            new_status="present",
            reason="Ghi nhầm",
            corrected_by=d["secretary"],
        ),
        lambda d: new(
            AttendanceCorrection,
            attendance=d["attendance"],
            new_status="present",
            reason="",
            corrected_by=d["secretary"],
        ),
    ),
    # dangvien: members
    ("member_gender_valid", lambda d: upd(d["member"], gender="male"), lambda d: upd(d["member"], gender="x")),
    (
        "member_citizen_id_digits",
        lambda d: upd(d["member"], citizen_id="033085999999"),
        lambda d: upd(d["member"], citizen_id="03308599999X"),
    ),
    (
        "member_citizen_id_digits",
        lambda d: upd(d["member"], citizen_id="033085999999"),
        lambda d: upd(d["member"], citizen_id="12345"),
    ),
    (
        "dangvien_member_citizen_id",  # the unique index Django names after the field
        lambda d: upd(d["member"], citizen_id="033085999999"),
        lambda d: upd(d["member"], citizen_id=d["links"][1].member.citizen_id),
    ),
    (
        "member_card_number_null_not_blank",
        lambda d: upd(d["member"], card_number=None),
        lambda d: upd(d["member"], card_number=""),
    ),
    (
        "member_full_name_clean",
        lambda d: upd(d["member"], full_name="Nguyễn Văn Đức"),
        lambda d: upd(d["member"], full_name=NFD_NAME),
    ),
    (
        "member_full_name_clean",
        lambda d: upd(d["member"], full_name="Nguyễn Văn Đức"),
        lambda d: upd(d["member"], full_name="Nguyễn\x07Văn Đức"),
    ),
    (
        "member_full_name_clean",
        lambda d: upd(d["member"], full_name="Nguyễn Văn Đức"),
        lambda d: upd(d["member"], full_name="Nguyễn Văn Đức "),
    ),
    (
        "member_letter_clock_if_covered",
        lambda d: upd(d["member"], covered_213=True, awaiting_letter_since=datetime.date(Y, 1, 1)),
        lambda d: upd(d["member"], covered_213=False, awaiting_letter_since=datetime.date(Y, 1, 1)),
    ),
    (
        "member_status_matches_dates",
        lambda d: upd(d["member"], status="probationary", full_membership_date=None),
        lambda d: upd(d["member"], status="full", full_membership_date=None),
    ),
    (
        "member_born_before_admission",
        lambda d: upd(d["member"], birth_date=datetime.date(1985, 3, 12)),
        lambda d: upd(d["member"], birth_date=datetime.date(2010, 5, 19)),
    ),
    (
        "member_full_after_admission",
        lambda d: upd(d["member"], full_membership_date=datetime.date(2011, 5, 19)),
        lambda d: upd(d["member"], full_membership_date=datetime.date(2009, 5, 19)),
    ),
    # dangvien: exemptions, links, notices, batches
    (
        "exemption_kind_valid",
        lambda d: new(Exemption, **exemption_row(d, category="secret_duty", kind="not_introduced")),
        lambda d: new(Exemption, **exemption_row(d, category="barracks", kind="secret")),
    ),
    (
        "exemption_has_reason",
        lambda d: new(Exemption, **exemption_row(d)),
        lambda d: new(Exemption, **exemption_row(d, reason=" \n")),
    ),
    (
        "exemption_decided_by_clean",
        lambda d: new(Exemption, **exemption_row(d)),
        lambda d: new(Exemption, **exemption_row(d, decided_by="")),
    ),
    (
        "exemption_dates",
        lambda d: new(Exemption, **exemption_row(d, end_date=None)),
        lambda d: new(Exemption, **exemption_row(d, end_date=datetime.date(Y - 1, 1, 1))),
    ),
    (
        "one_open_link_per_member",
        lambda d: new(
            ResidenceLink,
            member=d["member"],
            workplace_committee=d["a"],
            workplace_path=d["a"].path,
            residence_commune_id=70,
            state="ended",
            ended_at=at(Y, 1, 1),
            end_reason="moved_house",
        ),
        lambda d: new(
            ResidenceLink,
            member=d["member"],
            workplace_committee=d["a"],
            workplace_path=d["a"].path,
            residence_commune_id=70,
        ),
    ),
    ("link_state_valid", lambda d: upd(d["link"], state="received"), lambda d: upd(d["link"], state="lost")),
    (
        "ended_link_has_time",
        lambda d: upd(d["link"], state="ended", ended_at=at(Y, 1, 1), end_reason="died"),
        lambda d: upd(d["link"], state="ended", end_reason="died"),
    ),
    (
        "link_end_reason_iff_ended",
        lambda d: upd(d["link"], state="ended", ended_at=at(Y, 1, 1), end_reason="died"),
        lambda d: upd(d["link"], state="ended", ended_at=at(Y, 1, 1), end_reason="position"),
    ),
    (
        "link_end_reason_iff_ended",
        lambda d: upd(d["link"], state="active"),
        lambda d: upd(d["link"], state="active", end_reason="died"),
    ),
    ("introduced_link_has_letter", lambda d: upd(d["link"], state="received"), lambda d: upd(d["link"], letter=None)),
    (
        "held_link_has_received_date",
        lambda d: upd(d["link"], state="letter_issued", received_date=None),
        lambda d: upd(d["link"], state="received", received_date=None),
    ),
    (
        "active_link_has_branch",
        lambda d: upd(d["link"], state="received", residence_branch=None),
        lambda d: upd(d["link"], state="active", residence_branch=None),
    ),
    (
        "link_residence_path_with_committee",
        lambda d: upd(d["link"], residence_committee=None, residence_path=""),
        lambda d: upd(d["link"], residence_path=""),
    ),
    (
        "change_notice_kind_valid",
        lambda d: new(
            ChangeNotice, member=d["member"], link=d["link"], kind="position", effective_date=datetime.date(Y, 1, 1)
        ),
        lambda d: new(
            ChangeNotice, member=d["member"], link=d["link"], kind="promoted", effective_date=datetime.date(Y, 1, 1)
        ),
    ),
    (
        "letter_batch_done_le_total",
        lambda d: new(LetterBatch, created_by=d["clerk_a"], total=2, done=2),
        lambda d: new(LetterBatch, created_by=d["clerk_a"], total=2, done=3),
    ),
    # nhanxet: criteria, periods, requests, the Front meeting
    (
        "criteria_set_use_valid",
        lambda d: new(CriteriaSet, code="thu", version=1, name="Thử", regulation="QĐ", use="exempt"),
        lambda d: new(CriteriaSet, code="thu", version=1, name="Thử", regulation="QĐ", use="other"),
    ),
    (
        "criteria_set_version_positive",
        lambda d: new(CriteriaSet, code="thu", version=1, name="Thử", regulation="QĐ", use="exempt"),
        lambda d: new(CriteriaSet, code="thu", version=0, name="Thử", regulation="QĐ", use="exempt"),
    ),
    (
        "criteria_set_version_unique",
        lambda d: new(CriteriaSet, code=d["criteria"].code, version=99, name="Thử", regulation="QĐ", use="yearly"),
        lambda d: new(
            CriteriaSet,
            code=d["criteria"].code,
            version=d["criteria"].version,
            name="Thử",
            regulation="QĐ",
            use="yearly",
        ),
    ),
    # quydinh: regulation packs
    (
        "regulation_pack_version_unique",
        lambda d: new(RegulationPack, **pack_row(d)),
        lambda d: new(RegulationPack, **pack_row(d, version=1)),
    ),
    (
        "one_regulation_pack_per_day",
        lambda d: new(RegulationPack, **pack_row(d, in_force_from=datetime.date(2090, 1, 1), frozen_at=at(Y, 1, 1))),
        lambda d: new(RegulationPack, **pack_row(d, in_force_from=d["pack"].in_force_from, frozen_at=at(Y, 1, 1))),
    ),
    (
        "regulation_pack_version_positive",
        lambda d: new(RegulationPack, **pack_row(d)),
        lambda d: new(RegulationPack, **pack_row(d, version=0)),
    ),
    (
        "regulation_pack_names_clean",
        lambda d: new(RegulationPack, **pack_row(d)),
        lambda d: new(RegulationPack, **pack_row(d, number="213-QĐ/TW\n")),
    ),
    (
        "regulation_pack_in_force_is_frozen",
        lambda d: new(RegulationPack, **pack_row(d, in_force_from=datetime.date(2090, 1, 1), frozen_at=at(Y, 1, 1))),
        lambda d: new(RegulationPack, **pack_row(d, in_force_from=datetime.date(2090, 1, 1))),
    ),
    (
        "one_criteria_set_per_pack_use",
        lambda d: new(CriteriaSet, code="thu", version=1, name="Thử", regulation="QĐ", use="yearly", pack=None),
        lambda d: new(CriteriaSet, code="thu", version=1, name="Thử", regulation="QĐ", use="yearly", pack=d["pack"]),
    ),
    (
        "criterion_code_unique",
        lambda d: new(Criterion, criteria_set=d["criteria"], order=99, code="thu", text="Gương mẫu"),
        lambda d: new(Criterion, criteria_set=d["criteria"], order=99, code=first_criterion(d).code, text="Gương mẫu"),
    ),
    (
        "criterion_order_unique",
        lambda d: new(Criterion, criteria_set=d["criteria"], order=99, code="thu", text="Gương mẫu"),
        lambda d: new(
            Criterion, criteria_set=d["criteria"], order=first_criterion(d).order, code="thu", text="Gương mẫu"
        ),
    ),
    (
        "criterion_has_text",
        lambda d: new(Criterion, criteria_set=d["criteria"], order=99, code="thu", text="Gương mẫu"),
        lambda d: new(Criterion, criteria_set=d["criteria"], order=99, code="thu", text="  "),
    ),
    (
        "criterion_evidence_valid",
        lambda d: new(Criterion, criteria_set=d["criteria"], order=99, code="thu", text="Họp", evidence="attendance"),
        lambda d: new(Criterion, criteria_set=d["criteria"], order=99, code="thu", text="Họp", evidence="rumours"),
    ),
    ("one_period_per_committee_year", lambda d: new_period(d, Y + 1), lambda d: new_period(d, Y)),
    (
        "period_deadlines_in_order",
        lambda d: upd(d["period"], confirm_deadline=datetime.date(Y, 12, 10)),
        lambda d: upd(d["period"], confirm_deadline=datetime.date(Y, 12, 9)),
    ),
    (
        "period_year_range",
        lambda d: upd(d["period"], year=2000, branch_deadline=datetime.date(2000, 12, 10)),
        lambda d: upd(d["period"], year=1999, branch_deadline=datetime.date(1999, 12, 10)),
    ),
    ("period_scope_valid", lambda d: upd(d["period"], scope="requested"), lambda d: upd(d["period"], scope="some")),
    (
        "period_branch_deadline_in_year",
        lambda d: upd(d["period"], branch_deadline=datetime.date(Y, 1, 1)),
        lambda d: upd(d["period"], branch_deadline=datetime.date(Y - 1, 12, 31)),
    ),
    (
        "request_year_range",
        lambda d: new(EvaluationRequest, **request_row(d)),
        lambda d: new(EvaluationRequest, **request_row(d, year=2101)),
    ),
    (
        "request_purpose_valid",
        lambda d: new(EvaluationRequest, **request_row(d)),
        lambda d: new(EvaluationRequest, **request_row(d, purpose="curiosity")),
    ),
    (
        "one_front_meeting_per_branch_year",
        lambda d: new(FrontMeeting, **front_row(d)),
        lambda d: new_twice(FrontMeeting, **front_row(d)),
    ),
    (
        "front_meeting_held_in_its_year",
        lambda d: new(FrontMeeting, **front_row(d, held_on=datetime.date(Y, 1, 1))),
        lambda d: new(FrontMeeting, **front_row(d, held_on=datetime.date(Y - 1, 12, 31))),
    ),
    (
        "front_meeting_has_attendees",
        lambda d: new(FrontMeeting, **front_row(d)),
        lambda d: new(FrontMeeting, **front_row(d, attendees="")),
    ),
    # nhanxet: evaluation forms and their workflow
    (
        "one_current_yearly_form",
        lambda d: new(Evaluation, **evaluation_row(d)),
        lambda d: new_twice(Evaluation, **evaluation_row(d)),
    ),
    (
        "one_current_form_per_request",
        lambda d: new_requested_forms(d, 1),
        lambda d: new_requested_forms(d, 2),
    ),
    (
        "evaluation_status_valid",
        lambda d: new(Evaluation, **evaluation_row(d, "signed")),
        lambda d: new(Evaluation, **{**evaluation_row(d, "forwarded"), "status": "archived"}),
    ),
    (
        "evaluation_year_range",
        lambda d: new(Evaluation, **evaluation_row(d, year=2100)),
        lambda d: new(Evaluation, **evaluation_row(d, year=1999)),
    ),
    (
        "evaluation_version_chain",
        lambda d: new(Evaluation, **evaluation_row(d, version=1)),
        lambda d: new(Evaluation, **evaluation_row(d, version=2)),
    ),
    ("evaluation_version_chain", correction, lambda d: correction(d, version=1)),
    ("correction_has_reason", correction, lambda d: correction(d, correction_reason="")),
    (
        "evaluation_has_period_or_request",
        lambda d: new(Evaluation, **evaluation_row(d)),
        lambda d: new(Evaluation, **evaluation_row(d, period=None)),
    ),
    (
        "signed_form_has_signer",
        lambda d: new(Evaluation, **evaluation_row(d, "signed")),
        lambda d: new(Evaluation, **evaluation_row(d, "signed", signed_by=None)),
    ),
    (
        "signed_form_has_signer_name",
        lambda d: new(Evaluation, **evaluation_row(d, "signed")),
        lambda d: new(Evaluation, **evaluation_row(d, "signed", signer_name="")),
    ),
    (
        "draft_not_signed",
        lambda d: new(Evaluation, **evaluation_row(d)),
        lambda d: new(Evaluation, **evaluation_row(d, signed_at=at(Y, 12, 1))),
    ),
    (
        "unconfirmed_form_has_no_document",
        lambda d: new(Evaluation, **evaluation_row(d, "signed")),
        lambda d: new(Evaluation, **evaluation_row(d, "signed", document=d["letter"])),
    ),
    (
        "confirmed_form_has_document",
        lambda d: new(Evaluation, **evaluation_row(d, "confirmed")),
        lambda d: new(Evaluation, **evaluation_row(d, "confirmed", document=None)),
    ),
    (
        "confirmed_form_has_confirmer",
        lambda d: new(Evaluation, **evaluation_row(d, "confirmed")),
        lambda d: new(Evaluation, **evaluation_row(d, "confirmed", confirmed_by=None)),
    ),
    (
        "confirmed_form_not_forwarded",
        lambda d: new(Evaluation, **evaluation_row(d, "confirmed")),
        lambda d: new(Evaluation, **evaluation_row(d, "confirmed", forwarded_at=at(Y, 12, 6))),
    ),
    (
        "forwarded_form_has_time",
        lambda d: new(Evaluation, **evaluation_row(d, "forwarded")),
        lambda d: new(Evaluation, **evaluation_row(d, "forwarded", forwarded_at=None)),
    ),
    (
        "forwarded_form_has_forwarder",
        lambda d: new(Evaluation, **evaluation_row(d, "forwarded")),
        lambda d: new(Evaluation, **evaluation_row(d, "forwarded", forwarded_by=None)),
    ),
    # nhanxet: proposals and ratings
    (
        "proposal_kind_valid",
        lambda d: new(Proposal, **proposal_row(d)),
        lambda d: new(Proposal, **proposal_row(d, kind="praise")),
    ),
    (
        "proposal_action_valid",
        lambda d: new(Proposal, **proposal_row(d, action="commended", action_at=at(Y, 12, 9))),
        lambda d: new(Proposal, **proposal_row(d, action="ignored", action_at=at(Y, 12, 9))),
    ),
    (
        "proposal_action_has_time",
        lambda d: new(Proposal, **proposal_row(d, action="commended", action_at=at(Y, 12, 9))),
        lambda d: new(Proposal, **proposal_row(d, action="commended")),
    ),
    (
        "proposal_has_facts",
        lambda d: new(Proposal, **proposal_row(d)),
        lambda d: new(Proposal, **proposal_row(d, facts="")),
    ),
    (
        "proposal_no_action_has_note",
        lambda d: new(Proposal, **proposal_row(d, action="none", action_note="Đã xem xét", action_at=at(Y, 12, 9))),
        lambda d: new(Proposal, **proposal_row(d, action="none", action_note="", action_at=at(Y, 12, 9))),
    ),
    (
        "one_proposal_per_evaluation",
        lambda d: new_proposals_for_evaluation(d, 1),
        lambda d: new_proposals_for_evaluation(d, 2),
    ),
    (
        "rating_has_level",
        lambda d: new(QualityRating, **rating_row(d)),
        lambda d: new(QualityRating, **rating_row(d, level="")),
    ),
    (
        "rating_score_not_negative",
        lambda d: new(QualityRating, **rating_row(d, score=0)),
        lambda d: new(QualityRating, **rating_row(d, score=-1)),
    ),
    (
        "rating_scheme_year_range",
        lambda d: new(RatingScheme, **scheme_row(d)),
        lambda d: new(RatingScheme, **scheme_row(d, first_year=1999)),
    ),
    (
        "rating_scheme_decimals",
        lambda d: new(RatingScheme, **scheme_row(d, score_decimals=2)),
        lambda d: new(RatingScheme, **scheme_row(d, score_decimals=3)),
    ),
    (
        "rating_scheme_score_max",
        lambda d: new(RatingScheme, **scheme_row(d, score_max=None)),
        lambda d: new(RatingScheme, **scheme_row(d, score_max=0)),
    ),
    (
        "rating_year_range",
        lambda d: new(QualityRating, **rating_row(d)),
        lambda d: new(QualityRating, **rating_row(d, year=1990)),
    ),
    (
        "one_rating_per_member_year",
        lambda d: new(QualityRating, **rating_row(d)),
        lambda d: new_twice(QualityRating, **rating_row(d)),
    ),
    # vanban: documents and their numbers
    ("document_number_unique", lambda d: new(Document, **document_row(d)), lambda d: new_documents(d, 9001, 9001)),
    (
        "document_type_valid",
        lambda d: new(Document, **document_row(d)),
        lambda d: new(Document, **document_row(d, doc_type="memo")),
    ),
    (
        "document_revoked_has_time",  # and so no status but issued or revoked
        lambda d: new(Document, **document_row(d)),
        lambda d: new(Document, **document_row(d, status="draft")),
    ),
    (
        "document_year_number_valid",
        lambda d: new(Document, **document_row(d, number=1)),
        lambda d: new(Document, **document_row(d, number=0)),
    ),
    (
        "document_year_number_valid",
        lambda d: new(Document, **document_row(d, year=2000)),
        lambda d: new(Document, **document_row(d, year=1900)),
    ),
    (
        "document_revoked_has_reason",
        lambda d: new(
            Document, **document_row(d, status="revoked", revoked_at=at(Y, 6, 2), revoke_reason="Sai địa chỉ")
        ),
        lambda d: new(Document, **document_row(d, status="revoked", revoked_at=at(Y, 6, 2), revoke_reason=" ")),
    ),
    (
        "document_revoked_has_reason",
        lambda d: new(Document, **document_row(d)),
        lambda d: new(Document, **document_row(d, revoke_reason="Sai địa chỉ")),
    ),
    (
        "document_revoked_has_time",
        lambda d: new(
            Document, **document_row(d, status="revoked", revoked_at=at(Y, 6, 2), revoke_reason="Sai địa chỉ")
        ),
        lambda d: new(Document, **document_row(d, status="revoked", revoke_reason="Sai địa chỉ")),
    ),
    (
        "document_symbol_signer_set",
        lambda d: new(Document, **document_row(d)),
        lambda d: new(Document, **document_row(d, symbol="")),
    ),
    (
        "document_symbol_signer_set",
        lambda d: new(Document, **document_row(d)),
        lambda d: new(Document, **document_row(d, signer_name="")),
    ),
    (
        "document_sha256_hex",
        lambda d: new(Document, **document_row(d, sha256="a" * 64, rendered_at=at(Y, 6, 1, 10))),
        lambda d: new(Document, **document_row(d, sha256="not a hash", rendered_at=at(Y, 6, 1, 10))),
    ),
    (
        "number_register_unique",
        lambda d: new(NumberRegister, issuer=d["b"], doc_type="introduction", year=Y),
        lambda d: new_twice(NumberRegister, issuer=d["b"], doc_type="introduction", year=Y),
    ),
    (
        "number_register_type_valid",
        lambda d: new(NumberRegister, issuer=d["b"], doc_type="introduction", year=Y),
        lambda d: new(NumberRegister, issuer=d["b"], doc_type="memo", year=Y),
    ),
    (
        "number_register_year_range",
        lambda d: new(NumberRegister, issuer=d["b"], doc_type="introduction", year=Y),
        lambda d: new(NumberRegister, issuer=d["b"], doc_type="introduction", year=20250),
    ),
    # nhacviec: reminders and deliveries
    (
        "reminder_once",
        lambda d: new(Reminder, **reminder_row(d)),
        lambda d: new_twice(Reminder, **reminder_row(d)),
    ),
    ("reminder_rule_code_valid", lambda d: upd(d["rule"], is_active=False), lambda d: upd(d["rule"], code="never")),
    ("delivery_once", lambda d: new(Delivery, **delivery_row(d)), lambda d: new_twice(Delivery, **delivery_row(d))),
    (
        "delivery_channel_valid",
        lambda d: new(Delivery, **delivery_row(d)),
        lambda d: new(Delivery, **delivery_row(d, channel="fax")),
    ),
    (
        "delivery_status_valid",
        lambda d: new(Delivery, **delivery_row(d)),
        lambda d: new(Delivery, **delivery_row(d, status="lost")),
    ),
    (
        "delivery_sent_has_time",
        lambda d: new(Delivery, **delivery_row(d, status="sent", sent_at=at(Y, 1, 1))),
        lambda d: new(Delivery, **delivery_row(d, status="sent")),
    ),
    # nhapdulieu: imports
    (
        "import_status_valid",
        lambda d: new(ImportJob, **import_row(d)),
        lambda d: new(ImportJob, **import_row(d, status="lost")),
    ),
    (
        "import_choices_valid",
        lambda d: new(ImportJob, **import_row(d)),
        lambda d: new(ImportJob, **import_row(d, mode="maybe")),
    ),
    (
        "import_choices_valid",
        lambda d: new(ImportJob, **import_row(d, duplicates="update")),
        lambda d: new(ImportJob, **import_row(d, duplicates="merge")),
    ),
    (
        "import_file_kind_valid",
        lambda d: new(ImportJob, **import_row(d, file_kind="xlsx")),
        lambda d: new(ImportJob, **import_row(d, file_kind="exe")),
    ),
    (
        "import_sha256_hex",
        lambda d: new(ImportJob, **import_row(d)),
        lambda d: new(ImportJob, **import_row(d, file_sha256="x" * 64)),
    ),
    (
        "import_header_row_positive",
        lambda d: new(ImportJob, **import_row(d)),
        lambda d: new(ImportJob, **import_row(d, header_row=0)),
    ),
    (
        "import_done_has_time",
        lambda d: new(ImportJob, **import_row(d, status="done", written_at=at(Y, 1, 1))),
        lambda d: new(ImportJob, **import_row(d, status="done")),
    ),
    ("import_change_action_valid", import_change, lambda d: import_change(d, action="delete")),
]


def notice_row(d):
    return {
        "meeting": d["meeting"],
        "workplace_committee": d["a"],
        "workplace_path": d["a"].path,
        "document": d["letter"],
    }


def first_criterion(d):
    return d["criteria"].criteria.order_by("order").first()


def new_period(d, year):
    """Another period of the commune (the fixture opened one for Y)."""
    fields = {f.attname: getattr(d["period"], f.attname) for f in EvaluationPeriod._meta.concrete_fields}
    fields.pop("id")
    deadlines = ("branch_deadline", "confirm_deadline", "forward_deadline")
    return new(EvaluationPeriod, **{**fields, "year": year, **{k: fields[k].replace(year=year) for k in deadlines}})


def request_row(d, **over):
    link = d["link"]
    return {
        "member": d["member"],
        "link": link,
        "workplace_committee": link.workplace_committee,
        "workplace_path": link.workplace_path,
        "residence_path": d["res"].path,
        "year": Y,
        "purpose": "award",
        "due_date": datetime.date(Y, 12, 1),
        "requested_by": d["clerk_a"],
        **over,
    }


def front_row(d, **over):
    return {
        "branch": d["res"],
        "branch_path": d["res"].path,
        "year": Y,
        "held_on": datetime.date(Y, 11, 20),
        "attendees": "Chi ủy; Ban công tác Mặt trận",
        "recorded_by": d["secretary"],
        **over,
    }


def rating_row(d, **over):
    link = d["link"]
    return {
        "member": d["member"],
        "workplace_committee": link.workplace_committee,
        "workplace_path": link.workplace_path,
        "year": Y,
        "scheme": RatingScheme.objects.of_year(Y),
        "score": 80,
        "level": "good",
        "rated_by": d["clerk_a"],
        **over,
    }


def scheme_row(d, **over):
    return {
        "code": "qd-sau",
        "short_name": "QĐ mới",
        "regulation": "Quy định số 999-QĐ/TW",
        "first_year": 2090,
        "score_max": 100,
        "levels": [{"code": "good", "label": "Tốt", "min_score": 0}],
        **over,
    }


def reminder_row(d, **over):
    return {
        "rule": d["rule"],
        "stage": 1,
        "object_id": 1,
        "due_date": datetime.date(Y, 1, 1),
        "path": "0001",
        "created_at": at(Y, 1, 1),
        **over,
    }


def new_requested_forms(d, count):
    def write():
        request = EvaluationRequest.objects.bulk_create([EvaluationRequest(**request_row(d))])[0]
        Evaluation.objects.bulk_create(
            [Evaluation(**evaluation_row(d, period=None, request=request)) for _ in range(count)]
        )

    return write


def new_proposals_for_evaluation(d, count):
    def write():
        evaluation = Evaluation.objects.bulk_create([Evaluation(**evaluation_row(d, "forwarded"))])[0]
        Proposal.objects.bulk_create([Proposal(**proposal_row(d, evaluation=evaluation)) for _ in range(count)])

    return write


def new_documents(d, *numbers):
    return lambda: Document.objects.bulk_create([Document(**document_row(d, number=n)) for n in numbers])


@pytest.mark.parametrize(("constraint", "valid", "invalid"), CASES, ids=[c[0] for c in CASES])
def test_the_database_refuses_what_breaks_the_invariant(d, constraint, valid, invalid):
    with transaction.atomic():
        valid(d)()
        transaction.set_rollback(True)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        invalid(d)()
    # The whole quoted name (signed_form_has_signer is inside signed_form_has_signer_name); a
    # unique field's own constraint is the name with _key.
    assert re.search(rf'"{re.escape(constraint)}(_key)?"', str(refused.value)), str(refused.value)


def _declared():
    names = set()
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            names |= {c.name for c in model._meta.constraints}
    return names


def test_every_declared_constraint_has_a_case():
    assert _declared() - {c[0] for c in CASES} == set()


@pytest.mark.django_db
def test_every_declared_constraint_is_in_the_database():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint UNION SELECT indexname FROM pg_indexes")
        present = {row[0] for row in cursor.fetchall()}
    assert _declared() - present == set()


@pytest.mark.django_db
def test_migrations_are_complete():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)


def test_a_citizen_id_in_another_scripts_digits_is_refused_at_the_field(tree):
    """str.isdigit() takes ١٢٣; the constraint does not, so the form must not either (a 500 before)."""
    from django.core.exceptions import ValidationError

    from tests import factories

    born = datetime.date(1985, 3, 12)
    citizen_id = factories.citizen_id_for("male", born)[:6] + "١٢٣٤٥٦"
    with pytest.raises(ValidationError) as refused:
        factories.member(tree["a1"], citizen_id=citizen_id, birth_date=born)
    assert "citizen_id" in refused.value.message_dict
