"""The outbox: every proactive or quota-limited message is written here first, then a sender drains it.

A message is never lost to a network error, a rate limit or a used-up quota: it stays pending and is retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import case, delete, func, insert, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Attachment, OutMessage
from bot.store.db import Store, upsert_insert
from bot.store.models import OutboxFile, OutboxItem

log = logging.getLogger(__name__)

PENDING, SENT, FAILED, BLOCKED, WITHDRAWN = "pending", "sent", "failed", "blocked", "withdrawn"
QUEUED = "outbox_queued"  # a key of AsyncSession.info: this session queued at least one message
MAX_ATTEMPTS = 8
# Payload keys of a row: what the neutral message holds besides its text and file.
ACK = "ack_token"  # a broadcast recipient's token ("Đã nhận")
ANSWER = "answer"  # answers what a member typed (may use the part of a quota kept for answers)
PIECES_SENT = "pieces_sent"  # how many pieces of a message split by its channel already reached the chat
PROMPT = "prompt"  # an answer's options, ticks, token, menu and the message it replaces (OutMessage's fields)
TEXT, PHOTO, DOCUMENT = "text", "photo", "document"  # a row's kind
FILE_RETENTION = timedelta(days=2)  # a file no pending message carries is kept this long, then pruned


async def enqueue(
    session: AsyncSession,
    channel: str,
    chat_ref: str,
    now: datetime,
    text: str = "",
    payload: dict[str, Any] | None = None,
    dedup_key: str | None = None,
    not_before: datetime | None = None,
    attachment: Attachment | None = None,
) -> OutboxItem | None:
    """Queue one message, to go out from `not_before` (default: now; e.g. the end of quiet hours), with a picture
    or a document if given. With a `dedup_key` already queued, nothing is added and None is returned.

    A keyed message is inserted with ON CONFLICT (dedup_key) DO NOTHING, so two processes or sessions queueing the
    same key at once never raise: on PostgreSQL the second waits for the first to commit, then adds nothing."""
    file_id = await store_file(session, attachment, now) if attachment is not None else None
    values: dict[str, Any] = {
        "channel": channel,
        "chat_ref": chat_ref,
        "kind": kind_of(attachment),
        "file_id": file_id,
        "text": text,
        "payload": payload or {},
        "dedup_key": dedup_key,
        "next_attempt_at": not_before or now,
        "created_at": now,
    }
    if dedup_key is None:
        item: OutboxItem | None = OutboxItem(**values)
        session.add(item)
        await session.flush()
    else:
        item = await _insert_once(session, values)
        if item is None:
            return None
    session.info[QUEUED] = True  # the channel wakes its sender only after a message that queued something
    return item


@dataclass(frozen=True)
class Message:
    """One keyed message for `enqueue_many`."""

    channel: str
    chat_ref: str
    text: str
    dedup_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    kind: str = TEXT
    file_id: int | None = None  # from store_file: one file for every recipient


MANY_CHUNK = 500  # rows per INSERT of enqueue_many


async def enqueue_many(
    session: AsyncSession, messages: Sequence[Message], now: datetime, not_before: datetime | None = None
) -> dict[str, int]:
    """Queue many keyed messages in a few multi-row INSERTs (a broadcast to thousands); a key already queued is
    skipped (ON CONFLICT DO NOTHING). Returns the new rows' ids by dedup key."""
    insert = upsert_insert(session)
    ids: dict[str, int] = {}
    for start in range(0, len(messages), MANY_CHUNK):
        rows = [
            {
                "channel": m.channel,
                "chat_ref": m.chat_ref,
                "kind": m.kind,
                "file_id": m.file_id,
                "text": m.text,
                "payload": m.payload,
                "dedup_key": m.dedup_key,
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": not_before or now,
                "created_at": now,
            }
            for m in messages[start : start + MANY_CHUNK]
        ]
        stmt = (
            insert(OutboxItem)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(col(OutboxItem.id), col(OutboxItem.dedup_key))
        )
        ids.update((key, new_id) for new_id, key in (await session.exec(stmt)).all())  # type: ignore[call-overload]
    if ids:
        session.info[QUEUED] = True
    return ids


