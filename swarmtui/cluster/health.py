"""Crash loops, from task history: which services to look at, and whether one is failing.

Pure, no Docker calls.  The snapshot lists running tasks of the whole swarm; only the
services that look unwell there (fewer replicas running than wanted, and not merely
waiting to be placed) and those already failing get their history read — one call
each, so a healthy swarm costs nothing extra.  This is the one crash-loop rule: the HEALTH column,
the timeline and the `crash_loop` alert all read `Service.failing`, set here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from swarmtui.cluster.models import Failing, Service, Task

FAILURE_STATES = ("failed", "rejected")
WAITING_STATES = ("new", "pending")  # not placed yet: explained by the task's error, not a crash


@dataclass(frozen=True)
class Thresholds:
    """What makes a crash loop; [alerts] crash_loop_failures / crash_loop_minutes set the first two."""

    failures: int = 3  # failures within the window that make a crash loop
    window: timedelta = timedelta(minutes=5)  # failures older than this are forgotten
    quiet: timedelta = timedelta(minutes=2)  # no failure for this long: the incident is over


DEFAULT = Thresholds()


def short_duration(seconds: float) -> str:
    """'4s', '12m', '3h', '2d' (as compact as k9s' AGE column)."""
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def candidates(services: Iterable[Service], listed: Iterable[tuple[str, str]], recheck: Iterable[str] = ()) -> set[str]:
    """IDs of the services whose history is worth a call: short of replicas with something other than
    unplaced tasks to show for it, or failing at the last look (`recheck`).  `listed`: (state, service
    ID) of each task the swarm still wants (desired running or ready)."""
    services = tuple(services)
    states: dict[str, set[str]] = {}
    for state, service_id in listed:
        states.setdefault(service_id, set()).add(state)
    out = set(recheck)
    for service in services:
        if service.replicas_running >= service.replicas_desired:
            continue
        seen = states.get(service.id, set())
        if not seen or not seen <= set(WAITING_STATES):
            out.add(service.id)
    return out & {s.id for s in services}


def recheck(services: Iterable[Service]) -> list[str]:
    """IDs of the services failing at the last look: their history is read until the loop is over,
    even while a restart briefly has all replicas running (else the incident would flicker)."""
    return [s.id for s in services if s.failing]


def failing(service: Service, history: Iterable[Task], now: datetime,
            thresholds: Thresholds = DEFAULT) -> Failing | None:
    """A crash loop: `failures` failures within `window` since the service was last changed (an update
    or rollback starts a new incident), the latest within `quiet`."""
    since = now - thresholds.window
    if service.updated is not None and service.updated > since:
        since = service.updated
    failures = sorted((t for t in history if t.service_id == service.id and t.state in FAILURE_STATES
                       and t.state_since is not None and t.state_since >= since),
                      key=lambda t: t.state_since)
    if len(failures) < thresholds.failures or now - failures[-1].state_since > thresholds.quiet:
        return None
    latest = failures[-1]
    return Failing(count=len(failures), first=failures[0].state_since, last=latest.state_since,
                   exit_code=latest.exit_code, error=latest.error, state=latest.state)


def describe(failing: Failing, now: datetime | None = None) -> str:
    """'failing: exit 3 ×5 in 2m' (over the time from the first failure to `now`, or to the latest)."""
    what = f"exit {failing.exit_code}" if failing.exit_code is not None else failing.state
    end = now or failing.last
    span = short_duration((end - failing.first).total_seconds()) if end and failing.first else "?"
    return f"failing: {what} ×{failing.count} in {span}"
