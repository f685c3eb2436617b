"""The evaluation workflow against the real database: periods, drafts, signing, confirmation,
forwarding, corrections, proposals and ratings; each refusal leaves nothing behind."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from nhanxet import services
from nhanxet.models import CriteriaSet, Evaluation, EvaluationPeriod, EvaluationStatus, Proposal, QualityRating
from nhatky.models import AuditEvent
from taikhoan.models import Notification
from tests import factories
from vanban.models import Document, DocumentStatus, NumberRegister

from .conftest import fill, open_period

pytestmark = pytest.mark.django_db


def test_seeded_criteria_sets():
    yearly = CriteriaSet.objects.get(use="yearly", pack__code="qd213")
    exempt = CriteriaSet.objects.get(use="exempt", pack__code="qd213")
    assert yearly.criteria.count() == 5
    assert exempt.criteria.count() == 2
    meetings = yearly.criteria.get(code="meetings")
    assert [level["label"] for level in meetings.levels] == [
        "Tham gia đầy đủ",
        "Tham gia chưa đầy đủ",
        "Không tham gia",
    ]
    assert [c["code"] for c in yearly.conclusions] == ["commend", "none", "handle"]


def test_period_open_freezes_criteria_and_is_audited(period):
    assert period["period"].criteria_set.is_frozen
    assert AuditEvent.objects.filter(action="evaluation_period.open", object_id=str(period["period"].pk)).exists()


def test_period_refusals(branch):
    year = timezone.localdate().year
    base = dict(
        actor=branch["office"],
        organization=branch["commune"],
        year=year,
        scope="all",
        branch_deadline=datetime.date(year, 12, 20),
        confirm_deadline=datetime.date(year, 12, 10),
        forward_deadline=datetime.date(year, 12, 5),
    )
    with pytest.raises(ValidationError) as exc:
        services.period_open(**base)
    assert set(exc.value.message_dict) == {"confirm_deadline", "forward_deadline"}
    with pytest.raises(PermissionDenied):
        services.period_open(
            **{
                **base,
                "actor": branch["clerk_a"],
                "confirm_deadline": base["branch_deadline"],
                "forward_deadline": base["branch_deadline"],
            }
        )
    with pytest.raises(ValidationError) as exc:
        services.period_open(**{**base, "actor": branch["clerk_a"], "organization": branch["a"]})
    assert "organization" in exc.value.message_dict
    ok = {**base, "confirm_deadline": base["branch_deadline"], "forward_deadline": base["branch_deadline"]}
    services.period_open(**ok)
    with pytest.raises(ValidationError) as exc:
        services.period_open(**ok)
    assert "year" in exc.value.message_dict
    assert EvaluationPeriod.objects.count() == 1
    assert not CriteriaSet.objects.get(use="exempt").is_frozen


def test_draft_autosave_and_optimistic_lock(period):
    link = period["links"][0]
    first = services.evaluation_save(
        actor=period["secretary"], link=link, year=period["year"], lock_version=0, answers={"example": "good"}
    )
    assert first.status == EvaluationStatus.DRAFT and first.lock_version == 1
    assert first.period == period["period"] and first.commune == period["commune"]
    second = services.evaluation_save(
        actor=period["secretary"],
        link=link,
        year=period["year"],
        lock_version=1,
        answers={"example": "fair"},
        remarks="Tốt",
    )
    assert second.pk == first.pk and second.lock_version == 2 and second.answers == {"example": "fair"}
    # A second editor still holding version 1 is told, and nothing of theirs is written.
    with pytest.raises(services.EvaluationConflict) as conflict:
        services.evaluation_save(
            actor=period["office"], link=link, year=period["year"], lock_version=1, answers={"example": "poor"}
        )
    assert conflict.value.evaluation.answers == {"example": "fair"}
    # A second editor who started the same new form at the same time is told too.
    with pytest.raises(services.EvaluationConflict):
        services.evaluation_save(actor=period["office"], link=link, year=period["year"], lock_version=0, answers={})
    assert Evaluation.objects.get().answers == {"example": "fair"}


def test_answers_outside_the_version_are_refused_at_their_field(period):
    link = period["links"][0]
    with pytest.raises(ValidationError) as exc:
        services.evaluation_save(
            actor=period["secretary"],
            link=link,
            year=period["year"],
            lock_version=0,
            answers={"example": "excellent", "invented": "good"},
            conclusion="promote",
        )
    assert set(exc.value.message_dict) == {"c_example", "c_invented", "conclusion"}
    assert not Evaluation.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.evaluation_save(
            actor=period["secretary"], link=link, year=period["year"], lock_version=0, answers={}, remarks="a\x00b"
        )
    assert "remarks" in exc.value.message_dict


def test_outsiders_cannot_fill(period):
    link = period["links"][0]
    for outsider in (
        period["clerk_a"],
        period["leader"],
        factories.user("other", roles=[]),
    ):
        with pytest.raises(PermissionDenied):
            services.evaluation_save(actor=outsider, link=link, year=period["year"], lock_version=0, answers={})


def test_no_period_no_yearly_form(branch):
    with pytest.raises(ValidationError, match="Chưa có kỳ nhận xét"):
        services.evaluation_save(
            actor=branch["secretary"],
            link=branch["links"][0],
            year=timezone.localdate().year,
            lock_version=0,
            answers={},
        )


def test_exempt_member_gets_no_yearly_form_only_on_request(period):
    from dangvien.services import exemption_record

    link = period["links"][0]
    exemption_record(
        actor=period["clerk_a"],
        member=link.member,
        category="barracks",
        reason="Ở doanh trại",
        start_date=timezone.localdate(),
        decided_by="Đảng ủy Sở",
    )
    with pytest.raises(ValidationError, match="miễn sinh hoạt"):
        fill(period, link)
    request = services.request_create(
        actor=period["clerk_a"],
        member=link.member,
        purpose="award",
        details="Khen thưởng",
        due_date=timezone.localdate() + datetime.timedelta(days=5),
    )
    form = services.evaluation_save(
        actor=period["secretary"],
        link=link,
        year=period["year"],
        lock_version=0,
        answers={"example": "good", "citizen": "good"},
        conclusion="commend",
        conclusion_details="Gương mẫu",
        request=request,
    )
    assert form.criteria_set.use == "exempt" and form.period is None
    assert Notification.objects.filter(user=period["secretary"], key=f"eval-request-{request.pk}").exists()


def test_sign_is_all_or_nothing(period):
    complete = fill(period, period["links"][0])
    partial = services.evaluation_save(
        actor=period["secretary"],
        link=period["links"][1],
        year=period["year"],
        lock_version=0,
        answers={"example": "good"},
    )
    with pytest.raises(ValidationError) as exc:
        services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[complete.pk, partial.pk])
    assert "tiêu chí 2" in " ".join(exc.value.messages)
    assert Evaluation.objects.filter(status="draft").count() == 2
    # Proposing handling needs the facts.
    handle = fill(period, period["links"][2], conclusion="handle")
    with pytest.raises(ValidationError, match="nội dung đề nghị"):
        services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[handle.pk])
    signed = services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[complete.pk])
    assert signed[0].status == "signed" and signed[0].signer_name == "Ngô Văn Nhân"
    # A double-submitted sign is refused, not signed twice.
    with pytest.raises(ValidationError, match="phiếu đã ký"):
        services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[complete.pk])
    # Signed means immutable.
    with pytest.raises(ValidationError, match="Phiếu đã ký"):
        fill(period, period["links"][0], level="poor")
    assert AuditEvent.objects.filter(action="evaluation.sign").count() == 1


def test_yearly_forms_need_the_front_meeting(branch):
    from nhanxet.models import FrontMeeting

    year = timezone.localdate().year
    data = {**branch, "year": year, "period": open_period(branch["office"], branch["commune"])}
    form = fill(data, branch["links"][0])
    assert not FrontMeeting.objects.exists()
    with pytest.raises(ValidationError, match="Mặt trận"):
        services.evaluations_sign(actor=branch["secretary"], branch=branch["res"], ids=[form.pk])


def _signed(period, link, **kwargs):
    form = fill(period, link, **kwargs)
    return services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[form.pk])[0]


def test_confirm_issues_numbered_documents_and_forward_tells_the_workplace(period):
    first = _signed(period, period["links"][0], conclusion="commend", details="Tích cực vận động nhân dân")
    second = _signed(period, period["links"][3])
    # The workplace cannot confirm, nor can a neighbouring commune.
    for outsider in (period["clerk_a"], period["secretary"]):
        with pytest.raises(PermissionDenied):
            services.evaluations_confirm(actor=outsider, commune=period["commune"], ids=[first.pk])
    with pytest.raises(ValidationError, match="chưa được xác nhận"):
        services.evaluations_forward(actor=period["office"], commune=period["commune"], ids=[first.pk])
    confirmed = services.evaluations_confirm(
        actor=period["office"], commune=period["commune"], ids=[first.pk, second.pk]
    )
    documents = sorted((f.document for f in confirmed), key=lambda d: d.number)
    assert [d.number for d in documents] == [1, 2]
    assert documents[0].issuer == period["commune"] and documents[0].doc_type == "evaluation"
    assert documents[0].symbol.startswith("1-PNX/")
    snapshot = Document.objects.get(pk=confirmed[0].document_id).snapshot
    assert snapshot["extra"]["branch_signer"]["name"] == "Ngô Văn Nhân"
    assert snapshot["extra"]["criteria"][0]["level"] == "Nêu gương tốt"
    with pytest.raises(ValidationError, match="không ở bước chờ xác nhận"):
        services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[first.pk])
    services.evaluations_forward(actor=period["office"], commune=period["commune"], ids=[first.pk, second.pk])
    assert set(Evaluation.objects.values_list("status", flat=True)) == {"forwarded"}
    proposal = Proposal.objects.get()
    assert (
        proposal.kind == "commend" and proposal.member == first.member and proposal.workplace_committee == period["a"]
    )
    assert Notification.objects.filter(user=period["clerk_a"]).exists()
    assert Notification.objects.filter(user=period["clerk_b"]).exists()


def test_only_the_committee_that_received_the_member_confirms_and_forwards(period):
    """The branch's secretary holds a signing role over the branch: given the branch as the
    committee, the service confirmed the form under the branch's stamp (the page never offers it,
    the service now refuses it too). The form's commune is the one that confirms."""
    form = _signed(period, period["links"][0])
    for call in (services.evaluations_confirm, services.evaluations_forward):
        with pytest.raises(ValidationError, match="không phải phiếu hiện hành của các chi bộ trực thuộc"):
            call(actor=period["secretary"], commune=period["res"], ids=[form.pk])
    assert Evaluation.objects.get(pk=form.pk).status == "signed"
    assert not Document.objects.filter(doc_type="evaluation").exists()
    services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[form.pk])
    assert Evaluation.objects.get(pk=form.pk).status == "confirmed"


