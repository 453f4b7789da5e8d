"""The team's household register: find, add, and spot a household that is already there."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, and_, bindparam, case, func, literal, text, union, union_all
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.phone import normalise_phone
from bot.core.text import nfc, word_key
from bot.core.vocabulary import household_query
from bot.services import audit, household_words
from bot.services.household_match import (
    CANDIDATE_BUDGET,
    MatchIndex,
    address_numbers,
    agreeing_suffixes,
    block_group,
    block_keys,
    choose_blocks,
)
from bot.store.models import (
    WORD_ADDRESS,
    WORD_BLOCK_NUMBER,
    WORD_FAMILY_END,
    WORD_FAMILY_START,
    WORD_NAME,
    Household,
    HouseholdWord,
    Visit,
)

SEARCH_CUTOFF = 75
# A search reads at most this much of what was typed: a name has a few words, and every word costs a condition in
# the query (a pasted paragraph once gave SQLite "Expression tree is too large" and PostgreSQL too many arguments).
SEARCH_MAX_WORDS = 6
SEARCH_MAX_CHARS = 120  # as long as a stored name (Household.head_name)


@dataclass(frozen=True)
class NewHousehold:
    head_name: str
    address: str
    phone: str | None = None
    elderly: bool = False
    ethnic_minority: bool = False
    no_device: bool = False


_E164 = re.compile(r"\+[1-9]\d{7,14}")


def _e164(phone: str | None) -> str | None:
    if phone and _E164.fullmatch(phone):
        return phone  # already stored form: no need to parse again
    return normalise_phone(phone).e164 if phone else None


def _active(team_code: str):  # type: ignore[no-untyped-def]
    return select(Household).where(Household.team_code == team_code, col(Household.archived_at).is_(None))


async def in_team(session: AsyncSession, team_code: str, ids: list[int]) -> list[Household]:
    """These households, in the order given, leaving out any that are not (or no longer) the team's."""
    if not ids:
        return []
    # the team is checked here, not in SQL: with it there, SQLite reads the team by its index and tests each
    # household against the ids instead of looking the few ids up
    rows = (await session.exec(select(Household).where(*_active_among(ids)))).all()
    found = {h.id: h for h in rows if h.team_code == team_code}
    return [found[i] for i in ids if i in found]


async def recent_for_member(session: AsyncSession, team_code: str, member_id: int, limit: int) -> list[Household]:
    """The member's most recently visited households, then those assigned to them, then the team's newest."""
    last_visit = func.max(Visit.created_at).label("last")
    visited = (
        select(Visit.household_id, last_visit)
        .where(Visit.member_id == member_id, Visit.team_code == team_code, Visit.status == "active")
        .group_by(Visit.household_id)
        .order_by(last_visit.desc())
        .limit(limit)
    )
    ids = [row[0] for row in (await session.exec(visited)).all()]  # type: ignore[call-overload]
    result = await in_team(session, team_code, ids)
    if len(result) < limit:
        more = _active(team_code).where(col(Household.id).not_in(ids or [0]))
        more = more.order_by(
            (Household.assigned_member_id == member_id).desc(),  # type: ignore[arg-type]
            col(Household.created_at).desc(),
        ).limit(limit - len(result))
        result.extend((await session.exec(more)).all())
    return result


def _name_words() -> ColumnElement[str]:
    return literal(" ") + Household.name_key + literal(" ")


def _starts_a_word(token: str) -> ColumnElement[bool]:
    """The folded name has a word starting with `token` (folded keys hold only a-z, 0-9: nothing to escape)."""
    return _name_words().like(f"% {token}%")


def search_key(text: str) -> str:
    """The folded words of a name or address typed to search with, bounded: the first SEARCH_MAX_WORDS distinct
    words within SEARCH_MAX_CHARS characters."""
    words = dict.fromkeys(word_key(text[: SEARCH_MAX_CHARS * 4])[:SEARCH_MAX_CHARS].split())
    return " ".join(list(words)[:SEARCH_MAX_WORDS])


def _active_in(team_code: str) -> tuple[ColumnElement[bool], ...]:
    return (Household.team_code == team_code, col(Household.archived_at).is_(None))  # type: ignore[return-value]


