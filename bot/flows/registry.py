"""Every flow the bot knows, run by one engine."""

from bot.flows import invite, log_visit
from bot.flows.engine import FlowEngine

ENGINE = FlowEngine([log_visit.FLOW, invite.FLOW])
