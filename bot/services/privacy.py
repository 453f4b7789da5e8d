"""Residents' consent: recorded once per household, with when, the purpose text's version, and who asked."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import audit
from bot.store.models import Household


async def record_consent(
    session: AsyncSession, household: Household, member_id: int, now: datetime, version: str
) -> None:
    """The household agreed (asked on a member's first visit to a household imported from a list)."""
    household.consent_at, household.consent_version, household.consent_by = now, version, member_id
    household.updated_at = now
    session.add(household)
    await audit.record(session, now, member_id, "household.consent", "household", household.id, version=version)