def _active_among(ids: Any) -> tuple[ColumnElement[bool], ...]:
    """The active households among `ids` (a list, or a select of household_word, whose rows are the team's): not
    filtered by team in SQL, which would have SQLite read the whole team by an index on the team and test each
    row against the few ids instead of looking the ids up."""
    return (col(Household.id).in_(ids), col(Household.archived_at).is_(None))  # type: ignore[return-value]


async def _ids(session: AsyncSession, stmt: Any, params: dict[str, Any] | None = None) -> list[int]:
    return list((await session.exec(stmt, params=params or {})).all())


async def search(session: AsyncSession, team_code: str, query: str, limit: int = 8) -> list[Household]:
    """Households of the team whose head's name (or address) matches what was typed, best first.

    1. every typed word starts a word of the name, in any order ("ngo nga" → "Ngô Ngọc Nga"): whole words typed
       first, then shorter names;
    2. the address contains what was typed ("xom 3");
    3. only when neither found anything: a close name (a typo), among names where all typed words but one start a
       word (and the other's first letter does).
    The first two are answered by the database, so a register of 20,000 households is not read into memory.

    Titles before the name are not part of it ("bà Hoa", "ông Lộc"), and a place after it narrows the search
    ("chú Dũng xóm 5"); when no household there has the name, the name's matches elsewhere are offered to choose
    from. A name typed with the Vietnamese keyboard off ("nguyeenx vawn an") is read once more without its keys.
    """
    typed = household_query(query)
    name, place = search_key(typed.name), search_key(typed.place)
    ids = await _search_ids(session, team_code, name, place, limit)
    if not ids and typed.repaired:
        ids = await _search_ids(session, team_code, search_key(typed.repaired), place, limit)
    if not ids and place:
        ids = await _search_ids(session, team_code, name, "", limit)
    return await in_team(session, team_code, ids)


# A word's frequency is read up to this many households: enough to tell which typed word is the rarest.
_COUNT_BOUND = 500


def _after(prefix: str) -> str | None:
    """The least folded word above every word that starts with `prefix` (folded words hold only 0-9 and a-z, so
    "9" is followed by "a"); None when there is none ("zz")."""
    chars = list(prefix)
    while chars:
        last = chars.pop()
        if last == "9":
            return "".join(chars) + "a"
        if last < "z":
            return "".join(chars) + chr(ord(last) + 1)
    return None


_WORDS = HouseholdWord.__table__  # type: ignore[attr-defined]
# Made once: building an alias's column collection costs more than running a search's statements.
_DRIVER = _WORDS.alias("driver")
_OTHERS = [_WORDS.alias(f"other{i}") for i in range(SEARCH_MAX_WORDS)]


def _words_from(words: Any, i: int, bounded: bool, by_team: bool = True) -> list[ColumnElement[bool]]:
    """The household_word rows (of `words`, the table or an alias) of kind :kind{i} starting with :lo{i} (below
    :hi{i} when `bounded`): one range of the index."""
    conditions = [words.c.kind == bindparam(f"kind{i}"), words.c.word >= bindparam(f"lo{i}")]
    if by_team:
        conditions.insert(0, words.c.team_code == bindparam("team"))
    if bounded:
        conditions.append(words.c.word < bindparam(f"hi{i}"))
    return conditions


def _range_params(i: int, kind: str, prefix: str) -> dict[str, str]:
    above = _after(prefix)
    return {f"kind{i}": kind, f"lo{i}": prefix} | ({f"hi{i}": above} if above is not None else {})


def _starts(i: int) -> ColumnElement[bool]:
    """The folded name has a word starting as :starts{i} says ("% an%")."""
    return _name_words().like(bindparam(f"starts{i}"))


def _token_params(tokens: list[str]) -> dict[str, str]:
    return {f"starts{i}": f"% {t}%" for i, t in enumerate(tokens)} | {
        f"whole{i}": f"% {t} %" for i, t in enumerate(tokens)
    }


# The statements below are built once per shape (how many words, which bounds, a place or not) and run with
# parameters: building them anew took longer than running them.


def _seek(other: Any, i: int, bounded: bool, by_team: bool) -> Any:
    """The driver's household also has a name word in range i, read from an index alone (hence not EXISTS
    (SELECT *)). SQLite does it by a seek of household_word's primary key only without the team, which sends it
    to the team's index; PostgreSQL, with statistics, may turn the check into a read of the whole range, which
    without the team has no index but a scan of the table."""
    return (
        select(literal(1))
        .where(other.c.household_id == _DRIVER.c.household_id, *_words_from(other, i, bounded, by_team=by_team))
        .exists()
    )


