"""Load and validate config.yaml. Secrets come from environment variables, never from the file."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from datetime import time
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Formatter
from typing import Annotated, Any, ClassVar, Literal, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot import texts as T
from bot.core.periods import DueRule, Kind, Windows
from bot.core.text import fold, word_key

DEFAULT_CONFIG = "config.yaml"
PROJECT_ROOT = Path(__file__).resolve().parent.parent  # the source tree (tests, benches); not a wheel's data
DATA_PACKAGE = "bot.data"  # the top-level data/ folder, shipped as package data (pyproject.toml)
SAMPLE_PACKAGE = "bot.sample"  # the example commune's config.yaml
ADMIN_UNITS_CSV = "vn_admin_units_2025.csv"


class ConfigError(Exception):
    """A wrong or missing value in config.yaml; the message names the key and what is expected."""


def data_file(name: str, package: str = DATA_PACKAGE) -> Traversable:
    """A file shipped with the package (data/ in the source tree, bot/data in a wheel), read with
    importlib.resources; one that is not there is a ConfigError naming it, never a traceback."""
    try:
        resource = resources.files(package) / name
    except ModuleNotFoundError:  # an install made before the package had it: the same answer
        raise ConfigError(T.DATA_FILE_MISSING.format(name=name, package=package)) from None
    if not resource.is_file():
        raise ConfigError(T.DATA_FILE_MISSING.format(name=name, package=package))
    return resource


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Commune(_Strict):
    name: str = Field(min_length=2)
    unit_code: int = Field(gt=0)
    province: str | None = None


class Team(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,20}$")
    name: str = Field(min_length=1)


class Platform(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_]{1,30}$")
    label: str
    essential: bool = True  # counts toward "uses at least one digital platform"
    short: str | None = Field(default=None, max_length=12)  # for lists on a phone screen; the label when unset

    @property
    def short_label(self) -> str:
        return self.short or self.label


class Skill(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_]{1,30}$")
    label: str
    aliases: tuple[str, ...] = ()
    platform: str | None = None


class Targets(_Strict):
    member_households: int = Field(default=10, ge=0)
    team_luot_per_quarter: int = Field(default=50, ge=0)
    team_luot_per_month: int = Field(default=100, ge=0)
    platform_coverage_pct: int = Field(default=80, ge=0, le=100)
    bdhvs_coverage_pct: int = Field(default=60, ge=0, le=100)


class Database(_Strict):
    url: str = "sqlite+aiosqlite:///data/sotay.db"

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(T.CONFIG_DB_URL)
        return value


class TelegramWebhook(_Strict):
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, gt=0, lt=65536)
    url: str | None = None  # the public HTTPS URL Telegram posts to


class TelegramBot(_Strict):
    """One more Telegram bot of the deployment: its key (the name its members, chats and messages are stored
    under, starting with "telegram"), the environment variable holding its token, and what differs from the first."""

    key: str = Field(pattern=r"^telegram[a-z0-9_-]{1,12}$")
    name: str | None = Field(default=None, max_length=40)  # as people call it ("Telegram Thôn Đông")
    token_env: str
    secret_env: str | None = None
    webhook: TelegramWebhook | None = None


class TelegramChannel(_Strict):
    enabled: bool = True
    token_env: str = "TELEGRAM_BOT_TOKEN"
    base_url: str | None = None  # a local Bot API server, e.g. http://127.0.0.1:8081/bot
    mode: Literal["polling", "webhook"] = "polling"
    webhook: TelegramWebhook = TelegramWebhook()
    secret_env: str = "TELEGRAM_WEBHOOK_SECRET"
    bots: tuple[TelegramBot, ...] = ()  # more bots, each answering the members who write to it

    def each_bot(self) -> list[tuple[str, str | None, TelegramChannel]]:
        """(key, name, settings) of every bot: the first under the channel's own name, then the listed ones."""
        out: list[tuple[str, str | None, TelegramChannel]] = [("telegram", None, self.model_copy(update={"bots": ()}))]
        for bot in self.bots:
            update: dict[str, Any] = {"token_env": bot.token_env, "bots": ()}
            if bot.secret_env:
                update["secret_env"] = bot.secret_env
            if bot.webhook:
                update["webhook"] = bot.webhook
            out.append((bot.key, bot.name, self.model_copy(update=update)))
        return out


