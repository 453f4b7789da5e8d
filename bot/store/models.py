"""SQLModel tables. Times are UTC; residents' data lives only in `household` and `visit`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.store.types import UTCDateTime


def _utc(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(max_length=120)
    role: str = Field(max_length=10)
    team_code: str | None = Field(default=None, max_length=20, index=True)
    active: bool = True
    created_at: datetime = _utc()


class ChannelIdentity(SQLModel, table=True):
    __tablename__ = "channel_identity"
    __table_args__ = (UniqueConstraint("channel", "user_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    user_ref: str = Field(max_length=64)
    chat_ref: str = Field(max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = _utc()


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    team_code: str | None = Field(default=None, max_length=20)
    role: str = Field(max_length=10)
    name: str | None = Field(default=None, max_length=120)
    member_id: int | None = Field(default=None, foreign_key="member.id")  # links a new channel to this member
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = _utc()
    expires_at: datetime = _utc()
    used_at: datetime | None = _utc(default=None)
    used_by: int | None = Field(default=None, foreign_key="member.id")
    bot: str | None = Field(default=None, max_length=20)  # only this bot takes the code (one of several)


class TeamChat(SQLModel, table=True):
    """A team's group chat the bot is in, as its leader linked and confirmed it: team-level messages (the weekly
    summary, team reminders, the leader's notices) may go there as one message instead of one per member. One
    active group per team and bot; linking another deactivates the old row, which stays as a record."""

    __tablename__ = "team_chat"
    __table_args__ = (
        Index("ix_team_chat_team", "team_code", "active"),
        Index("ix_team_chat_chat", "channel", "chat_ref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_code: str = Field(max_length=20)
    channel: str = Field(max_length=20)  # the bot's key (Inbound.channel): the outbox channel of group messages
    chat_ref: str = Field(max_length=64)  # the group
    linked_by: int | None = Field(default=None, foreign_key="member.id")
    linked_at: datetime = _utc()
    active: bool = True
    unlinked_at: datetime | None = _utc(default=None)
    unlinked_by: int | None = Field(default=None, foreign_key="member.id")  # None with unlinked_at: the group was gone


class Household(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_code: str = Field(max_length=20, index=True)
    head_name: str = Field(max_length=120)
    name_key: str = Field(max_length=120)
    address: str = Field(max_length=200)
    address_key: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    elderly: bool = False
    ethnic_minority: bool = False
    no_device: bool = False
    assigned_member_id: int | None = Field(default=None, foreign_key="member.id")
    consent_at: datetime | None = _utc(default=None)
    consent_version: str | None = Field(default=None, max_length=20)
    consent_by: int | None = Field(default=None, foreign_key="member.id")
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    archived_at: datetime | None = _utc(default=None)
    # Derived from household_skill (services/visit_summaries): the first day a completed visit guided the household
    # to any essential platform, and to Bình dân học vụ số (which skills count: coverage_skill, from config).
    first_platform_on: date | None = None
    first_bdhvs_on: date | None = None

    __table_args__ = (
        Index("ix_household_team_name", "team_code", "name_key"),
        # the register figures: a team's registered households, whom they are assigned to and their first days,
        # read from the index alone
        Index(
            "ix_household_register",
            "team_code",
            "archived_at",
            "assigned_member_id",
            "first_platform_on",
            "first_bdhvs_on",
        ),
        # members' assigned households, counted from the index alone
        Index("ix_household_assigned", "assigned_member_id", "archived_at"),
        # the "same phone" half of the similar-household check, without reading the team's whole register
        Index("ix_household_team_phone", "team_code", "phone"),
    )


# The kinds of household_word rows (services/household_words).
WORD_NAME, WORD_ADDRESS, WORD_FAMILY_START, WORD_FAMILY_END, WORD_BLOCK_NUMBER = "n", "a", "f", "g", "b"


class HouseholdWord(SQLModel, table=True):
    """Derived from household.name_key/address_key (services/household_words), kept in the transaction of every
    write of a name or address: the folded words of each active household's head's name (kind "n") and address
    ("a"), and the family name with the given name's first or last two letters ("f", "g": the match index's
    blocks), and each of these blocks with each address number ("b": "w:an#3"). Searches and the similar-household
    check read a few index ranges here instead of the whole register. `numbers` is the household's address numbers
    ("12,3"): with "b", a block's households whose numbers can agree with a query's are counted and read from the
    index alone."""

    __tablename__ = "household_word"

    # The key is the order searches read in (a team's word, then the households' numbers), so that one text index
    # serves them; a household's rows are found for a change by the small index on household_id. No foreign key:
    # an import writes ~20 rows per household, and PostgreSQL's check of each took most of the import's time; the
    # rows are derived (household_words forgets them before a household is deleted, and rebuilds them).
    team_code: str = Field(max_length=20, primary_key=True)
    kind: str = Field(max_length=1, primary_key=True)
    word: str = Field(max_length=400, primary_key=True)  # a name word with an address number ("b")
    numbers: str = Field(default="", max_length=200, primary_key=True)
    household_id: int = Field(primary_key=True, index=True)


class CoverageSkill(SQLModel, table=True):
    """Which skills make a household count as guided to a platform in the coverage figures (scope "platform": the
    essential platforms' skills; "bdhvs": Bình dân học vụ số's), copied from config so that the visits' own
    transactions keep household.first_*_on without knowing the config (services/visit_summaries)."""

    __tablename__ = "coverage_skill"

    scope: str = Field(max_length=20, primary_key=True)
    skill_code: str = Field(max_length=30, primary_key=True)


# The values of visit.outcome and visit.status (services/visits sets them).
OUTCOME_DONE = "done"
OUTCOME_RETURN = "return"
STATUS_ACTIVE, STATUS_CORRECTED, STATUS_UNDONE = "active", "corrected", "undone"


class Visit(SQLModel, table=True):
    """One visit to a household. Append-only: a correction adds a row and marks the old one."""

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    team_code: str = Field(max_length=20)
    visited_on: date
    people_count: int = 1
    outcome: str = Field(default="done", max_length=10)  # done | return
    note: str | None = Field(default=None, max_length=500)
    status: str = Field(default="active", max_length=10)  # active | corrected | undone
    replaces_id: int | None = Field(default=None, foreign_key="visit.id")
    created_at: datetime = _utc()

    __table_args__ = (
        Index("ix_visit_team_day", "team_code", "visited_on"),
        # progress figures: a team's counting visits of a period, and a household's first guiding visit
        Index(
            "ix_visit_team_status_day", "team_code", "status", "visited_on", "member_id", "household_id", "people_count"
        ),
        Index("ix_visit_household_status", "household_id", "status", "outcome", "visited_on", "created_at"),
    )


class VisitSkill(SQLModel, table=True):
    __tablename__ = "visit_skill"

    visit_id: int = Field(foreign_key="visit.id", primary_key=True)
    skill_code: str = Field(max_length=30, primary_key=True)


class TeamSkillDay(SQLModel, table=True):
    """Derived from visits (services/visit_summaries): how many of the team's active visits of the day covered the
    skill. A period's skill counts are summed from here, a row per team, day and skill."""

    __tablename__ = "team_skill_day"

    team_code: str = Field(max_length=20, primary_key=True)
    visited_on: date = Field(primary_key=True)
    skill_code: str = Field(max_length=30, primary_key=True)
    visits: int


