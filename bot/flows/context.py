"""What a handler or a flow step sees of one incoming message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.core.messages import Inbound
from bot.core.roles import Role
from bot.services.deps import Deps
from bot.store.models import Member


@dataclass
class Ctx:
    deps: Deps
    session: AsyncSession
    inbound: Inbound
    member: Member
    now: datetime
    data: dict[str, Any] = field(default_factory=dict)  # the active flow's collected data
    in_words: bool = False  # the command was typed in words ("tiến độ quý này thế nào"): words it cannot read are
    # the sentence's, not a mistake to point out

    @property
    def config(self) -> Config:
        return self.deps.config

    @property
    def role(self) -> Role:
        return Role(self.member.role)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.config.tz).date()
