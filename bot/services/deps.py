"""What every service, handler and flow is given: built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.core.clock import Clock
from bot.store.db import Store


@dataclass(frozen=True)
class Deps:
    config: Config
    store: Store
    clock: Clock
