"""neutral outbox: a row holds the message, not one channel's rendering of it; pictures and files it carries

A broadcast queued for a channel without buttons held the reply word in its text; it now holds the recipient's
"Đã nhận" token like every other channel's row, and the channel adds the word when it sends. A Zalo picture row
referred to a picture kept in memory by the process that queued it (gone after any restart, hence after this
migration): it keeps its caption as its text and no file, which the channel sends with a line saying the picture
has expired, as before. Rows that are sent, failed, blocked or withdrawn are records and are left as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The texts as they were when these rows were queued (a migration must not follow later edits of the catalogue).
REPLY_WORD = "\n\nTrả lời “đã nhận” để báo bạn đã đọc."
ACK_TOKEN = "ack_token"
WITHOUT_BUTTONS = ("zalo", "console")
_UPDATE = sa.text("UPDATE outbox SET text = :text, payload = :payload WHERE id = :id").bindparams(
    sa.bindparam("payload", type_=sa.JSON)
)


def upgrade() -> None:
    op.create_table(
        "outbox_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", bot.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_file_created_at"), ["created_at"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_file_id"), ["file_id"], unique=False)
    _move_pending_rows(op.get_bind())


def _move_pending_rows(bind: sa.Connection) -> None:
    rows = bind.execute(
        sa.text("SELECT id, channel, kind, text, payload, dedup_key FROM outbox WHERE status = 'pending'")
    ).all()
    tokens = {
        (broadcast_id, member_id): token
        for broadcast_id, member_id, token in bind.execute(
            sa.text("SELECT broadcast_id, member_id, token FROM broadcast_recipient")
        ).all()
    }
    for row_id, channel, kind, text, payload, dedup_key in rows:
        payload = json.loads(payload) if isinstance(payload, str) else dict(payload or {})
        changed = False
        if channel in WITHOUT_BUTTONS and text.endswith(REPLY_WORD) and (dedup_key or "").startswith("bc:"):
            parts = dedup_key.split(":")
            token = tokens.get((int(parts[1]), int(parts[2]))) if len(parts) >= 3 and parts[2].isdigit() else None
            if token is not None:
                text, payload[ACK_TOKEN], changed = text[: -len(REPLY_WORD)], token, True
        if kind == "photo" and ("media" in payload or "caption" in payload):
            text = str(payload.pop("caption", None) or text)
            payload.pop("media", None)
            changed = True
        if changed:
            bind.execute(_UPDATE, {"text": text, "payload": payload, "id": row_id})


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, channel, text, payload FROM outbox WHERE status = 'pending' AND channel IN ('zalo', 'console')"
        )
    ).all()
    for row_id, _channel, text, payload in rows:
        payload = json.loads(payload) if isinstance(payload, str) else dict(payload or {})
        if payload.pop(ACK_TOKEN, None):
            bind.execute(_UPDATE, {"text": text + REPLY_WORD, "payload": payload, "id": row_id})
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_file_id"))
        batch_op.drop_column("file_id")
    with op.batch_alter_table("outbox_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_file_created_at"))
    op.drop_table("outbox_file")
