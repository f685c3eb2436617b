"""Who may do what with the reports: any role that reads an organisation sees its dashboard
(baocao.selectors scope every read); a committee's office issues its formal report."""

from chibo.permissions import SIGNING_ROLES, has_role_over

# The office that numbers and signs the committee's documents issues its reports too.
REPORT_ROLES = SIGNING_ROLES


def can_issue_report(user, org) -> bool:
    """Only one organisation issues a report: the stand-in for all of a user's (pk 0) cannot."""
    return bool(org.pk) and has_role_over(user, org.path, REPORT_ROLES)