def _by_team(session: AsyncSession) -> bool:
    """Whether the seeks of _seek name the team (see there)."""
    return session.bind is not None and session.bind.dialect.name == "postgresql"


@lru_cache(maxsize=256)
def _named(bounded: tuple[bool, ...], place: bool, limit: int, by_team: bool) -> Any:
    """Households whose name has each typed word starting a word, ranked: whole words typed first, then shorter
    names. Read among the households with the rarest word (range 0), each checked for the others (ranges 1..) by
    a seek of household_word's primary key, so that the register's rows are read only for those with them all."""
    others = [_seek(other, i, bounded[i], by_team) for i, other in zip(range(1, len(bounded)), _OTHERS, strict=False)]
    among = select(_DRIVER.c.household_id).where(*_words_from(_DRIVER, 0, bounded[0]), *others)
    n = len(bounded)
    exact = sum((case((_name_words().like(bindparam(f"whole{i}")), 10), else_=0) for i in range(n)), literal(0))
    words = func.length(Household.name_key) - func.length(func.replace(Household.name_key, " ", "")) + 1
    order = ((exact - words).desc(), Household.id)
    position = func.row_number().over(order_by=order).label("position")  # kept when read with addresses
    stmt = select(Household.id, position).where(*_active_among(among), *(_starts(i) for i in range(n)))
    if place:
        stmt = stmt.where(col(Household.address_key).contains(bindparam("place")))
    return stmt.order_by(*order).limit(limit)


@lru_cache(maxsize=256)
def _in_address(narrowed: bool | None, place: bool, seen: bool, limit: int) -> Any:
    """Households whose address contains :key, by id; `narrowed` (True or False: whether its range is bounded):
    read among those with an address word starting with the last typed word (range _ADDRESS_RANGE)."""
    among = (
        _active_in_param()
        if narrowed is None
        else _active_among(select(_WORDS.c.household_id).where(*_words_from(_WORDS, _ADDRESS_RANGE, narrowed)))
    )
    stmt = select(Household.id).where(*among, col(Household.address_key).contains(bindparam("key")))
    if place:
        stmt = stmt.where(col(Household.address_key).contains(bindparam("place")))
    if seen:
        stmt = stmt.where(col(Household.id).not_in(bindparam("seen", expanding=True)))
    return stmt.order_by(Household.id).limit(limit)


_ADDRESS_RANGE = SEARCH_MAX_WORDS  # the address word's range parameters, apart from the typed words'


@lru_cache(maxsize=256)
def _named_and_addresses(bounded: tuple[bool, ...], place: bool, limit: int, by_team: bool, narrowed: bool) -> Any:
    """The names (_named) and the first `limit` addresses containing :key (_in_address) in one statement, as
    (id, 0 for a name or 1 for an address, position): one round trip instead of two for a name of several words,
    whose address look-up is one short index range."""
    names = _named(bounded, place, limit, by_team).subquery()
    addresses = _in_address(narrowed, place, False, limit).subquery()
    return union_all(
        select(names.c.id, literal(0).label("source"), names.c.position),
        select(addresses.c.id, literal(1), addresses.c.id),
    ).order_by("source", "position")


@lru_cache(maxsize=256)
def _near(tokens: int, bounded: tuple[bool, ...], place: bool, by_team: bool) -> Any:
    """(id, name key) of the names near a typed name, by id: all typed words but one start a word and the other's
    first letter does (:first{i}); for one typed word, its first two letters start one (:starts0). Read among the
    households with the rarest typed word (range 0) and those with all the others (ranges 1..)."""
    if tokens == 1:
        near: ColumnElement[bool] = _starts(0)
    else:
        matched = sum((case((_starts(i), 1), else_=0) for i in range(tokens)), literal(0))
        firsts = [_name_words().like(bindparam(f"first{i}")) for i in range(tokens)]
        near = and_(*firsts, matched >= tokens - 1)
    among = select(_WORDS.c.household_id).where(*_words_from(_WORDS, 0, bounded[0]))
    if tokens > 1:  # those without the rarest word have all the others: the second rarest's, checked by seeks
        others = [_seek(other, i, bounded[i], by_team) for i, other in zip(range(2, tokens), _OTHERS, strict=False)]
        among = union(among, select(_DRIVER.c.household_id).where(*_words_from(_DRIVER, 1, bounded[1]), *others))
    stmt = select(Household.id, Household.name_key).where(*_active_among(among), near)  # type: ignore[call-overload]
    if place:
        stmt = stmt.where(col(Household.address_key).contains(bindparam("place")))
    return stmt.order_by(Household.id)


