"""Every write to members, exemptions, residence links and change notices goes through here."""

from .batches import letter_batch_run, letter_batch_start  # noqa: F401
from .links import (  # noqa: F401
    change_notice_issue,
    exemption_record,
    letter_issue,
    letter_revoke,
    letters_issue_many,
    link_receive,
    link_receive_manual,
)
from .members import MEMBER_FIELDS, member_create, member_update  # noqa: F401
