"""The criteria sets of QĐ 213-QĐ/TW and HD 33-HD/BTCTW and the rating schemes, as the migrations
seed them (a new regulation is new data added by the national administrator, not a code change)."""

REGULATION = "Quy định 213-QĐ/TW; Hướng dẫn 33-HD/BTCTW"

CONCLUSIONS = [
    {"code": "commend", "label": "Đề nghị biểu dương"},
    {"code": "none", "label": "Không có đề nghị"},
    {"code": "handle", "label": "Đề nghị nhắc nhở, xem xét xử lý"},
]

CRITERIA = [
    (
        "example",
        "Điều 2, khoản 1",
        "Gương mẫu về phẩm chất chính trị, đạo đức, lối sống nơi cư trú",
        ["Nêu gương tốt", "Nêu gương", "Chưa nêu gương"],
    ),
    (
        "citizen",
        "Điều 2, khoản 2",
        "Thực hiện nghĩa vụ công dân; vận động gia đình và nhân dân chấp hành chủ trương của Đảng, "
        "chính sách, pháp luật của Nhà nước, quy định của địa phương",
        ["Thực hiện tốt", "Thực hiện", "Chưa thực hiện đúng"],
    ),
    (
        "meetings",
        "Điều 2, khoản 3",
        "Tham gia sinh hoạt định kỳ với chi bộ nơi cư trú",
        ["Tham gia đầy đủ", "Tham gia chưa đầy đủ", "Không tham gia"],
    ),
    (
        "contact",
        "Điều 2, khoản 4",
        "Tham gia sinh hoạt với nhân dân; giữ mối liên hệ với chi ủy, trưởng thôn (tổ trưởng dân phố) "
        "và ban công tác Mặt trận nơi cư trú",
        ["Thường xuyên", "Chưa thường xuyên", "Không giữ mối liên hệ"],
    ),
    (
        "mobilise",
        "Điều 2, khoản 5",
        "Vận động nhân dân tham gia xây dựng Đảng, chính quyền; giám sát cán bộ, đảng viên nơi cư trú",
        ["Tích cực", "Có tham gia", "Không tham gia"],
    ),
]
LEVEL_CODES = ["good", "fair", "poor"]

# Members exempt from residence meetings (HD 33 §1.1) are evaluated only on request, on what
# does not depend on attending: their example and their citizen duties.
EXEMPT_CODES = ["example", "citizen"]


# What the system records that bears on each criterion (Criterion.evidence): attendance for the
# meetings duty, the proposals and notices about the member for the others.
EVIDENCE = {
    "example": "conduct",
    "citizen": "conduct",
    "meetings": "attendance",
    "contact": "conduct",
    "mobilise": "conduct",
}


def seed_evidence(Criterion) -> None:  # noqa: N803 - a model class, historical or real
    """Mark the seeded sets' criteria with what they are checked against (where not yet marked)."""
    for code, evidence in EVIDENCE.items():
        Criterion.objects.filter(
            criteria_set__code__in=["qd213-hd33", "qd213-hd33-exempt"], code=code, evidence=""
        ).update(evidence=evidence)


def seed(CriteriaSet, Criterion, pack):  # noqa: N803 - model classes
    """The QĐ 213 pack's sets, unless they exist (a flushed test database has none)."""
    if CriteriaSet.objects.filter(code="qd213-hd33").exists():
        return
    sets = [
        ("qd213-hd33", "Nhận xét đảng viên đang công tác hằng năm (Mẫu 3-213)", "yearly", None),
        (
            "qd213-hd33-exempt",
            "Nhận xét theo đề nghị: đảng viên được miễn sinh hoạt nơi cư trú",
            "exempt",
            EXEMPT_CODES,
        ),
    ]
    for code, name, use, only in sets:
        criteria_set = CriteriaSet.objects.create(
            pack=pack, code=code, version=1, name=name, regulation=REGULATION, use=use, conclusions=CONCLUSIONS
        )
        chosen = [c for c in CRITERIA if only is None or c[0] in only]
        Criterion.objects.bulk_create(
            Criterion(
                criteria_set=criteria_set,
                order=order,
                code=c_code,
                duty=duty,
                evidence=EVIDENCE[c_code],
                text=text,
                levels=[{"code": lc, "label": label} for lc, label in zip(LEVEL_CODES, labels, strict=True)],
            )
            for order, (c_code, duty, text, labels) in enumerate(chosen, start=1)
        )


# ---- rating schemes ------------------------------------------------------------------------------
# QĐ 124-QĐ/TW (04/10/2023) rated in four levels; QĐ 366-QĐ/TW (30/08/2025) replaced it with a
# 100-point score of two groups (30 and 70 points as reported in the press; HD 43-HD/BTCTW of
# 31/10/2025 guides it) and the same four levels by score band, each level with conditions of
# its own, so a committee may rate below the band, never above. Ratings of years up to 2024
# stay under QĐ 124. An official text that says otherwise is a new scheme, not a code change.

LEVEL_LABELS = [
    ("excellent", "Hoàn thành xuất sắc nhiệm vụ"),
    ("good", "Hoàn thành tốt nhiệm vụ"),
    ("done", "Hoàn thành nhiệm vụ"),
    ("not_done", "Không hoàn thành nhiệm vụ"),
]

SCHEMES = [
    {
        "code": "qd124",
        "short_name": "QĐ 124",
        "regulation": "Quy định số 124-QĐ/TW ngày 04/10/2023 của Bộ Chính trị về kiểm điểm và đánh giá, xếp loại "
        "chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị",
        "guidance": "Hướng dẫn số 25-HD/BTCTW của Ban Tổ chức Trung ương",
        # The earliest year the application records: years before QĐ 366 are rated in its levels.
        "first_year": 2000,
        "score_max": None,
        "groups": [],
        "levels": [{"code": code, "label": label, "min_score": None} for code, label in LEVEL_LABELS],
    },
    {
        "code": "qd366",
        "short_name": "QĐ 366",
        "regulation": "Quy định số 366-QĐ/TW ngày 30/08/2025 của Bộ Chính trị về kiểm điểm, đánh giá, xếp loại "
        "chất lượng đối với tập thể, cá nhân trong hệ thống chính trị",
        "guidance": "Hướng dẫn số 43-HD/BTCTW ngày 31/10/2025 của Ban Tổ chức Trung ương",
        "first_year": 2025,
        "score_max": 100,
        "groups": [
            {"code": "general", "label": "Nhóm tiêu chí chung", "max": 30},
            {"code": "tasks", "label": "Nhóm tiêu chí về kết quả thực hiện chức trách, nhiệm vụ được giao", "max": 70},
        ],
        "levels": [
            {"code": code, "label": label, "min_score": low}
            for (code, label), low in zip(LEVEL_LABELS, [90, 70, 50, 0], strict=True)
        ],
    },
]


def seed_schemes(RatingScheme) -> None:  # noqa: N803 - a model class, historical or real
    """Create the schemes that are missing; never change one that exists."""
    for fields in SCHEMES:
        RatingScheme.objects.get_or_create(
            code=fields["code"], defaults={k: v for k, v in fields.items() if k != "code"}
        )
