"""The command line: sotay run | demo | db upgrade | invite create | import households | export | zalo | reminders |
outbox status."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine.url import make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.app import configure_logging, open_deps, run_channels, run_demo
from bot.config import Config, ConfigError, load_config, sample_config, uses_sample_config
from bot.core.roles import Role
from bot.core.tabular import Table, TableError, read_table
from bot.demo import DEMO_DB, place_sample_list
from bot.flows.import_households import report_text, table_error_text
from bot.render.commune_report import report_docx, vi_int
from bot.render.spreadsheet import CsvBook, XlsxBook
from bot.services import export as data_export
from bot.services import household_import, invites, outbox_status, progress, reminders, reports
from bot.services.export import Scope
from bot.services.household_import import Action
from bot.store.migrate import upgrade

log = logging.getLogger(__name__)
Written = tuple[list[str], dict[str, int]]  # the files an export wrote, and the data rows of each sheet
CLI_DETAILS = 30  # lines of detail an import prints


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sotay", description="Sổ tay số — Tổ Công nghệ số cộng đồng")
    parser.add_argument("--config", help="config.yaml (default ./config.yaml or env SOTAY_CONFIG)")
    parser.add_argument("--debug", action="store_true", help="show details of errors")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="migrate and run the bot (the terminal demo when no token is set)")
    demo = sub.add_parser("demo", help="chat in the terminal on the demo commune")
    demo.add_argument("--as", dest="role", choices=["member", "leader", "staff"], default="member")
    demo.add_argument("--db", type=Path, default=DEMO_DB, help="the demo's SQLite file (default ./data/demo.db)")
    db = sub.add_parser("db", help="database")
    db.add_argument("action", choices=["upgrade"])
    zalo = sub.add_parser("zalo", help="Zalo Bot Platform")
    zalo_sub = zalo.add_subparsers(dest="action", required=True)
    hook = zalo_sub.add_parser("set-webhook", help="register the webhook URL (secret from ZALO_WEBHOOK_SECRET)")
    hook.add_argument("url")
    hook.add_argument("--bot", help="which bot (a key from channels.zalo.bots); the first by default")
    unhook = zalo_sub.add_parser("delete-webhook", help="remove the webhook (for polling mode)")
    unhook.add_argument("--bot", help="which bot (a key from channels.zalo.bots); the first by default")
    zalo_sub.add_parser("status", help="the bot, its webhook, and this month's messages against the quota")
    invite = sub.add_parser("invite", help="invite codes")
    invite_sub = invite.add_subparsers(dest="action", required=True)
    create = invite_sub.add_parser("create", help="print a single-use invite code")
    create.add_argument("--team", help="team code (thôn/TDP); none for commune staff")
    create.add_argument("--role", choices=["member", "leader", "staff"], default="member")
    create.add_argument("--name", help="the invitee's name, shown to the team")
    create.add_argument("--bot", help="only this bot takes the code (a key from channels.*.bots, or telegram/zalo)")
    imports = sub.add_parser("import", help="import lists")
    import_sub = imports.add_subparsers(dest="what", required=True)
    households = import_sub.add_parser("households", help="a thôn's existing household list (.xlsx or .csv)")
    households.add_argument("file", type=Path, help="the .xlsx or .csv file")
    households.add_argument("--team", required=True, help="team code (thôn/TDP) whose register receives the list")
    households.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    households.add_argument(
        "--include-similar", action="store_true", help="also add rows that look like a household already there"
    )
    export = sub.add_parser("export", help="a period's figures and records as .xlsx (or .csv), or the report draft")
    export.add_argument("--period", required=True, help="2026-11 (month), 2026-Q4 (quarter) or 2026 (year)")
    export.add_argument("--team", help="one team (thôn/TDP); every team of the commune when left out")
    export.add_argument(
        "--out",
        type=Path,
        required=True,
        help="the .xlsx to write (--csv: FILE-<sheet>.csv beside it; --report: .docx)",
    )
    export.add_argument("--csv", action="store_true", help="one CSV per sheet (UTF-8 with BOM, ';' between cells)")
    export.add_argument("--report", action="store_true", help="the commune's results report draft (.docx)")
    reminders_cmd = sub.add_parser("reminders", help="deadline reminders, escalations and weekly summaries")
    reminders_sub = reminders_cmd.add_subparsers(dest="action", required=True)
    preview = reminders_sub.add_parser("preview", help="what would be sent at a moment, to whom (writes nothing)")
    preview.add_argument("--at", required=True, help="2026-12-18T08:00 (local time), or 2026-12-18 for the whole day")
    outbox_cmd = sub.add_parser("outbox", help="messages waiting to go out")
    outbox_sub = outbox_cmd.add_subparsers(dest="action", required=True)
    outbox_sub.add_parser("status", help="queue, failures and Zalo quota use per channel (no message text)")
    return parser


async def _create_invite(config: Config, team: str | None, role: Role, name: str | None, bot: str | None = None) -> str:
    if role is not Role.STAFF:
        if not team:
            raise ConfigError(T.CLI_TEAM_NEEDED.format(role=T.ROLE_NAMES[role.value]))
        if config.team(team) is None:
            codes = ", ".join(t.code for t in config.teams)
            raise ConfigError(T.CLI_UNKNOWN_TEAM.format(team=team, codes=codes))
    team_code = config.team(team).code if team and config.team(team) else None
    keys = [key for key, _, _ in config.channels.bots()]
    if bot is not None and bot not in keys:
        raise ConfigError(T.CLI_UNKNOWN_BOT.format(bot=bot, keys=", ".join(keys)))
    deps = await open_deps(config)
    try:
        async with deps.store.session() as session:
            now = deps.clock.now()
            invite, code = await invites.create(
                session, now, timedelta(hours=config.invites.ttl_hours), role, team_code, name, bot=bot
            )
            username = await invites.bot_username(session, bot)
    finally:
        await deps.store.close()
    team_obj = config.team(team_code)
    lines = [
        T.CLI_INVITE_CREATED.format(
            code=code,
            role=T.ROLE_NAMES[role.value],
            where=team_obj.name if team_obj else config.commune.name,
            expires=invite.expires_at.astimezone(config.tz).strftime("%H:%M %d/%m/%Y"),
        )
    ]
    if bot is not None:
        lines.append(T.CLI_INVITE_FOR_BOT.format(bot=config.channels.label(bot)))
    if username:
        lines.append(T.CLI_INVITE_LINK.format(link=invites.deep_link(username, code)))
    return "\n".join(lines)


def _read_list(path: Path) -> Table:
    """The household list in `path`; a file that cannot be opened or read stops with a reason (exit 2)."""
    try:
        content = path.read_bytes()
    except OSError as err:
        reason = T.FILE_ERRORS.get(type(err).__name__, err.strerror or type(err).__name__)
        raise ConfigError(T.CLI_IMPORT_FILE_UNREADABLE.format(path=path, reason=reason)) from None
    try:
        return read_table(path.name, content)
    except TableError as err:
        raise ConfigError(T.IMPORT_FILE_UNREADABLE.format(name=path, reason=table_error_text(err))) from None


async def _import_households(config: Config, args: argparse.Namespace) -> str:
    team = config.team(args.team)
    if team is None:
        raise ConfigError(T.CLI_UNKNOWN_TEAM.format(team=args.team, codes=", ".join(t.code for t in config.teams)))
    table = _read_list(args.file)
    deps = await open_deps(config)
    try:
        async with deps.store.session() as session:
            report = await household_import.plan(session, team.code, table, include_similar=args.include_similar)
            if not args.dry_run:
                await household_import.apply(session, report, deps.clock.now(), None, source="cli")
    finally:
        table.close()
        await deps.store.close()
    lines = [report_text(report, team.name, CLI_DETAILS)]
    if report.count(Action.DUPLICATE) and not args.include_similar:
        lines.append(T.CLI_IMPORT_SIMILAR_HINT)
    if args.dry_run:
        lines.append(T.CLI_IMPORT_DRY_RUN)
    return "\n".join(lines)


def _export_scope(config: Config, args: argparse.Namespace) -> Scope:
    period = config.reporting.windows.parse(args.period)
    if period is None:
        raise ConfigError(T.CLI_EXPORT_BAD_PERIOD.format(key=args.period))
    team = config.team(args.team) if args.team else None
    if args.team and team is None:
        raise ConfigError(T.CLI_UNKNOWN_TEAM.format(team=args.team, codes=", ".join(t.code for t in config.teams)))
    if args.report and team is not None:
        raise ConfigError(T.CLI_EXPORT_REPORT_TEAM)
    if args.report and args.csv:
        raise ConfigError(T.CLI_EXPORT_REPORT_CSV)
    if not args.out.parent.is_dir():
        raise ConfigError(T.CLI_EXPORT_NO_FOLDER.format(path=args.out.parent))
    return Scope(period, team.code if team else None)


@contextmanager
def _replacing(out: Path) -> Iterator[Path]:
    """A hidden file beside `out` to write, renamed to `out` at the end: a failed export never leaves half a file."""
    partial = out.with_name(f".{out.name}.part")
    try:
        yield partial
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


async def _export_book(session: AsyncSession, config: Config, scope: Scope, args: argparse.Namespace) -> Written:
    out: Path = args.out
    if args.csv:
        csv_book = CsvBook(out.parent, out.stem)
        try:
            rows = await data_export.write(session, config, scope, csv_book)
        finally:
            csv_book.close()
        return [str(p) for p in csv_book.paths], rows
    with _replacing(out) as partial:
        book = XlsxBook(partial)
        rows = await data_export.write(session, config, scope, book)
        book.close()
    return [str(out)], rows


async def _export(config: Config, args: argparse.Namespace) -> str:
    scope = _export_scope(config, args)
    deps = await open_deps(config)
    try:
        async with deps.store.session() as session:
            if args.report:
                figures = await progress.commune_figures(session, config, scope.period)
                texts = await reports.submitted_texts(session, scope.period.key)
                with _replacing(args.out) as partial:
                    partial.write_bytes(report_docx(figures, config, texts))
                await data_export.record_export(session, deps.clock.now(), None, scope, "docx", {})
                return T.CLI_EXPORT_REPORT_WRITTEN.format(period=scope.period.label(), path=args.out)
            paths, rows = await _export_book(session, config, scope, args)
            kind = "csv" if args.csv else "xlsx"
            await data_export.record_export(session, deps.clock.now(), None, scope, kind, rows)
    finally:
        await deps.store.close()
    lines = [T.CLI_EXPORT_WRITTEN.format(path=path) for path in paths]
    lines += [T.CLI_EXPORT_ROWS.format(sheet=sheet, rows=vi_int(n)) for sheet, n in rows.items()]
    return "\n".join(lines)


def _preview_window(config: Config, value: str) -> tuple[datetime, datetime, bool]:
    """--at: a local time → the scheduler's tick ending then, (at − tick_minutes, at]; a day → the whole day."""
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(T.CLI_REMINDERS_BAD_AT.format(value=value)) from None
    at = at if at.tzinfo else at.replace(tzinfo=config.tz)
    if len(value.strip()) == len("2026-12-18"):
        end = at + timedelta(days=1) - timedelta(microseconds=1)
        return at - timedelta(microseconds=1), end, True
    return at - timedelta(minutes=config.reminders.tick_minutes), at, False


