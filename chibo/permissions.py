"""Who may do what where. A role covers its organisation's subtree (a path prefix)."""

from django.db.models import F, Q
from django.db.models.functions import Substr
from django.db.models.lookups import In

from .models import Role

# A group leader's role on the branch is who may lead a group there; what they see comes
# from the groups they lead (PartyGroup.leader), never from the branch's subtree.
READ_ROLES = frozenset(Role.values) - {Role.GROUP_LEADER}
MEMBER_WRITE_ROLES = frozenset({Role.CLERK, Role.ADMIN})
ORG_WRITE_ROLES = frozenset({Role.ADMIN})
# The committee's office keeps its stamp and signatories (it issues the documents).
# A residence branch's secretary signs the branch's invitations and absence notices.
SIGNING_ROLES = frozenset({Role.CLERK, Role.BRANCH_SECRETARY, Role.ADMIN})
# Residence-branch work: the secretary, the commune office above it, administrators.
BRANCH_WRITE_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.CLERK, Role.ADMIN})


def _assignments(user):
    """(path, role) pairs of the user's roles, loaded once per user object (one query)."""
    cached = getattr(user, "_role_paths", None)
    if cached is None:
        from .models import RoleAssignment

        cached = list(
            RoleAssignment.objects.filter(user=user, organization__is_active=True).values_list(
                "organization__path", "role"
            )
        )
        user._role_paths = cached
    return cached


def _minimal(paths):
    """Drop paths that lie under another path in the set."""
    out = []
    for path in sorted(set(paths)):
        if not out or not path.startswith(out[-1]):
            out.append(path)
    return out


def is_national(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def scope_paths(user, roles=READ_ROLES):
    """Minimal list of subtree roots the user may act on with one of `roles`; None = everything."""
    if not user.is_authenticated or not user.is_active:
        return []
    if is_national(user):
        return None
    return _minimal(path for path, role in _assignments(user) if role in roles)


# Above this many subtrees a prefix test per subtree (each row against hundreds of LIKEs) costs
# more than cutting the path to each length once and looking it up in a set.
MANY_PATHS = 16


def path_q(paths, field: str) -> Q:
    """Q for rows whose `field` (a materialized path) lies in one of the subtrees: an indexed
    prefix test each for a user's few roots, `substr(field, 1, n) IN (...)` per path length for
    the hundreds of committees a reminder batch covers."""
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    if len(paths) <= MANY_PATHS:
        for path in paths:
            q |= Q(**{f"{field}__startswith": path})
        return q
    by_length = {}
    for path in paths:
        by_length.setdefault(len(path), set()).add(path)
    for length, group in sorted(by_length.items()):
        q |= Q(In(Substr(F(field), 1, length), sorted(group)))
    return q


def has_role_over(user, path: str, roles) -> bool:
    scope = scope_paths(user, roles)
    return scope is None or any(path.startswith(p) for p in scope)


def can_export_subject_data(user, org) -> bool:
    """A data-subject request (all data held on a member) is answered by an administrator over the
    member's organisation."""
    return has_role_over(user, org.path, [Role.ADMIN])


def can_view_org(user, org) -> bool:
    return has_role_over(user, org.path, READ_ROLES)


def can_manage_members(user, org) -> bool:
    return has_role_over(user, org.path, MEMBER_WRITE_ROLES)


def can_manage_orgs(user, org) -> bool:
    return has_role_over(user, org.path, ORG_WRITE_ROLES)


def roles_of(user):
    return sorted({role for _path, role in _assignments(user)}) if user.is_authenticated else []


def can_manage_signing(user, org) -> bool:
    return has_role_over(user, org.path, SIGNING_ROLES)


def can_manage_branch(user, branch) -> bool:
    return has_role_over(user, branch.path, BRANCH_WRITE_ROLES)


def role_over_sql(user, roles, *, column: str | None = None, path: str | None = None) -> tuple[str, list]:
    """has_role_over(user, path, roles) as an SQL truth value and its parameters, the path being
    `column` (an SQL expression) or the value `path`: a hot statement reads the right in the same
    query as the row it guards instead of loading the user's roles first."""
    from .models import Organization, RoleAssignment

    if user is None or is_national(user):
        return "TRUE", []
    if not user.is_authenticated or not user.is_active:
        return "FALSE", []
    roles = sorted(roles)
    # A role covers its organisation's subtree: the organisation's path is a prefix of the path.
    return (
        f"EXISTS (SELECT 1 FROM {RoleAssignment._meta.db_table} r"  # noqa: S608 (names from the models)
        f" JOIN {Organization._meta.db_table} o ON o.id = r.organization_id"
        f" WHERE r.user_id = %s AND o.is_active AND r.role IN ({', '.join(['%s'] * len(roles))})"
        f" AND substr({'%s' if column is None else column}, 1, length(o.path)) = o.path)",
        [user.pk, *roles, *([path] if column is None else [])],
    )


def can_manage_branch_sql(user, *, column: str | None = None, path: str | None = None) -> tuple[str, list]:
    """can_manage_branch in SQL (see role_over_sql); a test keeps the two equal."""
    return role_over_sql(user, BRANCH_WRITE_ROLES, column=column, path=path)


def may_lead_group_in(user, branch) -> bool:
    """Whether an account can be appointed group leader in the branch: any role over it,
    the group-leader role included, in an active organisation."""
    return has_role_over(user, branch.path, READ_ROLES | {Role.GROUP_LEADER})
