"""/nhap and files sent in chat: commune staff import a thôn's household list (.xlsx or .csv)."""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import Reply
from bot.core.tabular import TableError, read_table
from bot.flows import import_households
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE
from bot.services import household_import

_MB = 1024 * 1024


async def start(ctx: Ctx, args: str) -> list[Reply]:
    """How to send a list: attach it on Telegram; Zalo cannot carry files, so Telegram or the admin's command."""
    return [Reply(T.IMPORT_HOWTO.format(mb=ctx.config.imports.max_file_mb))]


async def receive_file(ctx: Ctx) -> list[Reply]:
    """A file sent in chat: check who sent it and that it reads as a list, keep it, and start the import flow."""
    if not ctx.role.is_commune_wide:
        return [Reply(T.IMPORT_STAFF_ONLY)]
    limit_mb = ctx.config.imports.max_file_mb
    if ctx.inbound.file is None or len(ctx.inbound.file[1]) > limit_mb * _MB:
        return [Reply(T.IMPORT_FILE_TOO_BIG.format(mb=limit_mb))]
    name, content = ctx.inbound.file
    try:
        read_table(name, content).close()  # the header is read now, so a wrong file is answered at once
    except TableError as err:
        return [Reply(T.IMPORT_FILE_UNREADABLE.format(name=name, reason=import_households.table_error_text(err)))]
    upload = await household_import.save_upload(ctx.session, ctx.member.id or 0, name, content, ctx.now)
    return await ENGINE.start(ctx, import_households.NAME, str(upload.id))