def _active_in_param() -> tuple[ColumnElement[bool], ...]:
    return (Household.team_code == bindparam("team"), col(Household.archived_at).is_(None))  # type: ignore[return-value]


async def _rarity(session: AsyncSession, team_code: str, tokens: list[str]) -> list[str]:
    """The typed words, the rarest first as words starting a name word (counted up to _COUNT_BOUND each).

    Written as text: the same statement built with subqueries took longer to build than to run."""
    params: dict[str, Any] = {"team": team_code, "kind": WORD_NAME, "bound": _COUNT_BOUND}
    counts = []
    for i, token in enumerate(tokens):
        params[f"lo{i}"], above = token, _after(token)
        below = ""
        if above is not None:
            params[f"hi{i}"], below = above, f" AND word < :hi{i}"
        counts.append(
            "(SELECT count(*) FROM (SELECT 1 FROM household_word WHERE team_code = :team AND kind = :kind"
            f" AND word >= :lo{i}{below} LIMIT :bound) AS c{i})"
        )
    row = (await session.exec(text("SELECT " + ", ".join(counts)), params=params)).one()  # type: ignore[call-overload]
    return [t for _, _, t in sorted(zip(row, range(len(tokens)), tokens, strict=True))]


async def _search_ids(session: AsyncSession, team_code: str, key: str, place: str, limit: int) -> list[int]:
    """What the register's names and addresses give for `key`: every row whose name has each typed word starting
    a word, ranked, then rows whose address contains `key`, by id; for a typo, close names. Each is read among
    the households of an index range or two, not the whole register."""
    if not key:
        return []
    tokens = await _rarity(session, team_code, key.split())  # the rarest first: its range is read
    base: dict[str, Any] = {"team": team_code} | ({"place": place} if place else {})
    params = base | _token_params(tokens)
    for i, t in enumerate(tokens):
        params |= _range_params(i, WORD_NAME, t)
    bounded = tuple(f"hi{i}" in params for i in range(len(tokens)))
    if len(tokens) > 1:  # the last typed word starts a word of an address containing them: one short range
        words = _range_params(_ADDRESS_RANGE, WORD_ADDRESS, key.split()[-1])
        stmt = _named_and_addresses(bounded, bool(place), limit, _by_team(session), f"hi{_ADDRESS_RANGE}" in words)
        rows = (await session.exec(stmt, params=params | words | {"key": key})).all()  # type: ignore[call-overload]
        ids = [hid for hid, source, _ in rows if source == 0]
        # addresses after every name (they ranked below any name); the first `limit` by id hold enough of them
        # that are not names already
        ids += [hid for hid, source, _ in rows if source == 1 and hid not in ids][: limit - len(ids)]
    else:
        named = await session.exec(_named(bounded, bool(place), limit, _by_team(session)), params=params)  # type: ignore[call-overload]
        ids = [hid for hid, _ in named.all()]
        if len(ids) < limit:  # then addresses, after every name (they ranked below any name)
            stmt = _in_address(None, bool(place), bool(ids), limit - len(ids))
            ids += await _ids(session, stmt, base | {"key": key} | ({"seen": ids} if ids else {}))
    if not ids:  # nothing starts with what was typed: probably a typo
        ids = await _close_names(session, key, tokens, base, limit)
    return ids


async def _close_names(
    session: AsyncSession, key: str, rarest: list[str], base: dict[str, Any], limit: int
) -> list[int]:
    """Names within SEARCH_CUTOFF of a query with a typo, among those where all typed words but one start a word
    and the other's first letter does (for one typed word: its first two letters)."""
    tokens = key.split()
    params = dict(base)
    if len(tokens) == 1:
        params["starts0"] = f"% {tokens[0][:2]}%"
        drivers = [tokens[0][:2]]
    else:
        params |= {f"starts{i}": f"% {t}%" for i, t in enumerate(tokens)}
        params |= {f"first{i}": f"% {t[0]}%" for i, t in enumerate(tokens)}
        drivers = rarest
    for i, prefix in enumerate(drivers):
        params |= _range_params(i, WORD_NAME, prefix)
    bounded = tuple(f"hi{i}" in params for i in range(len(drivers)))
    rows = await session.exec(_near(len(tokens), bounded, "place" in base, _by_team(session)), params=params)  # type: ignore[call-overload]
    choices = dict(rows.all())
    found = process.extract(key, choices, scorer=fuzz.token_set_ratio, score_cutoff=SEARCH_CUTOFF, limit=limit)
    return [hid for _, _, hid in found]


