"""Fuzzing every step of every flow: whatever is typed or pressed, the bot answers with something other than the
apology, within each channel's limits, and leaves a conversation it can go on with or cancel.

tests/fuzz_paths.py says how a chat reaches each step (SCENARIOS: every step of every flow, the resume step, and
nothing in progress for a member, a leader, staff and a stranger) and what is judged after each input. Here
hypothesis draws the inputs: one or two per example, typed text (random code points, lone surrogates and
controls included; adversarial pieces; 10,000-character lines; plausible answers that move the flow on), presses
of the prompt's own buttons, and forged button payloads.

Bounded for `make test`: EXAMPLES examples per step, each step with a fixed seed. More of them:
SOTAY_FUZZ_EXAMPLES=500 .venv/bin/pytest -q tests/test_fuzz_flows.py (and SOTAY_FUZZ_SEED=n for other draws).
"""

from __future__ import annotations

import asyncio
import os
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import SQLModel

from bot.config import Config
from bot.core.clock import VN_TZ, FixedClock
from bot.flows.engine import RESUME_STEP
from bot.store.db import make_engine
from tests.fuzz_paths import (
    ADVERSARIAL,
    COMMAND_WORDS,
    LEADER,
    LONG,
    MEMBER,
    PLAUSIBLE,
    SCENARIOS,
    STAFF,
    STRANGER,
    Forged,
    Input,
    Problem,
    Spot,
    Tap,
    Typed,
    World,
    every_step,
)

EXAMPLES = int(os.environ.get("SOTAY_FUZZ_EXAMPLES", "4"))
SEED = int(os.environ.get("SOTAY_FUZZ_SEED", "0"))
SHARDS = 3  # the scenarios split over a few test items, so pytest-xdist can run them side by side
BACKENDS = ("sqlite", "postgresql")  # as the store fixture of tests/conftest.py
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=VN_TZ)  # the clock of tests/conftest.py


# --- what is sent -----------------------------------------------------------------------------------------------
def _long(index: int) -> str:
    return LONG[index]


_ANY_CHAR = st.characters(codec=None, exclude_categories=())  # every code point, lone surrogates and controls too
_LONG = st.integers(0, len(LONG) - 1).map(_long)  # by index: the strategy's repr stays short in a failure report
_RANDOM = st.text(alphabet=_ANY_CHAR, max_size=40)
_PIECE = st.one_of(st.sampled_from(ADVERSARIAL), st.sampled_from(PLAUSIBLE), _RANDOM, _LONG)
_SEPARATOR = st.sampled_from(("", " ", "\n", ", ", ": "))
_MIXED = st.lists(st.tuples(_PIECE, _SEPARATOR), min_size=1, max_size=5).map(lambda p: "".join(a + b for a, b in p))
_REPEATED = st.tuples(st.sampled_from(ADVERSARIAL + PLAUSIBLE), st.integers(1, 5000)).map(
    lambda t: (t[0] * t[1])[:10_000]
)
_COMMAND = st.tuples(st.sampled_from(COMMAND_WORDS), _MIXED).map(lambda t: f"/{t[0]} {t[1]}")
TEXT = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.sampled_from(ADVERSARIAL),
    _LONG,
    _RANDOM,
    _MIXED,
    _REPEATED,
    _COMMAND,
)
_TYPED = TEXT.map(Typed)
# Two inputs are enough for what one sets (a name, a note) to be shown and read again at the next step.
INPUTS = st.lists(
    st.one_of(_TYPED, _TYPED, _TYPED, _TYPED, st.integers(0, 11).map(Tap), TEXT.map(Forged)), min_size=1, max_size=2
)


# --- the scenarios cover the engine -----------------------------------------------------------------------------
def test_every_step_of_every_flow_has_a_scenario() -> None:
    """A step added to a flow without a scenario here (or a scenario left for a step that is gone) fails."""
    declared = {(s.flow, s.step) for s in SCENARIOS if s.flow is not None and s.step != RESUME_STEP}
    assert declared == every_step()
    assert any(s.step == RESUME_STEP for s in SCENARIOS)
    assert {s.user for s in SCENARIOS if s.flow is None} == {MEMBER, LEADER, STAFF, STRANGER}
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)


# --- fuzzing ----------------------------------------------------------------------------------------------------
@pytest.fixture
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """An empty, migrated database of the test's backend (the store fixture's, without its event loop)."""
    backend = request.node.callspec.params["backend"]
    if backend == "sqlite":
        path = tmp_path / "fuzz.db"
        path.write_bytes(sqlite_template.read_bytes())
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("pg_url")
    asyncio.run(_truncate(url))
    yield url


async def _truncate(url: str) -> None:
    engine = make_engine(url)
    try:
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


def _describe(spot: Spot, inputs: list[Input], problems: list[Problem]) -> str:
    lines = [f"at {spot.scenario.name}, after {inputs!r:.600}:"]
    lines += [f"  input {p.at if p.at >= 0 else '/huy'}: {p.kind}: {p.detail}" for p in problems]
    return "\n".join(lines)


def _fuzz(loop: asyncio.AbstractEventLoop, spot: Spot) -> None:
    """Hypothesis examples at one step, from a seed of its own (a fixed one unless SOTAY_FUZZ_SEED says)."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,  # a message may take a while on a busy machine; durations are not what is tested
        database=None,  # nothing stored in the repository
        # 10,000-character lines are the point, and each example is a few database round trips
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @seed(SEED * 1_000_003 + zlib.crc32(spot.scenario.name.encode()))
    @given(inputs=INPUTS)
    def example(inputs: list[Input]) -> None:
        problems = loop.run_until_complete(spot.run(inputs))
        assert not problems, _describe(spot, inputs, problems)

    example()


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_step_answers_whatever_is_sent(backend: str, shard: int, fresh_url: str, config: Config) -> None:
    """Each scenario's step is reached once; every example runs from there and is rolled back afterwards."""
    loop = asyncio.new_event_loop()  # one loop for the world and every example: the store's connections live in it
    try:
        world = loop.run_until_complete(World.build(fresh_url, config, FixedClock(NOW)))
        try:
            for scenario in SCENARIOS[shard::SHARDS]:
                spot = loop.run_until_complete(world.enter(scenario))
                try:
                    _fuzz(loop, spot)
                finally:
                    loop.run_until_complete(world.leave())
        finally:
            loop.run_until_complete(world.close())
    finally:
        loop.close()
