"""How often fuzzed input makes the bot apologise, break a channel's limit or leave a broken flow.

Sends N random inputs (default 10,000) through the real Router, spread evenly over the scenarios of
tests/fuzz_paths.py: every step of every flow, the resume step, and nothing in progress for a member, a leader,
staff and a stranger. Each example is one to three inputs sent from the scenario's step (typed text built from
adversarial pieces and random code points, presses of the prompt's buttons, forged button payloads), then "/huy";
every example is rolled back, so each starts from the same step. Prints, per kind of failure, how many inputs had
it, then the scenarios with failures and one sample of each distinct failure (the input as a Python repr).

    .venv/bin/python bench/fuzz_apologies.py
    .venv/bin/python bench/fuzz_apologies.py --n 2000 --seed 7
    .venv/bin/python bench/fuzz_apologies.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test

A scenario whose prefix does not lead to its step (older code without that step) is listed as not reached and its
share of the inputs goes to the others.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import sys
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import database  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core.clock import VN_TZ, FixedClock  # noqa: E402
from tests.fuzz_paths import KINDS, SCENARIOS, Input, Problem, Scenario, World, random_input  # noqa: E402

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=VN_TZ)
LABELS = {
    "apology": "apologies",
    "logged": "logged exceptions",
    "render": "render errors",
    "over_limit": "replies over a channel limit",
    "bad_chars": "surrogates or NULs shown",
    "invalid_state": "invalid states",
}
SAMPLES_PER_KIND = 3  # distinct failures kept per kind and scenario
SAMPLES_SHOWN = 8  # and printed per kind


@dataclass
class Tally:
    inputs: int = 0
    failed: Counter[str] = field(default_factory=Counter)  # kind -> inputs that had it
    any_failure: int = 0
    samples: dict[tuple[str, str], tuple[str, list[Input]]] = field(default_factory=dict)

    def add(self, scenario: Scenario, inputs: list[Input], problems: list[Problem]) -> None:
        self.inputs += len(inputs)
        by_input: dict[int, set[str]] = defaultdict(set)
        for p in problems:  # the "/huy" after the example counts against its last input
            by_input[p.at if p.at >= 0 else len(inputs) - 1].add(p.kind)
            key = (p.kind, _shape(p.detail))
            if key not in self.samples and sum(1 for k, _ in self.samples if k == p.kind) < SAMPLES_PER_KIND:
                self.samples[key] = (f"{scenario.name}, input {p.at if p.at >= 0 else '/huy'}: {p.detail}", inputs)
        for kinds in by_input.values():
            self.failed.update(kinds)
        self.any_failure += len(by_input)


def _shape(detail: str) -> str:
    """A failure's detail without its numbers and quoted values, so repeats of one failure count once."""
    return re.sub(r"\d+", "N", re.sub(r"'[^']*'|\"[^\"]*\"", "…", detail))[:160]


async def run(url: str, n: int, seed: int) -> tuple[dict[str, Tally], list[tuple[Scenario, str]], float]:
    config = load_config(ROOT / "config.yaml")
    world = await World.build(url, config, FixedClock(NOW))
    started = time.perf_counter()
    try:
        reachable, unreached = [], []
        for scenario in SCENARIOS:
            try:
                await world.enter(scenario)
                reachable.append(scenario)
            except Exception as exc:  # a step older code does not have, or a label it words otherwise
                unreached.append((scenario, f"{type(exc).__name__}: {str(exc)[:120]}"))
            finally:
                await world.leave()
        tallies = {}
        for i, scenario in enumerate(reachable):
            quota = n // len(reachable) + (1 if i < n % len(reachable) else 0)
            rng = random.Random(seed * 1_000_003 + zlib.crc32(scenario.name.encode()))
            tally = tallies[scenario.name] = Tally()
            spot = await world.enter(scenario)
            try:
                while tally.inputs < quota:
                    inputs = [random_input(rng) for _ in range(min(rng.randint(1, 3), quota - tally.inputs))]
                    tally.add(scenario, inputs, await spot.run(inputs))
            finally:
                await world.leave()
        return tallies, unreached, time.perf_counter() - started
    finally:
        await world.close()


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cells).rstrip())


def report(
    backend: str, seed: int, tallies: dict[str, Tally], unreached: list[tuple[Scenario, str]], wall: float
) -> None:
    total = Tally()
    for tally in tallies.values():
        total.inputs += tally.inputs
        total.failed.update(tally.failed)
        total.any_failure += tally.any_failure
        for key, sample in tally.samples.items():
            if key not in total.samples and sum(1 for k, _ in total.samples if k == key[0]) < SAMPLES_SHOWN:
                total.samples[key] = sample
    print(
        f"Fuzzed inputs through the router — {backend}, seed {seed}: {len(tallies)} scenarios reached, "
        f"{len(unreached)} not, {wall:.0f} s"
    )
    rows = [["inputs", str(total.inputs), ""]]
    for kind in KINDS:
        count = total.failed[kind]
        rows.append([LABELS[kind], str(count), f"{100 * count / max(total.inputs, 1):.2f}%"])
    rows.append(
        ["inputs with any failure", str(total.any_failure), f"{100 * total.any_failure / max(total.inputs, 1):.2f}%"]
    )
    _table(["", "inputs", "share"], rows)
    failing = [(name, t) for name, t in tallies.items() if t.any_failure]
    if failing:
        print("\nBy scenario (inputs with each kind of failure):")
        header = ["scenario", "inputs", *(k.replace("_", " ") for k in KINDS)]
        _table(header, [[name, str(t.inputs), *(str(t.failed[k]) for k in KINDS)] for name, t in failing])
        print("\nOne sample of each distinct failure:")
        for (kind, _), (where, inputs) in sorted(total.samples.items()):
            print(f"- {kind}: {where}\n    inputs: {inputs!r:.300}")
    for scenario, reason in unreached:
        print(f"not reached: {scenario.name}: {reason}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="fuzzed inputs in all (default 10,000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random inputs (default 1)")
    parser.add_argument(
        "--pg", metavar="URL", help="PostgreSQL server URL (postgresql+asyncpg://…); a temporary database is used"
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    logging.getLogger().addHandler(logging.NullHandler())  # the bot's errors are counted, not printed
    with database(args.pg) as (backend, url):
        tallies, unreached, wall = asyncio.run(run(url, args.n, args.seed))
    report(backend, args.seed, tallies, unreached, wall)


if __name__ == "__main__":
    main()
