"""The reminder rules' starting settings: loaded by a migration (and by tests after a flush);
an administrator changes them in the admin afterwards."""

RULES = [
    (
        "letter_missing",
        30,
        15,
        "Ngày 1: số ngày từ khi đảng viên cần giấy giới thiệu (kết nạp, thuộc diện, chuyển đến) đến khi nhắc "
        "văn phòng cấp ủy nơi công tác. Ngày 2: số ngày thêm trước khi nhắc đồng chí bí thư ký giấy.",
    ),
    (
        "letter_unreceived",
        15,
        15,
        "Ngày 1: số ngày từ khi ký giấy giới thiệu đến khi nhắc văn phòng đảng ủy xã, phường nơi cư trú "
        "nếu chưa tiếp nhận. Ngày 2: số ngày thêm trước khi nhắc cả văn phòng nơi công tác.",
    ),
    (
        "meeting_upcoming",
        2,
        None,
        "Ngày 1: nhắc tổ trưởng và đảng viên trước buổi sinh hoạt bao nhiêu ngày. Giấy mời gửi ngay khi "
        "lên lịch; lần quét hằng ngày gửi bù giấy mời chưa đi được.",
    ),
    (
        "evaluation_unfilled",
        7,
        1,
        "Ngày 1 và ngày 2: nhắc bí thư chi bộ còn phiếu nhận xét chưa ký trước hạn của chi bộ bao nhiêu "
        "ngày. Quá hạn: báo văn phòng đảng ủy xã, phường.",
    ),
    (
        "evaluation_unconfirmed",
        3,
        None,
        "Ngày 1: nhắc văn phòng đảng ủy xã, phường còn phiếu đã ký chờ xác nhận trước hạn xác nhận bao "
        "nhiêu ngày; quá hạn nhắc lần nữa; quá hạn chuyển mà phiếu đã xác nhận chưa chuyển cũng nhắc.",
    ),
    (
        "evaluation_unreceived",
        7,
        None,
        "Ngày 1: số ngày sau hạn chuyển phiếu mà nơi công tác chưa ghi xếp loại thì nhắc văn phòng "
        "cấp ủy nơi công tác.",
    ),
    (
        "board_digest",
        0,
        None,
        "Tổng hợp việc quá hạn trong phạm vi gửi ban thường vụ, ban tổ chức mỗi tuần một lần (lịch "
        "chạy: sáng thứ Hai).",
    ),
]


def seed_rules(ReminderRule) -> None:  # noqa: N803 (a model class, historical or current)
    """Create the rules that are missing; never overwrite what an administrator set."""
    for code, first, second, description in RULES:
        ReminderRule.objects.get_or_create(
            code=code, defaults={"first_days": first, "second_days": second, "description": description}
        )