async def _reminders_preview(config: Config, args: argparse.Namespace) -> str:
    since, until, whole_day = _preview_window(config, args.at)
    deps = await open_deps(config)
    try:
        async with deps.store.session() as session:
            rows = await reminders.preview(session, config, since, until)
    finally:
        await deps.store.close()
    return reminders.preview_text(config, rows, until, whole_day)


async def _outbox_status(config: Config) -> str:
    deps = await open_deps(config)
    try:
        async with deps.store.session() as session:
            return await outbox_status.report(session, config, deps.clock.now())
    finally:
        await deps.store.close()


async def _zalo(config: Config, args: argparse.Namespace) -> str:
    from bot.channels import zalo_admin

    if args.action == "set-webhook":
        return await zalo_admin.set_webhook(config, args.url, args.bot)
    if args.action == "delete-webhook":
        return await zalo_admin.delete_webhook(config, args.bot)
    deps = await open_deps(config)
    try:
        return await zalo_admin.status(config, deps)
    finally:
        await deps.store.close()


def _load_config(args: argparse.Namespace) -> Config:
    """The configuration; the demo with no config file to read (an installed wheel, anywhere) uses the example's."""
    if args.command == "demo" and uses_sample_config(args.config):
        config = load_config(sample_config())
        print(T.CONFIG_SAMPLE_USED.format(commune=config.commune.name), file=sys.stderr)
        return config
    return load_config(args.config)