class ZaloWebhook(_Strict):
    listen: str = "127.0.0.1"
    port: int = Field(default=8444, gt=0, lt=65536)
    path: str = Field(default="/zalo/webhook", pattern=r"^/[A-Za-z0-9/_-]*$")
    max_body_bytes: int = Field(default=65536, ge=1024)


class ZaloBot(_Strict):
    """One more Zalo bot of the deployment: its key (the name its members, chats and messages are stored under,
    starting with "zalo"), the environment variable holding its token, and what differs from the first."""

    key: str = Field(pattern=r"^zalo[a-z0-9_-]{1,16}$")
    name: str | None = Field(default=None, max_length=40)  # as people call it ("Zalo Thôn Đông")
    token_env: str
    secret_env: str | None = None
    webhook: ZaloWebhook | None = None
    monthly_quota: int | None = Field(default=None, ge=0)
    reply_reserve: int | None = Field(default=None, ge=0)


class ZaloChannel(_Strict):
    enabled: bool = True
    token_env: str = "ZALO_BOT_TOKEN"
    base_url: str = "https://bot-api.zaloplatforms.com"
    mode: Literal["polling", "webhook"] = "polling"
    webhook: ZaloWebhook = ZaloWebhook()
    secret_env: str = "ZALO_WEBHOOK_SECRET"
    monthly_quota: int = Field(default=3000, ge=0)
    # kept for answering members: reminders, notices and broadcasts stop when only this many are left this month
    reply_reserve: int = Field(default=300, ge=0)
    public_base_url: str | None = None  # where the bot's own server is reachable, for pictures and files
    link_ttl_minutes: int = Field(default=60, ge=5, le=7 * 24 * 60)
    # The Zalo Bot Platform's group chats are in beta: off by default, group messages are then ignored silently.
    groups: bool = False
    # More bots (the free plan serves about 50 users and 3,000 messages a month per bot), each with its own token,
    # webhook and quota; a member is answered, reminded and notified by the bot they joined through.
    bots: tuple[ZaloBot, ...] = ()

    def each_bot(self) -> list[tuple[str, str | None, ZaloChannel]]:
        """(key, name, settings) of every bot: the first under the channel's own name, then the listed ones. A
        listed bot without its own webhook listens on the next port, at the first one's path plus its key."""
        out: list[tuple[str, str | None, ZaloChannel]] = [("zalo", None, self.model_copy(update={"bots": ()}))]
        for i, bot in enumerate(self.bots, start=1):
            webhook = bot.webhook or self.webhook.model_copy(
                update={"port": self.webhook.port + i, "path": f"{self.webhook.path.rstrip('/')}/{bot.key}"}
            )
            update: dict[str, Any] = {"token_env": bot.token_env, "webhook": webhook, "bots": ()}
            if bot.secret_env:
                update["secret_env"] = bot.secret_env
            if bot.monthly_quota is not None:
                update["monthly_quota"] = bot.monthly_quota
            if bot.reply_reserve is not None:
                update["reply_reserve"] = bot.reply_reserve
            settings = self.model_copy(update=update)
            if settings.reply_reserve > settings.monthly_quota:
                raise ValueError(
                    T.CONFIG_ZALO_RESERVE.format(reserve=settings.reply_reserve, quota=settings.monthly_quota)
                )
            out.append((bot.key, bot.name, settings))
        return out

    @model_validator(mode="after")
    def _reserve_within_quota(self) -> ZaloChannel:
        if self.reply_reserve > self.monthly_quota:
            raise ValueError(T.CONFIG_ZALO_RESERVE.format(reserve=self.reply_reserve, quota=self.monthly_quota))
        return self


class Quota(NamedTuple):
    monthly: int  # messages a month
    reserve: int  # of them, kept for answers


