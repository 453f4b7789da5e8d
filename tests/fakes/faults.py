"""Random send failures for the fake APIs: a share of sends fails as a real platform's do.

Kinds: "429" (slow down), "500" (a server error), "lost" (the connection drops before the platform got the call:
a timeout that sent nothing) and "late" (the platform delivered the message, then the connection dropped: a
timeout after the fact, which the bot cannot tell from "lost", so it sends again: the one case where a message
may arrive twice). `late` counts, per chat, the messages that arrived although the bot saw a failure.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

KINDS = ("429", "500", "lost", "late")


@dataclass
class Faults:
    rate: float = 0.2
    seed: int = 7
    kinds: tuple[str, ...] = KINDS
    picked: Counter[str] = field(default_factory=Counter)
    late: Counter[str] = field(default_factory=Counter)  # chat -> messages delivered behind a failure

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def pick(self) -> str | None:
        """The failure of this send, or None (it goes through)."""
        if self._random.random() >= self.rate:
            return None
        kind = self._random.choice(self.kinds)
        self.picked[kind] += 1
        return kind
