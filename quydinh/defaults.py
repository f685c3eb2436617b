"""The pack of Quy định 213-QĐ/TW and Hướng dẫn 33-HD/BTCTW as the migration seeds it: the wording
the documents have always printed, the deadlines and reminder days that were the defaults, the
HD 33 §1 exemption categories. A successor regulation is a new pack, not a change here."""

import datetime

WORDING = {
    "introduction": {
        "subtitle": "Đảng viên đang công tác về sinh hoạt nơi cư trú",
        "purpose": "Về liên hệ, tham gia sinh hoạt với cấp ủy, chi bộ và nhân dân nơi cư trú theo {regulation} về "
        "{regulation_title}.",
        "request": "Đề nghị đảng ủy và chi ủy chi bộ nơi cư trú tiếp nhận, phân công đồng chí sinh hoạt, liên hệ với "
        "chi bộ (tổ đảng) và gửi lại phiếu báo tiếp nhận (phần tiếp nhận) cho cấp ủy nơi đảng viên công tác.",
    },
    "acknowledgement": {
        "subtitle": "Tiếp nhận đảng viên đang công tác về sinh hoạt nơi cư trú",
        "content": "Nội dung: về liên hệ, tham gia sinh hoạt tại nơi cư trú theo {regulation}.",
        "closing": "Trân trọng thông báo để {letter_issuer} biết và phối hợp quản lý đảng viên.",
    },
    "change_notice": {
        "continued": "Đồng chí tiếp tục giữ mối liên hệ, sinh hoạt với tổ chức đảng nơi cư trú theo Quy định số "
        "{regulation_number}. Đề nghị cấp ủy nơi cư trú cập nhật thông tin để theo dõi, phối hợp quản lý đảng viên.",
        "ended": "Kể từ {effective_date}, đồng chí thôi liên hệ, sinh hoạt với tổ chức đảng nơi cư trú theo giấy giới "
        "thiệu đã cấp. Đề nghị cấp ủy nơi cư trú ghi nhận, kết thúc việc theo dõi và thông báo cho chi bộ nơi đồng chí "
        "đã sinh hoạt.",
    },
    "invitation": {
        "lead": "{branch} trân trọng kính mời các đồng chí đảng viên đang công tác giữ mối liên hệ với chi bộ nơi cư "
        "trú đến dự {meeting}.",
        "closing": "Đề nghị các đồng chí tổ trưởng tổ đảng thông báo đến đảng viên trong tổ. Rất mong các đồng chí đến "
        "dự đầy đủ, đúng giờ; trường hợp vắng mặt xin báo lý do với chi ủy.",
    },
    "absence_notice": {
        "subtitle": "Về việc đảng viên vắng mặt buổi sinh hoạt tại nơi cư trú",
        "closing": "{branch} trân trọng thông báo để {workplace} biết, nhắc nhở đảng viên thực hiện Quy định số "
        "{regulation_number} và xem xét khi nhận xét, xếp loại đảng viên cuối năm.",
    },
    "evaluation": {
        "subtitle": "Đảng viên đang công tác giữ mối liên hệ với chi ủy, tổ chức đảng và nhân dân nơi cư trú",
        "lead": "{branch} nhận xét đảng viên đang công tác giữ mối liên hệ với chi ủy, tổ chức đảng và nhân dân nơi "
        "cư trú",
        "results": "Kết quả nhận xét (sau khi trao đổi với ban công tác Mặt trận nơi cư trú):",
    },
    "report": {
        "subtitle": "Kết quả thực hiện Quy định {regulation_number} {period}",
        "lead": "Thực hiện {regulation} về {regulation_title} và {guidance}, {organization} báo cáo kết quả thực hiện "
        "{period} như sau (số liệu tổng hợp lúc {computed_at}):",
    },
}

DEADLINES = {"branch": "12-10", "confirm": "12-20", "forward": "12-31", "request_days": 15}

REMINDER_DAYS = {
    "letter_missing": [30, 15],
    "letter_unreceived": [15, 15],
    "meeting_upcoming": [2, None],
    "evaluation_unfilled": [7, 1],
    "evaluation_unconfirmed": [3, None],
    "evaluation_unreceived": [7, None],
    "board_digest": [0, None],
}

EXEMPTION_CATEGORIES = [
    {
        "code": "barracks",
        "label": "Lực lượng vũ trang, công an ở trong doanh trại hoặc nhà ở công vụ",
        "kind": "exempt_meetings",
        "basis": "HD 33 §1.1",
        "words": ["doanh trai", "nha o cong vu", "luc luong vu trang", "cong an", "quan doi"],
    },
    {
        "code": "mobile_work",
        "label": "Công tác lưu động, xa nhà; cán bộ luân chuyển ở nhà công vụ",
        "kind": "exempt_meetings",
        "basis": "HD 33 §1.1",
        "words": ["luu dong", "di dong", "xa nha", "luan chuyen", "cong tac xa"],
    },
    {
        "code": "full_time_study",
        "label": "Học tập trung từ 12 tháng trở lên, hoặc học tập xa nơi cư trú",
        "kind": "exempt_meetings",
        "basis": "HD 33 §1.1",
        "words": ["hoc tap", "di hoc", "dao tao", "boi duong"],
    },
    {
        "code": "secret_duty",
        "label": "Lực lượng vũ trang, công an làm nhiệm vụ đặc biệt, phải giữ bí mật danh tính",
        "kind": "not_introduced",
        "basis": "HD 33 §1.2",
        "words": ["bi mat", "dac biet", "nhiem vu dac biet"],
    },
    {
        "code": "combat_standby",
        "label": "Đơn vị trực sẵn sàng chiến đấu",
        "kind": "not_introduced",
        "basis": "HD 33 §1.2",
        "words": ["truc chien", "san sang chien dau", "sscd"],
    },
    {
        "code": "other",
        "label": "Trường hợp khác do cấp ủy nơi công tác quyết định, có ghi lý do",
        "kind": "not_introduced",
        "basis": "HD 33 §1.2",
        "words": ["khac", "truong hop khac"],
    },
]

QD213 = {
    "code": "qd213",
    "version": 1,
    "short_name": "QĐ 213",
    "number": "213-QĐ/TW",
    "signed_on": datetime.date(2020, 1, 2),
    "issuer": "Bộ Chính trị",
    "title": "trách nhiệm của đảng viên đang công tác thường xuyên giữ mối liên hệ với tổ chức đảng và nhân dân nơi "
    "cư trú",
    "guidance_number": "33-HD/BTCTW",
    "guidance_signed_on": datetime.date(2020, 10, 30),
    "guidance_issuer": "Ban Tổ chức Trung ương",
    "wording": WORDING,
    "deadlines": DEADLINES,
    "reminder_days": REMINDER_DAYS,
    "exemption_categories": EXEMPTION_CATEGORIES,
    "in_force_from": datetime.date(2020, 1, 2),
}


def seed(RegulationPack, now):  # noqa: N803 - a model class, historical or real
    """The QĐ 213 pack, in force since 02/01/2020 (and so frozen), unless a pack exists."""
    if RegulationPack.objects.exists():
        return RegulationPack.objects.get(code="qd213", version=1)
    return RegulationPack.objects.create(**QD213, frozen_at=now)
