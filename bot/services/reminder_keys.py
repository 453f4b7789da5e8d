"""The outbox keys of reminders: one message per rule, period and member, or per rule, period and team for a team's
group chat (the channel is added when queued).

Its own module so that reports (which reminders read) can withdraw a leader's pending reminders on submission."""

from __future__ import annotations


def reminder_key(rule: str, period_key: str, member_id: int | None) -> str:
    return f"rem:{rule}:{period_key}:{member_id}"


def owed_report_pattern(period_key: str, member_id: int) -> str:
    """A LIKE pattern of every reminder (before or after the due date) to this member about this period's report."""
    return f"rem:%:{period_key}:{member_id}:%"


def team_key(rule: str, period_key: str, team_code: str) -> str:
    """The key of a message to a team's group chat: one per rule, period and team."""
    return f"rem:{rule}:{period_key}:team-{team_code}"


def owed_team_pattern(period_key: str, team_code: str) -> str:
    """A LIKE pattern of every reminder to this team's group chat about this period's report."""
    return f"rem:%:{period_key}:team-{team_code}:%"