def test_correction_is_a_new_version_and_replaces_the_document(period):
    old = _signed(period, period["links"][0])
    services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[old.pk])
    with pytest.raises(ValidationError):
        services.evaluation_correct(actor=period["secretary"], evaluation=old, reason="  ")
    with pytest.raises(PermissionDenied):
        services.evaluation_correct(actor=period["clerk_a"], evaluation=old, reason="Sai")
    new = services.evaluation_correct(actor=period["secretary"], evaluation=old, reason="Ghi nhầm mức tiêu chí 3")
    old.refresh_from_db()
    assert (old.is_current, old.status, new.version, new.supersedes, new.status) == (
        False,
        "confirmed",
        2,
        old,
        "draft",
    )
    with pytest.raises(ValidationError, match="phiên bản mới hơn"):
        services.evaluation_correct(actor=period["secretary"], evaluation=old, reason="again")
    fill(period, period["links"][0], level="fair")
    services.evaluations_sign(actor=period["secretary"], branch=period["res"], ids=[new.pk])
    services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[new.pk])
    old.document.refresh_from_db()
    new.refresh_from_db()
    assert old.document.status == DocumentStatus.REVOKED and old.document.replaced_by == new.document
    # The old version still reads as it was signed.
    assert set(Evaluation.objects.get(pk=old.pk).answers.values()) == {"good"}