def _dispatch(args: argparse.Namespace) -> int:
    config = _load_config(args)
    if args.command == "db":
        upgrade(config.database.url)
        print(T.CLI_DB_UPGRADED.format(url=make_url(config.database.url).render_as_string(hide_password=True)))
    elif args.command == "invite":
        print(asyncio.run(_create_invite(config, args.team, Role(args.role), args.name, args.bot)))
    elif args.command == "import":
        print(asyncio.run(_import_households(config, args)))
    elif args.command == "export":
        print(asyncio.run(_export(config, args)))
    elif args.command == "zalo":
        print(asyncio.run(_zalo(config, args)))
    elif args.command == "reminders":
        print(asyncio.run(_reminders_preview(config, args)))
    elif args.command == "outbox":
        print(asyncio.run(_outbox_status(config)))
    elif args.command == "demo":
        place_sample_list()
        asyncio.run(run_demo(config, Role(args.role), db_path=args.db))
    elif config.has_bot_token():
        asyncio.run(run_channels(config))
    else:
        print(T.CLI_NO_TOKEN, file=sys.stderr)
        place_sample_list()
        asyncio.run(run_demo(config, Role.MEMBER))
    return 0


_DATABASE_ONLY = ("db", "import", "invite", "export", "reminders", "outbox")  # their only connection: the database


def _database_url(config_file: str | None) -> str:
    """The configured database, with any password hidden, for an error message."""
    try:
        url = load_config(config_file).database.url
    except ConfigError:
        return "?"
    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging(logging.DEBUG if args.debug else logging.WARNING if args.command == "demo" else logging.INFO)
    try:
        return _dispatch(args)
    except ConfigError as err:
        print(str(err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except (ConnectionError, socket.gaierror) as err:
        if args.debug:
            raise
        if args.command in _DATABASE_ONLY:
            print(T.CLI_DB_UNREACHABLE.format(url=_database_url(args.config)), file=sys.stderr)
        else:
            print(T.CLI_FAILED.format(error=err.strerror or type(err).__name__), file=sys.stderr)
        return 1
    except OSError as err:
        if args.debug:
            raise
        print(T.CLI_FAILED.format(error=err.strerror or type(err).__name__), file=sys.stderr)
        return 1
    except Exception as err:
        if args.debug:
            raise
        print(T.CLI_FAILED.format(error=type(err).__name__), file=sys.stderr)
        return 1
