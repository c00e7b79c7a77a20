"""Django permissions derived from the role, so the administration obeys roles.yaml.

Authentication is ModelBackend's (password check, inactive users refused). Permissions are not:
per-user grants, groups and the superuser flag are ignored, and each ``app.action_model``
permission is granted only when the user's role holds the capability that roles.yaml's
``admin_permissions`` names for that model (or its app) and action. Anything not named there is
denied.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from kirok.accounts.roles import role_book, role_of


class RoleBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        app_label, _, codename = perm.partition(".")
        action, _, model = codename.partition("_")
        capability = admin_capability(app_label, model, action)
        role = role_of(user_obj)
        return capability is not None and role is not None and role.admin_site and role.can(capability)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        role = role_of(user_obj)
        if role is None or not role.admin_site:
            return False
        return any(
            role.can(c) for key, actions in role_book().admin_permissions.items()
            if key.partition(".")[0] == app_label for c in actions.values()
        )


def admin_capability(app_label: str, model: str, action: str) -> str | None:
    """The capability roles.yaml asks for ``action`` on ``app_label.model``: the model's own line
    if it has one, else the app's; None (denied) when neither names the action."""
    permissions = role_book().admin_permissions
    actions = permissions.get(f"{app_label}.{model}", permissions.get(app_label, {}))
    return actions.get(action)
