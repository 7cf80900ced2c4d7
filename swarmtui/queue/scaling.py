"""Should I scale? drain times at more or fewer replicas of the service a queue feeds (pure).

Assumes each replica takes items at the same rate as now (rate_out / running replicas) and that
producers keep pushing at rate_in. The running replica count comes from the caller (the app reads
it from the swarm); nothing here talks to Docker.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from swarmtui.queue.rates import time_to_drain
from swarmtui.queue.spark import fmt_duration, fmt_rate
from swarmtui.words import plural

DEFAULT_DELTAS = (-1, 1, 2, 5)


@dataclass(frozen=True)
class Option:
    replicas: int
    delta: int
    eta: float | None  # seconds; None = would not drain


@dataclass(frozen=True)
class Advice:
    service: str
    replicas: int
    per_replica: float | None  # items per replica per second; None when nothing to measure
    eta: float | None
    options: tuple[Option, ...]


def per_replica_rate(rate_out: float | None, replicas: int) -> float | None:
    if rate_out is None or replicas <= 0:
        return None
    return rate_out / replicas


def eta_at(backlog: int, rate_in: float, per_replica: float, replicas: int) -> float | None:
    return time_to_drain(backlog, rate_in, per_replica * max(replicas, 0))


def replicas_needed(backlog: int, rate_in: float, per_replica: float, within: float) -> int | None:
    """Fewest replicas that empty `backlog` within `within` seconds while producers push at rate_in."""
    if per_replica <= 0 or within <= 0:
        return None
    return max(1, math.ceil((backlog / within + rate_in) / per_replica))


def advise(
    service: str,
    backlog: int,
    rate_in: float | None,
    rate_out: float | None,
    replicas: int,
    deltas: tuple[int, ...] = DEFAULT_DELTAS,
) -> Advice:
    per = per_replica_rate(rate_out, replicas)
    options: list[Option] = []
    if per is not None and rate_in is not None:
        for d in deltas:
            n = replicas + d
            if n >= 0 and d != 0:
                options.append(Option(n, d, eta_at(backlog, rate_in, per, n)))
    return Advice(service, replicas, per, time_to_drain(backlog, rate_in, rate_out), tuple(options))


def advice_line(a: Advice) -> str:
    """One line, e.g. 'spider: 3 replicas × 0.5/s each · drains in 10m 00s · +1 → 7m 30s · -1 → never'."""
    if a.replicas <= 0:
        return f"{a.service}: no replicas running — nothing is taking work"
    replicas = plural(a.replicas, "replica")
    if a.per_replica is None:
        return f"{a.service}: {replicas} · measuring…"
    if a.eta is not None and a.eta <= 0:
        return f"{a.service}: {replicas} · the queue is empty"  # not "drains in empty · -1 → empty"
    head = f"{a.service}: {replicas} × {fmt_rate(a.per_replica)} each · drains in {fmt_duration(a.eta)}"
    tail = [f"{o.delta:+d} → {fmt_duration(o.eta)}" for o in a.options]
    return " · ".join([head, *tail])