def test_rating_sits_beside_the_forwarded_form(period):
    form = _signed(period, period["links"][0])
    services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[form.pk])
    services.evaluations_forward(actor=period["office"], commune=period["commune"], ids=[form.pk])
    member = period["links"][0].member
    with pytest.raises(PermissionDenied):
        services.rating_record(actor=period["clerk_b"], member=member, year=period["year"], level="good", score=80)
    with pytest.raises(ValidationError):
        services.rating_record(actor=period["clerk_a"], member=member, year=period["year"], level="best", score=80)
    rating = services.rating_record(actor=period["clerk_a"], member=member, year=period["year"], level="good", score=80)
    assert rating.evaluation_id == form.pk and rating.workplace_committee == period["a"]
    services.rating_record(actor=period["clerk_a"], member=member, year=period["year"], level="excellent", score=92)
    assert QualityRating.objects.get().level == "excellent"
    assert AuditEvent.objects.filter(action="quality_rating.record").count() == 2


def test_proposals_from_the_residence_side(period):
    link = period["links"][0]
    with pytest.raises(ValidationError) as exc:
        services.proposal_create(actor=period["secretary"], link=link, kind="remind", facts=" ")
    assert "facts" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.proposal_create(actor=period["clerk_a"], link=link, kind="remind", facts="Vắng nhiều")
    proposal = services.proposal_create(actor=period["secretary"], link=link, kind="remind", facts="Vắng 2 lần")
    with pytest.raises(PermissionDenied):
        services.proposal_act(actor=period["clerk_b"], proposal=proposal, action="reminded")
    with pytest.raises(ValidationError) as exc:
        services.proposal_act(actor=period["clerk_a"], proposal=proposal, action="none")
    assert "action_note" in exc.value.message_dict
    done = services.proposal_act(actor=period["clerk_a"], proposal=proposal, action="reminded", note="Đã nhắc")
    assert done.action == "reminded" and done.action_at


