"""What each document type looks like under a regulation pack, before it is put in force: a PDF
from sample data, worded by the pack, its criteria for the evaluation form. Nothing is numbered
or stored; the page says it is a preview."""

import types

from django.utils import timezone

from .models import CriteriaSet, CriteriaUse

ISSUERS = {
    # doc type → (superior, issuer, place, signing on behalf of)
    "introduction": ("Đảng bộ tỉnh Mẫu", "Đảng ủy Sở Giáo dục và Đào tạo", "Thành phố Mẫu", "T/M ĐẢNG ỦY"),
    "change_notice": ("Đảng bộ tỉnh Mẫu", "Đảng ủy Sở Giáo dục và Đào tạo", "Thành phố Mẫu", "T/M ĐẢNG ỦY"),
    "acknowledgement": ("Đảng bộ tỉnh Mẫu", "Đảng ủy phường Mẫu", "Phường Mẫu", "T/M ĐẢNG ỦY"),
    "evaluation": ("Đảng bộ tỉnh Mẫu", "Đảng ủy phường Mẫu", "Phường Mẫu", "T/M ĐẢNG ỦY"),
    "invitation": ("Đảng ủy phường Mẫu", "Chi bộ khu phố 1", "Phường Mẫu", "T/M CHI BỘ"),
    "absence_notice": ("Đảng ủy phường Mẫu", "Chi bộ khu phố 1", "Phường Mẫu", "T/M CHI BỘ"),
    "report": ("Đảng bộ tỉnh Mẫu", "Đảng ủy phường Mẫu", "Phường Mẫu", "T/M ĐẢNG ỦY"),
}
SYMBOLS = {
    "introduction": "1-GGT/ĐU",
    "change_notice": "1-TB/ĐU",
    "acknowledgement": "1-PB/ĐU",
    "evaluation": "1-PNX/ĐU",
    "invitation": "1-GM/CB",
    "absence_notice": "1-TB/CB",
    "report": "1-BC/ĐU",
}
MEMBER = {
    "full_name": "Nguyễn Văn Mẫu",
    "birth_date": "12/03/1985",
    "gender": "Nam",
    "admission_date": "19/05/2010",
    "full_membership_date": "19/05/2011",
    "card_number": "48012345",
    "position": "Chuyên viên",
    "duties": "",
    "workplace_unit": "Sở Giáo dục và Đào tạo",
    "party_branch": "Chi bộ Văn phòng Sở",
    "residence_address": "Số 12, Khu phố 1, Phường Mẫu",
    "phone": "",
}


def _content(pack, doc_type: str, year: int) -> dict:
    branch, workplace, day = "Chi bộ khu phố 1", "Đảng ủy Sở Giáo dục và Đào tạo", f"01/12/{year}"
    meeting = f"buổi sinh hoạt định kỳ 6 tháng cuối năm {year}"
    if doc_type == "introduction":
        return {"doc_type_label": "GIẤY GIỚI THIỆU", "addressee": ["Đảng ủy phường Mẫu"], "member": MEMBER}
    if doc_type == "acknowledgement":
        return {
            "doc_type_label": "PHIẾU BÁO",
            "wording": {"letter_issuer": workplace},
            "addressee": [workplace],
            "member": MEMBER,
            "extra": {"received_date": day, "letter_symbol": "1-GGT/ĐU", "letter_issuer": workplace, "branch": branch},
        }
    if doc_type == "change_notice":
        return {
            "doc_type_label": "THÔNG BÁO",
            "subtitle": "Về việc đảng viên thay đổi chức vụ, nhiệm vụ",
            "wording": {"effective_date": day},
            "addressee": ["Đảng ủy phường Mẫu"],
            "member": MEMBER,
            "extra": {"change_label": "thay đổi chức vụ, nhiệm vụ", "effective_date": day, "link_ended": False},
        }
    if doc_type == "invitation":
        return {
            "doc_type_label": "GIẤY MỜI",
            "subtitle": f"Dự {meeting}",
            "wording": {"branch": branch, "meeting": meeting},
            "addressee": ["Các đồng chí đảng viên đang công tác"],
            "extra": {
                "branch": branch,
                "when": f"19 giờ 30, ngày {day}",
                "place": "Nhà văn hóa khu phố 1",
                "agenda": ["Thông tin tình hình địa phương"],
            },  # fmt: skip
        }
    if doc_type == "absence_notice":
        return {
            "doc_type_label": "THÔNG BÁO",
            "wording": {"branch": branch, "workplace": workplace},
            "addressee": [workplace],
            "extra": {
                "branch": branch,
                "workplace": workplace,
                "meeting_label": meeting,
                "place": "Nhà văn hóa khu phố 1",
                "when_sentence": f"Vào lúc 19 giờ 30, ngày {day}",
                "absent": [
                    {
                        "full_name": MEMBER["full_name"],
                        "position": "Chuyên viên",
                        "workplace_unit": "",
                        "status_label": "vắng không có lý do",
                        "reason": "",
                        "streak": 1,
                    }
                ],  # fmt: skip
            },
        }
    if doc_type == "evaluation":
        criteria_set = CriteriaSet.objects.filter(pack=pack, use=CriteriaUse.YEARLY).first()
        criteria = list(criteria_set.criteria.all()) if criteria_set else []
        conclusions = criteria_set.conclusions if criteria_set else []
        return {
            "doc_type_label": "PHIẾU NHẬN XÉT",
            "wording": {"branch": branch},
            "addressee": [workplace],
            "extra": {
                "year": year,
                "version": 1,
                "branch": branch,
                "member": MEMBER,
                "criteria": [
                    {"order": c.order, "text": c.text, "level": c.levels[0]["label"] if c.levels else ""}
                    for c in criteria
                ],
                "remarks": [],
                "conclusion": conclusions[0]["label"] if conclusions else "",
                "branch_signer": {
                    "on_behalf": "T/M CHI BỘ",
                    "title": "BÍ THƯ",
                    "name": "Trần Văn Bí Thư",
                    "signed_on": day,
                },  # fmt: skip
                "confirm_label": "XÁC NHẬN CỦA ĐẢNG ỦY PHƯỜNG MẪU",
            },
        }
    period = f"năm {year}"
    computed = f"08 giờ 00, ngày {day}"
    return {
        "doc_type_label": "BÁO CÁO",
        "wording": {"organization": "Đảng ủy phường Mẫu", "period": period, "computed_at": computed},
        "extra": {"org_name": "Đảng ủy phường Mẫu", "period_label": period, "computed_at": computed, "sections": []},
    }


def preview_pdf(pack, doc_type: str) -> bytes:
    """The PDF of a document type under `pack`, from sample data, marked as a preview."""
    from vanban.rendering import render_pdf
    from vanban.services import document_snapshot

    superior, name, place, on_behalf = ISSUERS[doc_type]
    issuer = types.SimpleNamespace(superior_name=superior, short_name="", name=name, place_name=place)
    now = timezone.now()
    snapshot = document_snapshot(
        doc_type=doc_type,
        issuer=issuer,
        symbol=SYMBOLS[doc_type],
        issued_at=now,
        content={"body": [], "extra": {}, "recipients": ["Như trên;", "Lưu."], **_content(pack, doc_type, now.year)},
        pack=pack,
        signer={"on_behalf": on_behalf, "title": "BÍ THƯ", "name": "Trần Văn Bí Thư"},
        verify_url="",
    )
    snapshot["preview"] = True
    return render_pdf(snapshot)
