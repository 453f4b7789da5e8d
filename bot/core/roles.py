"""Roles and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    LEADER = "leader"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def is_commune_wide(self) -> bool:
        return self in (Role.STAFF, Role.ADMIN)


def invitable_roles(inviter: Role) -> tuple[Role, ...]:
    """Which roles an inviter may hand out: a leader only members of the team, staff any team role."""
    if inviter is Role.LEADER:
        return (Role.MEMBER,)
    if inviter.is_commune_wide:
        return (Role.MEMBER, Role.LEADER, Role.STAFF)
    return ()