def test_request_refusals(period):
    member = period["links"][0].member
    with pytest.raises(PermissionDenied):
        services.request_create(
            actor=period["clerk_b"], member=member, purpose="award", details="", due_date=timezone.localdate()
        )
    with pytest.raises(ValidationError) as exc:
        services.request_create(
            actor=period["clerk_a"],
            member=member,
            purpose="award",
            details="",
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert "due_date" in exc.value.message_dict
    loose = factories.member(period["a1"], full_name="Phạm Chưa Có")
    with pytest.raises(ValidationError) as exc:
        services.request_create(
            actor=period["clerk_a"], member=loose, purpose="award", details="", due_date=timezone.localdate()
        )
    assert "member" in exc.value.message_dict


def test_failed_confirm_consumes_no_number(period):
    form = _signed(period, period["links"][0])
    draft = fill(period, period["links"][1])
    with pytest.raises(ValidationError):
        services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[form.pk, draft.pk])
    assert not NumberRegister.objects.filter(doc_type="evaluation").exclude(last_number=0).exists()
    assert Evaluation.objects.get(pk=form.pk).status == "signed"


def test_confirmed_form_pdf_reads_as_the_paper_form(period, settings, tmp_path):
    from tests.helpers import pdf_text
    from vanban.services import document_render

    form = _signed(period, period["links"][0], conclusion="commend", details="Vận động nhân dân hiến đất làm đường")
    confirmed = services.evaluations_confirm(actor=period["office"], commune=period["commune"], ids=[form.pk])[0]
    document = document_render(confirmed.document_id)
    text = pdf_text(document.pdf.read())
    for expected in (
        "PHIẾU NHẬN XÉT",
        "Trần Văn Thứ0",
        "Tham gia sinh hoạt định kỳ với chi bộ nơi cư trú: Tham gia đầy đủ",
        "Kết luận, đề nghị: Đề nghị biểu dương. Vận động nhân dân hiến đất làm đường",
        "T/M CHI BỘ",
        "Ngô Văn Nhân",
        "Đã ký ngày",
        "XÁC NHẬN CỦA",
        document.symbol,
        "T/M ĐẢNG ỦY",
    ):
        assert expected in text, expected


def test_branch_progress_follows_the_period_scope(branch):
    from dangvien.services import exemption_record
    from nhanxet.selectors import branch_counts, branch_rows

    year = timezone.localdate().year
    exemption_record(
        actor=branch["clerk_a"],
        member=branch["links"][2].member,
        category="barracks",
        reason="Ở doanh trại",
        start_date=timezone.localdate(),
        decided_by="Đảng ủy Sở",
    )
    _period, rows, _front = branch_rows(branch["res"], year)
    assert branch_counts(rows)["expected"] == 0  # no period yet
    period = open_period(branch["office"], branch["commune"], scope="requested")
    _period, rows, _front = branch_rows(branch["res"], year)
    assert branch_counts(rows)["expected"] == 0  # nobody asked about, nobody flagged
    services.request_create(
        actor=branch["clerk_a"],
        member=branch["links"][0].member,
        purpose="award",
        details="",
        due_date=timezone.localdate(),
    )
    fill({**branch, "year": year, "period": period}, branch["links"][3])  # the branch flags a member
    _period, rows, _front = branch_rows(branch["res"], year)
    counts = branch_counts(rows)
    assert (counts["expected"], counts["missing"], counts["ready"]) == (2, 1, 1)
    EvaluationPeriod.objects.filter(pk=period.pk).update(scope="all")
    _period, rows, _front = branch_rows(branch["res"], year)
    # Every member but the exempt one has a yearly form due, plus the request.
    assert branch_counts(rows)["expected"] == 5
    assert [row.expected for row in rows].count(False) == 1
