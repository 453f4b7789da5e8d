"""The shape the channels keep: only bot/channels knows a channel by name, a Zalo-only deployment never loads
python-telegram-bot, and no two modules of the bot import each other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import bot

PACKAGE = Path(bot.__file__).resolve().parent
CHANNEL_NAMES = {"telegram", "zalo"}
# Wiring and the catalogues may name channels: config's schema has a section per channel, the text catalogue their
# display names, app/cli/demo start them. Everything else (services, flows, handlers, core, store, render) may not.
MAY_NAME_CHANNELS = {"channels", "config.py", "texts.py", "app.py", "cli.py", "demo.py", "migrations"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _may_name(path: Path) -> bool:
    parts = path.relative_to(PACKAGE).parts
    return any(part in MAY_NAME_CHANNELS for part in parts)


def test_no_module_outside_the_channels_names_a_channel() -> None:
    found = []
    for path in _modules():
        if _may_name(path):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in CHANNEL_NAMES:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.value!r}")
    assert found == []


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(path: Path, name: str) -> set[str]:
    """The bot modules `path` imports anywhere (at load or inside a function), except under TYPE_CHECKING."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    pending: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while pending:
        node = pending.pop()
        if _is_type_checking(node):
            pending.extend(node.orelse)  # type: ignore[attr-defined]
            continue
        pending.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("bot")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target.startswith("bot"):
                out.add(target)
                out |= {f"{target}.{a.name}" for a in node.names}
    return out


def test_no_import_circles() -> None:
    modules = {_module_name(p): p for p in _modules()}
    graph = {name: {m for m in _imports(path, name) if m in modules and m != name} for name, path in modules.items()}
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                circles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_a_zalo_only_deployment_never_imports_python_telegram_bot() -> None:
    code = (
        "import sys\n"
        "import bot.app, bot.cli, bot.channels.zalo, bot.channels.zalo_admin, bot.channels.sender\n"
        "import bot.channels.console_outbox, bot.scheduler\n"
        "print(sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent)
    assert out.stdout.strip() == "[]"