class Channels(_Strict):
    telegram: TelegramChannel = TelegramChannel()
    zalo: ZaloChannel = ZaloChannel()

    @model_validator(mode="after")
    def _distinct_bots(self) -> Channels:
        keys = [key for key, _, _ in self.bots()]
        envs = [settings.token_env for _, _, settings in self.bots()]
        hooks = [(s.webhook.port, s.webhook.path) for _, _, s in self.zalo.each_bot()]
        for what, values in (("key", keys), ("token_env", envs), ("webhook", hooks)):
            twice = sorted({str(v) for v in values if values.count(v) > 1})
            if twice:
                raise ValueError(T.CONFIG_BOT_TWICE.format(what=what, values=", ".join(twice)))
        return self

    def bots(self) -> list[tuple[str, str | None, TelegramChannel | ZaloChannel]]:
        """(key, name, settings) of every bot of every channel, switched on or not."""
        return [*self.telegram.each_bot(), *self.zalo.each_bot()]

    def enabled(self) -> tuple[str, ...]:
        """The bots of the channels this deployment has switched on, by the outbox's names for them."""
        return tuple(key for key, _, settings in self.bots() if settings.enabled)

    def quotas(self) -> dict[str, Quota]:
        """The monthly budgets of the enabled bots that have one."""
        out: dict[str, Quota] = {}
        for key, _, settings in self.bots():
            monthly = getattr(settings, "monthly_quota", None)
            if settings.enabled and monthly is not None:
                out[key] = Quota(monthly, getattr(settings, "reply_reserve", 0))
        return out

    def label(self, key: str) -> str:
        """A bot as people call it: its configured name, the app's name for the first bot, or the app and key."""
        for bot_key, name, _ in self.bots():
            if bot_key == key and name:
                return name
        if key in T.CHANNEL_NAMES:
            return T.CHANNEL_NAMES[key]
        family = next((f for f in T.CHANNEL_NAMES if key.startswith(f)), None)
        return f"{T.CHANNEL_NAMES[family]} ({key})" if family else key


class Flows(_Strict):
    timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    recent_households: int = Field(default=6, ge=1, le=20)


class Visits(_Strict):
    member_edit_hours: int = Field(default=48, ge=0, le=24 * 31)  # a member may fix their own visit this long
    backdate_days: int = Field(default=62, ge=0, le=366)  # how far back a visit may be dated ("12/10")


class Imports(_Strict):
    max_file_mb: int = Field(default=5, ge=1, le=50)  # a household list sent in chat


class Due(_Strict):
    day: int = Field(ge=1, le=28)
    month: int | None = Field(default=None, ge=1, le=12)  # a fixed month (year-end reports); else the period's last

    def rule(self) -> DueRule:
        return DueRule(self.day, self.month)


class Reporting(_Strict):
    """How figures are cut into periods, and when each report is due (see bot/core/periods.py)."""

    cutoff_day: int | None = Field(default=None, ge=2, le=28)  # None: calendar months; 15: 15th → 14th windows
    monthly: Due = Due(day=25)  # "trước ngày 25 hằng tháng"
    quarterly: Due = Due(day=21)  # "trước ngày 21 của tháng cuối quý"
    yearly: Due = Due(day=5, month=12)  # "trước ngày 05/12"
    ranking: dict[str, int] = Field(
        default_factory=lambda: {"luot": 40, "households": 30, "coverage": 20, "participation": 10}
    )
    # thi đua criteria (bot/services/progress.py scores them): lượt, households reached, coverage, participation
    RANKING_CRITERIA: ClassVar[tuple[str, ...]] = ("luot", "households", "coverage", "participation")

    @field_validator("ranking")
    @classmethod
    def _known_criteria(cls, value: dict[str, int]) -> dict[str, int]:
        known = ", ".join(cls.RANKING_CRITERIA)
        for key, weight in value.items():
            if key not in cls.RANKING_CRITERIA:
                raise ValueError(T.CONFIG_RANKING_KEY.format(key=key, known=known))
            if weight < 0:
                raise ValueError(T.CONFIG_RANKING_WEIGHT.format(key=key))
        return value

    @cached_property
    def windows(self) -> Windows:
        return Windows(self.cutoff_day)

    def due_rule(self, kind: Kind) -> DueRule:
        return {Kind.MONTH: self.monthly, Kind.QUARTER: self.quarterly, Kind.YEAR: self.yearly}[kind].rule()


class QuietHours(_Strict):
    """No proactive message (reminder, escalation, summary, broadcast) goes out between start and end, local
    time: it waits until `end`. Replies to what a user sent are never held. start == end: no quiet hours."""

    start: time = time(21, 0)
    end: time = time(7, 0)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _quoted(cls, value: object) -> object:
        if isinstance(value, int):  # YAML reads an unquoted 21:00 as the number 1260
            raise ValueError(T.CONFIG_QUIET_HOURS)
        return value


Audience = Literal["leaders", "team", "inactive_members", "overdue_returns"]
Delivery = Literal["each", "group", "both"]  # each member privately, the team's group chat, or both


def _no_sexagesimal(value: object) -> object:
    if isinstance(value, int):  # YAML reads an unquoted 8:00 as the number 480
        raise ValueError(T.CONFIG_REMINDER_TIME)
    return value


