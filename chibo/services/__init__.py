"""Every write to the organisation tree, roles, party groups, meetings and attendance."""

from .branches import (  # noqa: F401
    AttendanceConflict,
    attendance_correct,
    attendance_mark,
    meeting_close,
    meeting_invitation_issue,
    meeting_roster_refresh,
    meeting_schedule,
    meeting_update,
    members_group_set,
    party_group_delete,
    party_group_save,
)
from .organizations import (  # noqa: F401
    ORG_FIELDS,
    admin_units_load,
    organization_create,
    organization_kind_save,
    organization_move,
    organization_stamp_set,
    organization_update,
    role_assign,
    role_revoke,
    signatory_save,
)