def names_every_word(household: Household, query: str) -> bool:
    """Every word of the name part of `query` is a whole word of the household's name (titles and the place
    left out): "ông Lộc" names Phạm Văn Lộc; "Lo" or "Locc" do not."""
    typed = household_query(query)
    words = (typed.repaired or typed.name).split()
    return bool(words) and set(words) <= set(household.name_key.split())


_BLOCK_KINDS = {"w": WORD_NAME, "f": WORD_FAMILY_START, "g": WORD_FAMILY_END}
_SUFFIX = re.compile(r"[=#]")

# The similar-household check's statements are written as text: they are a list of index look-ups, which
# SQLAlchemy took longer to build than the database to run.


def _in_block(block: str, i: int, params: dict[str, Any]) -> str:
    """SQL for the household_word rows of one match-index block, named by parameters :k{i}, :w{i} (and :s{i}):
    "w:an" (kind and word), "w:an=12,3" (its households with exactly these address numbers), "w:an#3" (those
    whose numbers have 3: kind "b" rows)."""
    cut = _SUFFIX.search(block)
    name, suffix = (block[: cut.start()], block[cut.start() :]) if cut else (block, "")
    if suffix.startswith("#"):
        params[f"k{i}"], params[f"w{i}"] = WORD_BLOCK_NUMBER, block
        return f"team_code = :team AND kind = :k{i} AND word = :w{i}"
    params[f"k{i}"], params[f"w{i}"] = _BLOCK_KINDS[name[0]], name[2:]
    if not suffix:
        return f"team_code = :team AND kind = :k{i} AND word = :w{i}"
    params[f"s{i}"] = suffix[1:]
    return f"team_code = :team AND kind = :k{i} AND word = :w{i} AND numbers = :s{i}"


async def _block_sizes(
    session: AsyncSession, team_code: str, blocks: Sequence[str], numbers: frozenset[str], bound: int | None
) -> dict[str, int]:
    """How many of the team's households each block holds, whole and by each address suffix the query may read:
    one index count each (household_word holds only active households), stopped at `bound` when given."""
    # with address numbers, a query reads blocks only by their suffixes: the whole blocks need no count
    keys = [b + s for b in blocks for s in agreeing_suffixes(numbers)] if numbers else blocks
    params: dict[str, Any] = {"team": team_code, "bound": bound}
    limit = " LIMIT :bound" if bound is not None else ""
    counts = [
        f"(SELECT count(*) FROM (SELECT 1 FROM household_word WHERE {_in_block(k, i, params)}{limit}) AS c{i})"
        for i, k in enumerate(keys)
    ]
    row = (await session.exec(text("SELECT " + ", ".join(counts)), params=params)).one()  # type: ignore[call-overload]
    return dict(zip(keys, row, strict=True))


async def _sizes_and_choice(
    session: AsyncSession, team_code: str, name_key: str, numbers: frozenset[str]
) -> tuple[dict[str, int], list[str]]:
    """The blocks' sizes and the blocks the match index will read (household_match.choose_blocks).

    Counted only up to just above the budget: a larger group is never read unless it is the smallest of all,
    and only then are the sizes counted in full (a common word's range is long, and PostgreSQL may have to visit
    the table for each of its rows)."""
    blocks = block_keys(name_key)
    sizes = await _block_sizes(session, team_code, blocks, numbers, CANDIDATE_BUDGET + 1)
    chosen = choose_blocks(name_key, numbers, lambda b: sizes.get(b, 0))
    if sum(sizes[b] for b in chosen) > CANDIDATE_BUDGET:  # one group alone, larger than the budget
        sizes = await _block_sizes(session, team_code, blocks, numbers, None)
        chosen = choose_blocks(name_key, numbers, lambda b: sizes.get(b, 0))
    return sizes, chosen


