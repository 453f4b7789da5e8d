"""The audit trail: who did what, when. Holds ids and field names, never residents' details."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.models import AuditEntry


async def record(
    session: AsyncSession,
    at: datetime,
    actor_member_id: int | None,
    action: str,
    entity: str,
    entity_id: int | str | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor_member_id=actor_member_id,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=detail,
        )
    )


async def denied(
    session: AsyncSession,
    at: datetime,
    actor_member_id: int | None,
    entity: str,
    entity_id: int | str | None,
    reason: str,
) -> None:
    """Record an attempt to read or change something outside the actor's scope (another team's household…)."""
    await record(session, at, actor_member_id, "access.denied", entity, entity_id, reason=reason)