class HouseholdReach(SQLModel, table=True):
    """Derived from visits (services/visit_summaries): the first day each team's active visits reached a household.
    Households reached by a day, and reached for the first time in a period, are counted from here."""

    __tablename__ = "household_reach"

    household_id: int = Field(foreign_key="household.id", primary_key=True)
    team_code: str = Field(max_length=20, primary_key=True)
    first_visit_on: date

    __table_args__ = (Index("ix_household_reach_team_day", "team_code", "first_visit_on", "household_id"),)


class PeriodWindow(SQLModel, table=True):
    """The cutoff day (config reporting.cutoff_day; 0: calendar months) that team_period and member_period are kept
    with: one row, none before the first read of the figures (services/period_counts)."""

    __tablename__ = "period_window"

    id: int = Field(default=1, primary_key=True)
    cutoff_day: int


class TeamPeriod(SQLModel, table=True):
    """Derived from visits (services/period_counts): per period (its key: 2026-11, 2026-Q4, 2026) and team, the
    distinct households its active visits reached, and of them those with each priority flag. Team "": any team."""

    __tablename__ = "team_period"

    period_key: str = Field(max_length=10, primary_key=True)
    team_code: str = Field(max_length=20, primary_key=True)
    reached: int
    elderly: int
    ethnic_minority: int
    no_device: int


class FirstReach(SQLModel, table=True):
    """Derived from visits (services/period_counts): how many households a team's active visits first reached on
    `team_first_on` that any team's first reached on `commune_first_on` (team "": any team, both days the same).
    Households reached by a day, and reached for the first time in a period, are summed from a few rows per day."""

    __tablename__ = "first_reach"

    team_code: str = Field(max_length=20, primary_key=True)
    team_first_on: date = Field(primary_key=True)
    commune_first_on: date = Field(primary_key=True)
    households: int