async def similar(session: AsyncSession, team_code: str, new: NewHousehold, limit: int = 3) -> list[Household]:
    """Existing households that are probably the same as `new`: same phone, or a close name and address.

    The match index is given only what it will read: the blocks it chooses (by sizes the database counts), the
    households with the same name (found among the rarest of its words), and those with the same phone."""
    name_key, address_key = word_key(new.head_name)[:SEARCH_MAX_CHARS], word_key(new.address)[:SEARCH_MAX_CHARS]
    phone = _e164(new.phone)
    numbers = address_numbers(address_key)
    sizes: dict[str, int] = {}
    params: dict[str, Any] = {"team": team_code}
    reached: list[str] = []
    if name_key:
        sizes, chosen = await _sizes_and_choice(session, team_code, name_key, numbers)
        reached += [
            f"SELECT household_id FROM household_word WHERE {_in_block(b, i, params)}" for i, b in enumerate(chosen)
        ]
        # The households with the same words in any order, among the smallest of their words' groups: an entry
        # of the same name outside its word's group has address numbers that cannot agree, and never matches.
        size = sizes.get
        groups = [block_group(f"w:{w}", numbers, lambda k: size(k, 0)) for w in dict.fromkeys(name_key.split())]
        rarest = min(groups, key=lambda g: g[0])[1]
        same_words = " UNION ".join(
            f"SELECT household_id FROM household_word WHERE {_in_block(k, len(chosen) + i, params)}"
            for i, k in enumerate(rarest)
        )
        params["length"] = len(name_key)
        reached.append(f"SELECT id FROM household WHERE length(name_key) = :length AND id IN ({same_words})")
    if phone:
        params["phone"] = phone
        reached.append("SELECT id FROM household WHERE team_code = :team AND phone = :phone")
    if not reached:
        return []
    stmt = text(
        "SELECT id, name_key, address_key, phone FROM household WHERE archived_at IS NULL AND id IN ("
        + " UNION ".join(reached)
        + ") ORDER BY id"
    )
    index: MatchIndex[int] = MatchIndex(focus=(name_key, address_key, phone), sizes=sizes)
    for hid, other_name, other_address, other_phone in await session.exec(stmt, params=params):  # type: ignore[call-overload]
        index.add(hid, other_name, other_address, other_phone)
    found = index.find(name_key, address_key, phone, limit)
    return await in_team(session, team_code, [m.ref for m in found])


def new_values(
    team_code: str,
    new: NewHousehold,
    now: datetime,
    member_id: int | None,
    consent_version: str | None,
    assigned_member_id: int | None = None,
    keys: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The columns of a new household: what `create` stores, and what an import inserts in bulk.

    `keys`: word_key of the head's name and of the address, when the caller has them already (an import folds
    every row to match it, and need not fold 20,000 rows twice)."""
    consented = bool(consent_version) and member_id is not None
    name_key, address_key = keys if keys is not None else (word_key(new.head_name), word_key(new.address))
    return {
        "team_code": team_code,
        "head_name": nfc(new.head_name),
        "name_key": name_key,
        "address": nfc(new.address),
        "address_key": address_key,
        "phone": _e164(new.phone),
        "elderly": new.elderly,
        "ethnic_minority": new.ethnic_minority,
        "no_device": new.no_device,
        "assigned_member_id": member_id if assigned_member_id is None else assigned_member_id,
        "consent_at": now if consented else None,
        "consent_version": consent_version if consented else None,
        "consent_by": member_id if consented else None,
        "created_by": member_id,
        "created_at": now,
        "updated_at": now,
    }


async def create(
    session: AsyncSession,
    team_code: str,
    new: NewHousehold,
    member_id: int | None,
    now: datetime,
    consent_version: str | None,
    *,
    assigned_member_id: int | None = None,
) -> Household:
    """Add a household. A member adding it is its assigned member and collects consent; with no member
    (`member_id` None, e.g. an administrator's import) nobody is assigned and consent is asked at the first visit.
    """
    household = Household(**new_values(team_code, new, now, member_id, consent_version, assigned_member_id))
    session.add(household)
    await session.flush()
    assert household.id is not None
    await household_words.add(session, [(household.id, team_code, household.name_key, household.address_key)])
    await audit.record(session, now, member_id, "household.create", "household", household.id, team=team_code)
    return household
