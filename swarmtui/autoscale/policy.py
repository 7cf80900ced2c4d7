"""An autoscaling policy per service: config.toml `[autoscale.<service>]`, or set from the TUI.

    [autoscale.spider]
    queues = ["example:swarm:spider"]   # or queue = "..."; the keys whose backlog the service eats
    min = 1
    max = 6
    target_drain_seconds = 180          # size the fleet to drain the backlog within this ...
    # items_per_replica = 500           # ... or to this many waiting items per replica
    step_up = 4                          # at most this many replicas added by one change
    step_down = 2
    cooldown_up_seconds = 60             # no change within this long after the last one (going up)
    cooldown_down_seconds = 180
    hysteresis = 0.25                    # scale down only when the smaller fleet still drains in target × (1 - h)
    manual_pause_seconds = 600           # a manual scale wins for this long
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping


@dataclass(frozen=True)
class Policy:
    service: str
    queues: tuple[str, ...]
    min: int = 1
    max: int = 10
    target_drain_seconds: float | None = 180.0
    items_per_replica: int | None = None
    step_up: int = 4
    step_down: int = 2
    cooldown_up_seconds: float = 60.0
    cooldown_down_seconds: float = 180.0
    hysteresis: float = 0.25
    manual_pause_seconds: float = 600.0

    def describe(self) -> str:
        """'1–6 replicas, drain within 3m' (for the services pane and the timeline)."""
        from swarmtui.queue.spark import fmt_duration

        target = (f"≤ {self.items_per_replica:,} items/replica" if self.items_per_replica
                  else f"drain within {fmt_duration(self.target_drain_seconds)}")
        return f"{self.min}–{self.max} replicas, {target}"


_INTS = ("min", "max", "step_up", "step_down", "items_per_replica")
_FLOATS = ("target_drain_seconds", "cooldown_up_seconds", "cooldown_down_seconds", "hysteresis", "manual_pause_seconds")


def make_policy(service: str, table: Mapping[str, Any], max_replicas: int | None = None) -> Policy:
    """A policy from its table (config.toml or the TUI dialog); ValueError naming the key for anything wrong."""
    where = f"[autoscale.{service}]"
    if not isinstance(table, Mapping):
        raise ValueError(f"{where} must be a table")
    known = {f.name for f in fields(Policy)} - {"service"} | {"queue"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    data = dict(table)
    queues = data.pop("queues", None)
    if "queue" in data:
        queues = [data.pop("queue"), *(queues or [])]
    if isinstance(queues, str):
        queues = [queues]
    if not queues or not all(isinstance(q, str) and q.strip() for q in queues):
        raise ValueError(f"{where}: give the queue key(s) the service consumes: queue = \"...\" or queues = [...]")
    for key in _INTS:
        if key in data and (not isinstance(data[key], int) or isinstance(data[key], bool) or data[key] < (0 if key == "min" else 1)):
            raise ValueError(f"{where}: {key} must be a whole number {'>= 0' if key == 'min' else '>= 1'}, not {data[key]!r}")
    for key in _FLOATS:
        if key in data:
            value = data[key]
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 or (key == "target_drain_seconds" and value <= 0):
                raise ValueError(f"{where}: {key} must be a number {'> 0' if key == 'target_drain_seconds' else '>= 0'}, not {value!r}")
            data[key] = float(value)
    if "items_per_replica" in data and "target_drain_seconds" not in data:
        data["target_drain_seconds"] = None
    policy = Policy(service=service, queues=tuple(q.strip() for q in queues), **data)
    if policy.min > policy.max:
        raise ValueError(f"{where}: min ({policy.min}) is above max ({policy.max})")
    if max_replicas is not None and policy.max > max_replicas:
        raise ValueError(f"{where}: max ({policy.max}) is above the replica cap max_replicas = {max_replicas}")
    if policy.hysteresis >= 1:
        raise ValueError(f"{where}: hysteresis must be below 1 (a fraction of the target), not {policy.hysteresis}")
    return policy


def parse_autoscale(table: Mapping[str, Any], max_replicas: int | None = None) -> dict[str, Policy]:
    if not isinstance(table, Mapping):
        raise ValueError("[autoscale] must hold one table per service: [autoscale.spider]")
    return {name: make_policy(name, sub, max_replicas) for name, sub in table.items()}
