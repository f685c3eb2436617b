"""The criteria sets of QĐ 213-QĐ/TW and HD 33-HD/BTCTW as seeded by the migration (a new
regulation is a new version added in the admin, not a code change)."""

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


def seed(CriteriaSet, Criterion):  # noqa: N803 - model classes, historical or real
    """Create the default sets unless they exist (a flushed test database has none)."""
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
            code=code, version=1, name=name, regulation=REGULATION, use=use, conclusions=CONCLUSIONS, is_active=True
        )
        chosen = [c for c in CRITERIA if only is None or c[0] in only]
        Criterion.objects.bulk_create(
            Criterion(
                criteria_set=criteria_set,
                order=order,
                code=c_code,
                duty=duty,
                text=text,
                levels=[{"code": lc, "label": label} for lc, label in zip(LEVEL_CODES, labels, strict=True)],
            )
            for order, (c_code, duty, text, labels) in enumerate(chosen, start=1)
        )
