"""Admin pieces shared by the apps."""


class ReadOnlyAdmin:
    """Shown in the admin, never written there: the rows are made by services (or are records)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