class MemberPeriod(SQLModel, table=True):
    """Derived from visits (services/period_counts): per period, member and team, the member's active visits, their
    lượt, the distinct households they reached and their last visit day."""

    __tablename__ = "member_period"

    period_key: str = Field(max_length=10, primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    team_code: str = Field(max_length=20, primary_key=True)
    visits: int
    luot: int
    reached: int
    last_visit_on: date | None = None


class TeamSkillPeriod(SQLModel, table=True):
    """Derived from visits (services/period_counts): per period and team, how many active visits covered the skill
    (team_skill_day summed over the period, kept so a year's figures read a row per skill, not per day)."""

    __tablename__ = "team_skill_period"

    period_key: str = Field(max_length=10, primary_key=True)
    team_code: str = Field(max_length=20, primary_key=True)
    skill_code: str = Field(max_length=30, primary_key=True)
    visits: int


class HouseholdSkill(SQLModel, table=True):
    """Derived from visits (services/visit_summaries): the first day a completed, active visit covered the skill at
    the household. A household with no platform correction is "guided" on a platform as of a day when one of the
    platform's skills has a first day up to it."""

    __tablename__ = "household_skill"

    household_id: int = Field(foreign_key="household.id", primary_key=True)
    skill_code: str = Field(max_length=30, primary_key=True)
    first_done_on: date


class HouseholdPlatform(SQLModel, table=True):
    """A member's correction of one household's status on one platform; visits imply the rest."""

    __tablename__ = "household_platform"

    household_id: int = Field(foreign_key="household.id", primary_key=True)
    platform_code: str = Field(max_length=30, primary_key=True)
    status: str = Field(max_length=10)  # none | guided | uses
    set_by: int | None = Field(default=None, foreign_key="member.id")
    set_at: datetime = _utc()


class VisitFlag(SQLModel, table=True):
    """A leader's "cần kiểm tra" on a visit, with the reason; resolved when the visit is corrected or cleared."""

    __tablename__ = "visit_flag"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    reason: str = Field(max_length=300)
    flagged_by: int | None = Field(default=None, foreign_key="member.id")
    flagged_at: datetime = _utc()
    resolved_at: datetime | None = _utc(default=None)
    resolved_by: int | None = Field(default=None, foreign_key="member.id")


class PeriodLock(SQLModel, table=True):
    """A reported period of one team: its visits can no longer be added, dated into, edited or undone."""

    __tablename__ = "period_lock"

    id: int | None = Field(default=None, primary_key=True)
    team_code: str = Field(max_length=20, index=True)
    period_key: str = Field(max_length=20)  # 2026-11, 2026-Q4, 2026
    starts_on: date
    ends_on: date
    locked_at: datetime = _utc()
    locked_by: int | None = Field(default=None, foreign_key="member.id")
    reopened_at: datetime | None = _utc(default=None)
    reopened_by: int | None = Field(default=None, foreign_key="member.id")


class Report(SQLModel, table=True):
    """A team's report for one period: text parts kept as a draft, then submitted with a snapshot of the figures.

    `submitted_at`/`submitted_by` are the latest submission (the one the snapshot is of); `first_submitted_at` and
    `on_time` the first one: a report reopened by staff and submitted again keeps its first verdict.
    """

    __table_args__ = (UniqueConstraint("team_code", "period_key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_code: str = Field(max_length=20)
    period_key: str = Field(max_length=20, index=True)  # 2026-11, 2026-Q4, 2026
    kind: str = Field(max_length=10)  # month | quarter | year
    status: str = Field(default="draft", max_length=10)  # draft | submitted | reopened
    texts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    figures: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    due_on: date
    first_submitted_at: datetime | None = _utc(default=None)
    submitted_at: datetime | None = _utc(default=None)
    submitted_by: int | None = Field(default=None, foreign_key="member.id")
    on_time: bool | None = None
    reopened_at: datetime | None = _utc(default=None)
    reopened_by: int | None = Field(default=None, foreign_key="member.id")
    updated_at: datetime = _utc()


class Upload(SQLModel, table=True):
    """A file a member sent (e.g. a household list to import), kept only until its flow ends."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    name: str = Field(max_length=200)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = _utc(index=True)


class Conversation(SQLModel, table=True):
    """The state of one user's unfinished flow: survives restarts and phone switches."""

    channel: str = Field(max_length=20, primary_key=True)
    user_ref: str = Field(max_length=64, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    flow: str = Field(max_length=30)
    step: str = Field(max_length=30)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    options: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    multi_select: bool = False
    token: str = Field(max_length=16)
    expires_at: datetime = _utc()
    updated_at: datetime = _utc()


class ProcessedMessage(SQLModel, table=True):
    __tablename__ = "processed_message"

    channel: str = Field(max_length=20, primary_key=True)
    message_id: str = Field(max_length=80, primary_key=True)
    received_at: datetime = _utc(index=True)


class InboxItem(SQLModel, table=True):
    """An update a channel received, stored before the platform is told it arrived (the webhook's 200, the next
    getUpdates offset): a bot killed before answering it answers it when it starts again. Once answered, its body
    is emptied and the row stays a while as the record that it was handled (a redelivery is then ignored)."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "update_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    update_ref: str = Field(max_length=80)  # the platform's id of the update (a redelivery has the same)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime = _utc()
    replays: int = 0  # how many starts found it unanswered
    answered_at: datetime | None = _utc(default=None)


class JoinAttempt(SQLModel, table=True):
    """An invite code that did not let someone in (unknown, used or expired), or a refusal while they wait: counted
    per sender so codes cannot be guessed at speed. Pruned with the processed message ids."""

    __tablename__ = "join_attempt"
    __table_args__ = (Index("ix_join_attempt_sender", "channel", "user_ref", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    user_ref: str = Field(max_length=64)
    at: datetime = _utc()
    throttled: bool = False  # refused without looking at the code: the sender was waiting out a cool-down


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)
    actor_member_id: int | None = Field(default=None, foreign_key="member.id")
    action: str = Field(max_length=40)
    entity: str = Field(max_length=30)
    entity_id: str | None = Field(default=None, max_length=40)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Setting(SQLModel, table=True):
    """Small facts the bot learns at run time (e.g. its Telegram username for deep links)."""

    key: str = Field(max_length=60, primary_key=True)
    value: str = Field(max_length=500)


class OutboxFile(SQLModel, table=True):
    """A picture or document an outbox message carries (one file may go to many recipients, e.g. a chart in a
    reminder). Kept while a message that carries it may still go out; then pruned."""

    __tablename__ = "outbox_file"

    id: int | None = Field(default=None, primary_key=True)
    name: str | None = Field(default=None, max_length=200)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = _utc(index=True)


class OutboxItem(SQLModel, table=True):
    """A message waiting to go out, or its record once sent. Senders drain it per channel within limits."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "channel", "status", "next_attempt_at"),
        Index("ix_outbox_chat", "channel", "chat_ref", "status", "id"),  # a chat's older pending rows (in order)
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_ref: str = Field(max_length=64)
    kind: str = Field(default="text", max_length=10)  # text | photo | document
    text: str = ""
    file_id: int | None = Field(default=None, index=True)  # outbox_file: the picture or document it carries
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedup_key: str | None = Field(default=None, max_length=200, unique=True)
    status: str = Field(default="pending", max_length=10)  # pending | sent | failed | blocked
    attempts: int = 0
    next_attempt_at: datetime = _utc()
    created_at: datetime = _utc()
    sent_at: datetime | None = _utc(default=None, index=True)
    error: str | None = Field(default=None, max_length=200)


class Broadcast(SQLModel, table=True):
    """A notice from staff or a leader to many members (/thongbao). The text is staff's own: never logged."""

    id: int | None = Field(default=None, primary_key=True)
    sender_member_id: int = Field(foreign_key="member.id", index=True)
    audience: str = Field(max_length=10)  # commune | leaders | team
    team_code: str | None = Field(default=None, max_length=20)  # the team, for audience "team"
    text: str
    recipient_count: int = 0
    message_count: int = 0  # outbox rows queued: one per channel identity of each recipient
    send_at: datetime = _utc()  # when it goes out: later than created_at when held by quiet hours
    created_at: datetime = _utc(index=True)
    group_outbox_id: int | None = None  # the one outbox row to the team's group chat, when it went there too


class BroadcastRecipient(SQLModel, table=True):
    """One member a broadcast went to: the unguessable token of their "Đã nhận" button, and their answer."""

    __tablename__ = "broadcast_recipient"
    __table_args__ = (UniqueConstraint("broadcast_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    token: str = Field(max_length=32, unique=True)
    outbox_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    acknowledged_at: datetime | None = _utc(default=None)
    acknowledged_via: str | None = Field(default=None, max_length=20)  # the channel of the acknowledgement
