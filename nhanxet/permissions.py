"""Who may do what in the yearly evaluation, beyond the branch and signing roles of chibo."""

from chibo.models import Role

# Who opens a period over a committee's subtree: its office and administrators.
PERIOD_ROLES = frozenset({Role.CLERK, Role.ADMIN})
# Who records the year-end quality rating and what was done about a proposal: the workplace office.
RATING_ROLES = frozenset({Role.CLERK, Role.SIGNING_SECRETARY, Role.ADMIN})


def can_manage_regulations(user) -> bool:
    """Regulation packs (citations, wording, criteria, deadlines) are the national administrator's."""
    from chibo.permissions import is_national

    return is_national(user)
