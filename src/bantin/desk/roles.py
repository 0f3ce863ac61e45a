"""Who may do what at the desk: three roles, each a superset of the one before.

* ``editor`` (biên tập viên): add, edit, preview and submit drafts;
* ``approver`` (người duyệt): also approve and publish, retract and restore, accept a degraded reading;
* ``admin`` (quản trị): also manage users, schedules and sources.

:func:`can` is the one place a permission is decided (as Datasette's
``permission_allowed``); the web app asks it on the server for every route.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["ACTIONS", "ROLE_LABELS", "Role", "can", "parse_role"]


def N_(message: str) -> str:
    """Mark a string for the desk catalog; translated where it is shown."""
    return message


class Role(StrEnum):
    """A desk user's role."""

    editor = "editor"
    approver = "approver"
    admin = "admin"

    @property
    def label(self) -> str:
        """The role's Vietnamese name (the desk catalog's msgid)."""
        return ROLE_LABELS[self]


ROLE_LABELS: Mapping[Role, str] = {
    Role.editor: N_("biên tập viên"),
    Role.approver: N_("người duyệt"),
    Role.admin: N_("quản trị"),
}

_EDITOR = frozenset({"add", "edit", "preview", "submit"})
_APPROVER = _EDITOR | {"approve", "publish", "retract", "restore", "accept_reading"}
_ADMIN = _APPROVER | {"manage_users", "manage_schedules", "manage_sources"}

#: Every action, by the least role allowed to do it.
ACTIONS: Mapping[Role, frozenset[str]] = {Role.editor: _EDITOR, Role.approver: frozenset(_APPROVER), Role.admin: frozenset(_ADMIN)}


def can(role: Role | str, action: str) -> bool:
    """Whether ``role`` may do ``action``; an unknown role or action may do nothing."""
    try:
        allowed = ACTIONS[Role(role)]
    except ValueError:
        return False
    return action in allowed


def parse_role(value: str) -> Role:
    """The role named ``value`` (its code, case-insensitive); ValueError naming the three roles otherwise."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValueError(f"role {value!r} is not a desk role. Give one of: editor, approver, admin") from None
