"""Every line of the corpora of phone-typed lines, through the real router, on SQLite and PostgreSQL.

The lines were written from how members type, not from the code, by two writers who did not see it nor each
other's file (tests/corpus/typed_lines.tsv, tests/corpus/held_out.tsv). Per corpus and context, at least
MIN_UNDERSTOOD of them are understood, and none is read wrongly in a way that saved, sent or changed data.
`python bench/typed_lines.py` prints the shares per category.
"""

from __future__ import annotations

import pytest

from tests.corpus.harness import CONTEXTS, CORPORA, UNDERSTOOD, WRONG, load_cases, run_corpus

MIN_UNDERSTOOD = 0.95
CASES = {corpus.stem: load_cases(corpus) for corpus in CORPORA}


@pytest.mark.parametrize("corpus", sorted(CASES))
def test_the_corpus_is_large_and_covers_every_context(corpus):
    assert len(CASES[corpus]) >= 200
    assert {c.context for c in CASES[corpus]} == set(CONTEXTS)


@pytest.mark.parametrize("corpus", sorted(CASES))
@pytest.mark.parametrize("context", CONTEXTS)
async def test_typed_lines_are_understood(deps, corpus, context):
    cases = [c for c in CASES[corpus] if c.context == context]
    tally = await run_corpus(deps, cases)
    counts = tally.total()
    failures = "\n".join(f"{v.kind}: {c.typed!r} (expected {c.expected}) → {v.detail}" for c, v in tally.failures)
    assert tally.wrong_changing_data == 0, failures
    assert counts[UNDERSTOOD] / len(cases) >= MIN_UNDERSTOOD, failures
    assert counts[WRONG] <= max(1, len(cases) // 50), failures
