"""The scheduler's jobs: the reminders job every tick_minutes and once at start-up, on the injected clock."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduler import build_scheduler, send_reminders
from bot.services.deps import Deps
from tests.services.test_reminders import commune, keys, vn, with_reminders


def test_the_reminders_job_runs_every_tick_and_at_once_on_start(deps):
    scheduler = build_scheduler(deps)
    job = scheduler.get_job("reminders")
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(minutes=deps.config.reminders.tick_minutes)
    assert job.next_run_time is not None  # catch up at once after a restart
    assert not hasattr(build_scheduler(deps, catch_up=False).get_job("reminders"), "next_run_time")  # after one tick
    assert {j.id for j in scheduler.get_jobs()} == {
        "reminders",
        "prune_processed",
        "prune_uploads",
        "prune_join_attempts",
    }


def test_no_reminders_job_when_turned_off(deps):
    off = Deps(config=with_reminders(deps.config, enabled=False), store=deps.store, clock=deps.clock)
    assert build_scheduler(off).get_job("reminders") is None


async def test_the_job_takes_the_time_from_the_injected_clock(deps, clock):
    people = await commune(deps.store)
    clock.set(vn(11, 22, 7, 55))
    assert await send_reminders(deps) == 0
    clock.advance(timedelta(minutes=5))  # 08:00: the monthly reminders and nudges
    assert await send_reminders(deps) == 6
    clock.advance(timedelta(minutes=5))
    assert await send_reminders(deps) == 0
    assert f"rem:month-d3:2026-11:{people.binh.id}:zalo" in await keys(deps.store)
