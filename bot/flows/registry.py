"""Every flow the bot knows, run by one engine."""

from bot.flows import (
    assign,
    broadcast,
    correct_visit,
    group_link,
    household_card,
    import_households,
    invite,
    log_visit,
    report,
)
from bot.flows.engine import FlowEngine

ENGINE = FlowEngine(
    [
        log_visit.FLOW,
        log_visit.QUICK_FLOW,
        invite.FLOW,
        assign.FLOW,
        *household_card.FLOWS,
        correct_visit.FLOW,
        import_households.FLOW,
        *report.FLOWS,
        broadcast.FLOW,
        group_link.FLOW,
    ]
)