async def enqueue_answer(
    session: AsyncSession, channel: str, chat_ref: str, now: datetime, messages: Sequence[OutMessage]
) -> list[int]:
    """Queue an answer's messages, in order, in one INSERT (and one per picture or file); their ids, ascending.

    An answer's rows are never keyed: the message that asked for it is deduplicated before it is answered."""
    rows: list[dict[str, Any]] = []
    for message in messages:
        attachment = message.attachment
        rows.append(
            {
                "channel": channel,
                "chat_ref": chat_ref,
                "kind": kind_of(attachment),
                "file_id": await store_file(session, attachment, now) if attachment is not None else None,
                "text": message.text,
                "payload": payload_of(message),
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    if not rows:
        return []
    # The rows as parameters (compiled once and cached), in the order given: their ids ascend with it.
    stmt = insert(OutboxItem).returning(col(OutboxItem.id), sort_by_parameter_order=True)
    ids = list((await session.exec(stmt, params=rows)).scalars())  # type: ignore[call-overload]
    session.info[QUEUED] = True
    return ids


def payload_of(message: OutMessage) -> dict[str, Any]:
    """What a row keeps of a neutral message besides its text and file (read back by `message_of`)."""
    payload: dict[str, Any] = {}
    if message.ack:
        payload[ACK] = message.ack
    if message.answer:
        payload[ANSWER] = True
    prompt = {
        name: value
        for name, value in (
            ("options", list(message.options)),
            ("ticked", list(message.ticked)),
            ("token", message.token),
            ("menu", list(message.menu)),
            ("replaces", message.replaces),
        )
        if value
    }
    if prompt:
        payload[PROMPT] = prompt
    return payload


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _prompt_fields(payload: dict[str, Any]) -> dict[str, Any]:
    prompt = payload.get(PROMPT)
    if not isinstance(prompt, dict):
        return {}
    ticked = prompt.get("ticked")
    token, replaces = prompt.get("token"), prompt.get("replaces")
    return {
        "options": _strings(prompt.get("options")),
        "ticked": tuple(i for i in ticked if isinstance(i, int)) if isinstance(ticked, list) else (),
        "token": token if isinstance(token, str) else None,
        "menu": _strings(prompt.get("menu")),
        "replaces": replaces if isinstance(replaces, str) else None,
    }


def kind_of(attachment: Attachment | None) -> str:
    if attachment is None:
        return TEXT
    return PHOTO if attachment.picture else DOCUMENT


async def store_file(session: AsyncSession, attachment: Attachment, now: datetime) -> int:
    """Keep a picture or document for the messages that carry it; its id."""
    file = OutboxFile(name=attachment.name, content=attachment.content, created_at=now)
    session.add(file)
    await session.flush()
    assert file.id is not None
    return file.id


async def message_of(session: AsyncSession, item: OutboxItem) -> OutMessage:
    """The neutral message a row holds. A picture or file that is no longer kept (or a picture queued before they
    were stored) is left out; the channel says so where it matters (kind photo without an attachment)."""
    payload = item.payload if isinstance(item.payload, dict) else {}
    attachment = None
    if item.file_id is not None:
        file = await session.get(OutboxFile, item.file_id)
        if file is not None:
            attachment = Attachment(file.content, name=file.name, picture=item.kind == PHOTO)
    ack = payload.get(ACK)
    return OutMessage(
        text=item.text,
        ack=ack if isinstance(ack, str) and ack else None,
        attachment=attachment,
        answer=bool(payload.get(ANSWER)),
        lost_attachment=item.kind != TEXT and attachment is None,
        **_prompt_fields(payload),
    )


async def prune_files(session: AsyncSession, now: datetime) -> int:
    """Remove files older than FILE_RETENTION that no pending message carries; how many."""
    carried = select(OutboxItem.file_id).where(OutboxItem.status == PENDING, col(OutboxItem.file_id).is_not(None))
    stmt = delete(OutboxFile).where(
        col(OutboxFile.created_at) < now - FILE_RETENTION, col(OutboxFile.id).not_in(carried)
    )
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return int(result.rowcount or 0)


async def _insert_once(session: AsyncSession, values: dict[str, Any]) -> OutboxItem | None:
    """Insert unless the key is queued: the look-up answers the common case; ON CONFLICT settles a race."""
    existing = (await session.exec(select(OutboxItem.id).where(OutboxItem.dedup_key == values["dedup_key"]))).first()
    if existing is not None:
        return None
    insert = upsert_insert(session)
    stmt = (
        insert(OutboxItem)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(col(OutboxItem.id))
    )
    new_id = (await session.exec(stmt)).scalar_one_or_none()  # type: ignore[call-overload]
    return None if new_id is None else await session.get(OutboxItem, new_id)


async def due(
    session: AsyncSession,
    channel: str,
    now: datetime,
    limit: int = 50,
    in_order: bool = False,
    exclude: Collection[int] = (),
) -> Sequence[OutboxItem]:
    """Pending messages whose time has come, oldest first; rows are locked for this sender on PostgreSQL. Rows
    whose ids are in `exclude` are left out (a sender's `Unrecorded`: sent, but not yet marked so).

    With `in_order`, a message is left out while an older message to the same chat is still pending and either
    due or already tried (waiting for a retry, or being sent by another sender): each chat gets one message at a
    time, in order. An older message queued for a later time and never tried does not hold the chat back.
    """
    stmt = select(OutboxItem).where(
        OutboxItem.channel == channel, OutboxItem.status == PENDING, OutboxItem.next_attempt_at <= now
    )
    if in_order:
        ids = await _chat_heads(session, channel, now, limit)
        if not ids:
            return []
        stmt = stmt.where(col(OutboxItem.id).in_(ids))
    if exclude:  # after the heads: a chat whose head is left out still waits behind it
        stmt = stmt.where(col(OutboxItem.id).not_in(list(exclude)))
    stmt = stmt.order_by(col(OutboxItem.id)).limit(limit).with_for_update(skip_locked=True)
    return (await session.exec(stmt)).all()


async def _chat_heads(session: AsyncSession, channel: str, now: datetime, limit: int) -> list[int]:
    """The oldest `limit` of each chat's next message, when it is due: a chat's oldest pending message that is due
    or was tried is the only one of the chat that may go, and only when it is itself due.

    Its own query, grouped once over the pending rows: joined to the rows it picks, PostgreSQL re-ran it per row
    on a freshly queued broadcast (no statistics yet), 1.3 s for 2,000 rows."""
    tried_or_due = or_(OutboxItem.next_attempt_at <= now, col(OutboxItem.error).is_not(None))
    head = func.min(OutboxItem.id)
    due_head = func.min(case((OutboxItem.next_attempt_at <= now, OutboxItem.id)))
    stmt = (
        select(head)
        .where(OutboxItem.channel == channel, OutboxItem.status == PENDING, tried_or_due)
        .group_by(OutboxItem.chat_ref)
        .having(head == due_head)
        .order_by(head)
        .limit(limit)
    )
    return list((await session.exec(stmt)).all())


def mark_sent(item: OutboxItem, now: datetime) -> None:
    item.status, item.sent_at, item.error = SENT, now, None
    item.attempts += 1


def retry_later(item: OutboxItem, at: datetime, error: str, count_attempt: bool = True) -> None:
    """Try again at `at`; after MAX_ATTEMPTS counted failures the message is marked failed."""
    if count_attempt:
        item.attempts += 1
    item.error = error[:200]
    if item.attempts >= MAX_ATTEMPTS:
        item.status = FAILED
    else:
        item.next_attempt_at = at


def mark_failed(item: OutboxItem, error: str, blocked: bool = False) -> None:
    item.status = BLOCKED if blocked else FAILED
    item.error = error[:200]
    item.attempts += 1


@dataclass(frozen=True)
class Mark:
    """What a sender recorded on a row after trying it (mark_sent, retry_later, mark_failed): the values to write."""

    id: int
    status: str
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    error: str | None
    payload: dict[str, Any]


def mark_of(item: OutboxItem) -> Mark:
    if item.id is None:
        raise ValueError("an outbox row that was never stored has no mark to write")
    payload = dict(item.payload) if isinstance(item.payload, dict) else {}
    return Mark(item.id, item.status, item.attempts, item.next_attempt_at, item.sent_at, item.error, payload)


async def write_mark(session: AsyncSession, mark: Mark) -> bool:
    """Write a mark to its row while the row is still pending (another sender may have recorded it since);
    True when written."""
    stmt = (
        update(OutboxItem)
        .where(col(OutboxItem.id) == mark.id, col(OutboxItem.status) == PENDING)
        .values(
            status=mark.status,
            attempts=mark.attempts,
            next_attempt_at=mark.next_attempt_at,
            sent_at=mark.sent_at,
            error=mark.error,
            payload=mark.payload,
        )
    )
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return bool(result.rowcount)


class Unrecorded:
    """A sender's marks whose commit failed after the message had gone out (e.g. SQLite stayed busy).

    Left alone, such a row stays pending and is sent again. So the mark is written again at once in a short
    transaction of its own (retried while SQLite is busy) and, if that fails too, kept in memory and written before
    each later pass, while the sender leaves the row out (`due(..., exclude=unrecorded.ids)`). Every failure is
    logged with the row id only. What is kept is this process's: a restart loses it, and on PostgreSQL another
    process may take the row once the failed transaction let go of its lock; then the row is sent again."""

    def __init__(self, sender: str) -> None:
        self._sender = sender
        self._marks: dict[int, Mark] = {}
        self._writing = asyncio.Lock()  # sends run side by side: one writer of the kept marks at a time

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(self._marks)

    async def keep(self, store: Store, mark: Mark, error: BaseException) -> None:
        """The commit of `mark` failed with `error`: write it again now, or keep it for the next pass."""
        log.warning(
            "%s outbox row %s: its %s mark was not committed (%s); writing it again",
            self._sender,
            mark.id,
            mark.status,
            type(error).__name__,
        )
        self._marks[mark.id] = mark
        await self.write(store)

    async def write(self, store: Store) -> None:
        """Write the kept marks; those that still fail stay kept (and their rows are still not sent again)."""
        async with self._writing:
            await self._write(store)

    async def _write(self, store: Store) -> None:
        for mark in list(self._marks.values()):
            try:
                await store.transact(partial(write_mark, mark=mark), "an outbox mark")
            except Exception as exc:
                log.error(
                    "%s outbox row %s: its %s mark could not be written (%s); the row is kept from being sent again",
                    self._sender,
                    mark.id,
                    mark.status,
                    type(exc).__name__,
                )
                return  # the database refuses writes for now: the other marks wait for the next pass too
            if self._marks.get(mark.id) is mark:  # not replaced by a newer mark meanwhile
                del self._marks[mark.id]


def backoff(attempts: int, base: float = 2.0, cap: float = 600.0) -> timedelta:
    """2 s, 4 s, 8 s … up to ten minutes."""
    return timedelta(seconds=min(cap, base ** max(1, attempts)))


async def withdraw(session: AsyncSession, key_patterns: Sequence[str], now: datetime) -> int:
    """Mark pending messages whose dedup_key matches one of these LIKE patterns as withdrawn (no longer owed,
    e.g. a reminder held by quiet hours for a report submitted since); returns how many."""
    if not key_patterns:
        return 0
    stmt = select(OutboxItem).where(
        OutboxItem.status == PENDING, or_(*(col(OutboxItem.dedup_key).like(p) for p in key_patterns))
    )
    rows = (await session.exec(stmt)).all()
    for item in rows:
        item.status, item.error = WITHDRAWN, f"withdrawn {now.isoformat(timespec='seconds')}"
        session.add(item)
    return len(rows)