def _distinct_days(value: tuple[int, ...]) -> tuple[int, ...]:
    if len(set(value)) != len(value):
        raise ValueError(T.CONFIG_REMINDER_DAYS)
    return value


class DeadlineReminder(_Strict):
    """Reminders before one kind of report's due date and escalations after it (bot/services/reminders.py).

    days_before: 1 is the last on-time day (periods.days_left); days_late: 1 is the due day itself, the first late
    day (reports.late_days). `to`: who is reminded before the due date (leaders of teams that have not submitted;
    the whole of such a team, with team-level figures only, privately or in its group chat as `group_chat.reminders`
    says; members with no visit in `inactive_days`; members with return visits waiting `return_after_days`). After it,
    each late team's leaders are told, and staff get the list of teams still missing."""

    days_before: tuple[Annotated[int, Field(ge=1, le=60)], ...] = (3, 1)
    at: time = time(8, 0)
    to: tuple[Audience, ...] = ("leaders",)
    days_late: tuple[Annotated[int, Field(ge=1, le=60)], ...] = (1, 3)
    late_at: time = time(8, 30)

    @field_validator("at", "late_at", mode="before")
    @classmethod
    def _quoted(cls, value: object) -> object:
        return _no_sexagesimal(value)

    @field_validator("days_before", "days_late")
    @classmethod
    def _distinct(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return _distinct_days(value)


class WeeklySummary(_Strict):
    """Each leader's summary of the team's last seven days (visits per member, who logged none, reports due)."""

    enabled: bool = True
    weekday: int = Field(default=1, ge=1, le=7)  # 1 = thứ Hai (Monday) … 7 = Chủ nhật
    at: time = time(7, 30)

    @field_validator("at", mode="before")
    @classmethod
    def _quoted(cls, value: object) -> object:
        return _no_sexagesimal(value)


class ReminderTexts(_Strict):
    """Message templates; each may use only its own placeholders, checked at start-up."""

    leader_due: str = T.REMINDER_LEADER_DUE
    leader_overdue: str = T.REMINDER_LEADER_OVERDUE
    staff_overdue: str = T.REMINDER_STAFF_OVERDUE
    member_inactive: str = T.REMINDER_MEMBER_INACTIVE
    member_returns: str = T.REMINDER_MEMBER_RETURNS
    weekly_summary: str = T.REMINDER_WEEKLY
    team_due: str = T.REMINDER_TEAM_DUE
    weekly_group: str = T.REMINDER_WEEKLY_GROUP

    PLACEHOLDERS: ClassVar[dict[str, tuple[str, ...]]] = {
        "leader_due": ("name", "team", "period", "due", "days_left"),
        "leader_overdue": ("name", "team", "period", "due", "days_late"),
        "staff_overdue": ("name", "period", "due", "days_late", "count", "teams"),
        "member_inactive": ("name", "team", "days", "period", "due", "days_left"),
        "member_returns": ("name", "team", "count", "oldest", "period", "due", "days_left"),
        "weekly_summary": ("name", "team", "week", "members", "inactive", "due"),
        # group chat texts: team-level figures only, never a member's or a resident's name
        "team_due": ("team", "period", "due", "days_left"),
        "weekly_group": ("team", "week", "luot", "households", "active", "members", "due"),
    }

    @field_validator("*")
    @classmethod
    def _known_placeholders(cls, value: str, info: ValidationInfo) -> str:
        known = cls.PLACEHOLDERS[info.field_name or ""]
        try:
            fields = [f for _, f, _, _ in Formatter().parse(value) if f is not None]
        except ValueError:
            raise ValueError(T.CONFIG_TEMPLATE_BROKEN.format()) from None
        for name in fields:
            if name not in known:
                raise ValueError(T.CONFIG_TEMPLATE_FIELD.format(field=name, known=", ".join(known)))
        return value


class Reminders(_Strict):
    """When reminders, escalations and the weekly summary go out (bot/services/reminders.py, bot/scheduler.py)."""

    enabled: bool = True
    tick_minutes: int = Field(default=5, ge=1, le=60)  # how often the scheduler looks for what fell due
    grace_hours: int = Field(default=12, ge=0, le=72)  # a moment missed while the bot was down: sent this late
    inactive_days: int = Field(default=7, ge=1, le=90)  # "no visit in N days"
    return_after_days: int = Field(default=3, ge=0, le=90)  # a return visit waiting this long is overdue
    monthly: DeadlineReminder = DeadlineReminder(
        days_before=(3, 1), to=("leaders", "inactive_members", "overdue_returns")
    )
    quarterly: DeadlineReminder = DeadlineReminder(days_before=(7, 3, 1))
    yearly: DeadlineReminder = DeadlineReminder(days_before=(14, 7, 3))
    weekly_summary: WeeklySummary = WeeklySummary()
    texts: ReminderTexts = ReminderTexts()

    def rule(self, kind: Kind) -> DeadlineReminder:
        return {Kind.MONTH: self.monthly, Kind.QUARTER: self.quarterly, Kind.YEAR: self.yearly}[kind]


class GroupChat(_Strict):
    """Where each team-level message goes once a leader has linked the team's group chat (/nhom in the group):
    "each" member privately (as without a group), the "group" as one message, or "both". A team without a linked
    group gets "each" whatever is set: nothing is lost."""

    weekly_summary: Delivery = "each"  # the weekly summary (privately it goes to the leaders)
    reminders: Delivery = "each"  # deadline reminders to the whole team (reminders.*.to: team)
    broadcasts: Delivery = "each"  # a leader's notice to their own team (/thongbao)


class Invites(_Strict):
    ttl_hours: int = Field(default=72, ge=1, le=24 * 30)
    # Wrong codes one sender may try within the window before a cool-down; a code is 8 characters of 31, so at
    # this pace guessing one of a commune's live codes would take longer than the universe has existed.
    max_attempts: int = Field(default=5, ge=1, le=100)
    attempt_window_minutes: int = Field(default=10, ge=1, le=24 * 60)


class Privacy(_Strict):
    consent_version: str = "2026-01"
    consent_text: str = (
        "Thông tin hộ (tên chủ hộ, địa chỉ, số điện thoại nếu có) chỉ dùng để Tổ CNSCĐ theo dõi việc "
        "hướng dẫn kỹ năng số và báo cáo UBND xã."
    )


class Config(_Strict):
    commune: Commune
    timezone: str = "Asia/Ho_Chi_Minh"
    database: Database = Database()
    teams: tuple[Team, ...] = Field(min_length=1)
    platforms: tuple[Platform, ...] = Field(min_length=1)
    skills: tuple[Skill, ...] = Field(min_length=1)
    targets: Targets = Targets()
    channels: Channels = Channels()
    flows: Flows = Flows()
    visits: Visits = Visits()
    imports: Imports = Imports()
    reporting: Reporting = Reporting()
    quiet_hours: QuietHours = QuietHours()
    reminders: Reminders = Reminders()
    group_chat: GroupChat = GroupChat()
    invites: Invites = Invites()
    privacy: Privacy = Privacy()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(T.CONFIG_TIMEZONE) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        _unique("teams", [t.code.upper() for t in self.teams])
        _unique("platforms", [p.code for p in self.platforms])
        _unique("skills", [s.code for s in self.skills])
        platforms = {p.code for p in self.platforms}
        for i, skill in enumerate(self.skills):
            if skill.platform is not None and skill.platform not in platforms:
                raise ValueError(T.CONFIG_SKILL_PLATFORM.format(i=i, platform=skill.platform))
        _distinct_skill_names(self.skills)
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def team_by_code(self) -> dict[str, Team]:
        return {t.code.upper(): t for t in self.teams}

    @cached_property
    def skill_by_code(self) -> dict[str, Skill]:
        return {s.code: s for s in self.skills}

    def team(self, code: str | None) -> Team | None:
        return self.team_by_code.get(code.upper()) if code else None

    def zalo_token(self) -> str | None:
        zalo = self.channels.zalo
        return (os.environ.get(zalo.token_env) or None) if zalo.enabled else None

    def telegram_token(self) -> str | None:
        tg = self.channels.telegram
        return (os.environ.get(tg.token_env) or None) if tg.enabled else None

    @staticmethod
    def bot_token(settings: TelegramChannel | ZaloChannel) -> str | None:
        """The token of one bot (from its environment variable), or None when it is not set or switched off."""
        return (os.environ.get(settings.token_env) or None) if settings.enabled else None

    def has_bot_token(self) -> bool:
        return any(self.bot_token(settings) for _, _, settings in self.channels.bots())


def _distinct_skill_names(skills: Sequence[Skill]) -> None:
    """No two skills answer to the same typed name: "thanh toan" must mean one skill, or a visit could be logged
    with the wrong one. Names are compared as typed without diacritics."""
    owner: dict[str, Skill] = {}
    for skill in skills:
        for name in dict.fromkeys(word_key(n) for n in (skill.label, *skill.aliases)):
            other = owner.setdefault(name, skill)
            if other is not skill:
                raise ValueError(T.CONFIG_SKILL_ALIAS.format(alias=name, first=other.code, second=skill.code))


def _unique(key: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(T.CONFIG_DUPLICATE_CODE.format(key=key, code=code))
        seen.add(code)


_PYDANTIC_HINTS = {
    "missing": T.CONFIG_MISSING,
    "extra_forbidden": T.CONFIG_UNKNOWN_KEY,
    "int_parsing": T.CONFIG_INT,
    "int_type": T.CONFIG_INT,
    "bool_parsing": T.CONFIG_BOOL,
    "string_type": T.CONFIG_STRING,
    "too_short": T.CONFIG_TOO_SHORT,
    "string_too_short": T.CONFIG_TOO_SHORT,
    "string_pattern_mismatch": T.CONFIG_PATTERN,
    "literal_error": T.CONFIG_LITERAL,
    "greater_than": T.CONFIG_RANGE,
    "greater_than_equal": T.CONFIG_RANGE,
    "less_than": T.CONFIG_RANGE,
    "less_than_equal": T.CONFIG_RANGE,
    "model_type": T.CONFIG_MAPPING,
    "tuple_type": T.CONFIG_LIST,
}


def _describe(err: ValidationError, path: Path | Traversable) -> str:
    first = err.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(gốc)"
    hint = _PYDANTIC_HINTS.get(first["type"])
    if hint is None:
        hint = str(first.get("ctx", {}).get("error") or first["msg"])
    else:
        hint = hint.format(**{k: v for k, v in first.get("ctx", {}).items() if isinstance(v, str | int)})
    return T.CONFIG_ERROR.format(path=path, key=key, hint=hint)


def _check_admin_unit(commune: Commune, path: Path | Traversable) -> None:
    with data_file(ADMIN_UNITS_CSV).open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if int(row["unit_code"]) != commune.unit_code:
                continue
            if fold(row["unit_name"]) != fold(commune.name):
                raise ConfigError(
                    T.CONFIG_ERROR.format(
                        path=path,
                        key="commune.name",
                        hint=T.CONFIG_UNIT_NAME.format(code=commune.unit_code, name=row["unit_name"]),
                    )
                )
            if commune.province and fold(row["province_name"]) != fold(commune.province):
                raise ConfigError(
                    T.CONFIG_ERROR.format(
                        path=path,
                        key="commune.province",
                        hint=T.CONFIG_UNIT_NAME.format(code=commune.unit_code, name=row["province_name"]),
                    )
                )
            return
    raise ConfigError(T.CONFIG_ERROR.format(path=path, key="commune.unit_code", hint=T.CONFIG_UNIT_CODE))


def config_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("SOTAY_CONFIG") or DEFAULT_CONFIG)


def uses_sample_config(explicit: str | None = None) -> bool:
    """No config file is named (neither --config nor SOTAY_CONFIG) and there is no ./config.yaml, as when an
    installed wheel runs anywhere: the demo then reads the example commune's, `sample_config()`."""
    return not explicit and not os.environ.get("SOTAY_CONFIG") and not Path(DEFAULT_CONFIG).exists()


def sample_config() -> Traversable:
    """The example commune's config.yaml, shipped with the package (the project's own, in the source tree)."""
    return data_file(DEFAULT_CONFIG, SAMPLE_PACKAGE)


def load_config(path: str | Path | Traversable | None = None) -> Config:
    """Read, validate and return the configuration; raise ConfigError with one clear message."""
    file = config_path(str(path) if path else None) if path is None or isinstance(path, str | Path) else path
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(T.CONFIG_NOT_FOUND.format(path=file)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        raise ConfigError(T.CONFIG_YAML.format(path=file, line=line)) from None
    if not isinstance(raw, dict):
        raise ConfigError(T.CONFIG_ERROR.format(path=file, key="(gốc)", hint=T.CONFIG_MAPPING))
    url_override = os.environ.get("SOTAY_DATABASE_URL")
    if url_override:
        raw = {**raw, "database": {**(raw.get("database") or {}), "url": url_override}}
    try:
        config = Config.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(_describe(err, file)) from None
    _check_admin_unit(config.commune, file)
    return config
