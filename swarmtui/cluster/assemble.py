"""Pure: the Engine API payloads of one refresh -> a Snapshot.

SwarmClient.snapshot() fetches the payloads and calls `snapshot()`; the SVG snapshot tests call the
same function on payloads recorded on the lab, so what they show is what the client builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from swarmtui.cluster import convert, health
from swarmtui.cluster.models import Node, Resources, Service, Snapshot

Payload = Mapping[str, Any]


@dataclass(frozen=True)
class RawSwarm:
    """The payloads, as the Engine API returns them."""

    swarm: Payload  # GET /swarm
    nodes: Sequence[Payload]  # GET /nodes
    services: Sequence[Payload]  # GET /services?status=true
    # GET /tasks?filters={"desired-state": ["running", "ready"]} ("ready": waiting out a restart delay)
    running: Sequence[Payload]
    network_names: Mapping[str, str]  # network ID -> name (services carry only IDs)
    history: Sequence[Payload] | None = None  # GET /tasks?filters={kind: [id]}, when history is asked
    # service ID -> GET /tasks?filters={"service": [id]}, for the services unwell() named
    histories: Mapping[str, Sequence[Payload]] = field(default_factory=dict)


def hostnames(raw_nodes: Iterable[Payload]) -> dict[str, str]:
    return {n["ID"]: (n.get("Description") or {}).get("Hostname", "") for n in raw_nodes}


def service_names(raw_services: Iterable[Payload]) -> dict[str, str]:
    return {s["ID"]: (s.get("Spec") or {}).get("Name", "") for s in raw_services}


def nodes(raw_nodes: Iterable[Payload], running: Iterable[Payload]) -> tuple[Node, ...]:
    """Managers first, then by hostname, each with its count of running tasks and what the tasks
    placed on it reserve and are limited to."""
    running = tuple(running)
    counts, placed = convert.running_counts(running), convert.placed_resources(running)
    nothing = (Resources(), Resources())
    return tuple(sorted((convert.node(n, counts.get(n["ID"], 0), placed.get(n["ID"], nothing)) for n in raw_nodes),
                        key=lambda n: (n.role != "manager", n.hostname)))


def services(raw_services: Iterable[Payload], network_names: Mapping[str, str],
             lost: Mapping[str, int] | None = None) -> tuple[Service, ...]:
    """By name; `lost`: service ID -> running tasks on Down nodes (convert.running_on_lost_nodes)."""
    lost = lost or {}
    return tuple(sorted((convert.service(s, network_names, lost.get(s["ID"], 0)) for s in raw_services),
                        key=lambda s: s.name))


def task_scope(ref: str, raw_nodes: Iterable[Payload], raw_services: Iterable[Payload]) -> tuple[str, str] | None:
    """A service or node name/ID -> ("service" | "node", its ID), the task filter to ask the engine for;
    None when it is gone (say the selected service was just removed): no tasks, the rest of the snapshot holds."""
    for ident, name in service_names(raw_services).items():
        if ref in (ident, name):
            return "service", ident
    for ident, name in hostnames(raw_nodes).items():
        if ref in (ident, name):
            return "node", ident
    return None


def service_models(raw: RawSwarm) -> tuple[Service, ...]:
    """Every service (before crash-loop health), counting its tasks on Down nodes.  A refresh needs
    them twice (unwell, then snapshot): made once and handed to both (`models`), not converted twice."""
    return services(raw.services, raw.network_names, convert.running_on_lost_nodes(raw.running, raw.nodes))


def unwell(raw: RawSwarm, recheck: Iterable[str] = (), models: tuple[Service, ...] | None = None) -> set[str]:
    """IDs of the services whose task history is worth reading for a crash loop (health.candidates)."""
    listed = (((t.get("Status") or {}).get("State", ""), t.get("ServiceID", "")) for t in raw.running)
    return health.candidates(service_models(raw) if models is None else models, listed, recheck)


def snapshot(raw: RawSwarm, taken_at: datetime, tasks_for: str | None = None,
             crash_thresholds: health.Thresholds = health.DEFAULT, models: tuple[Service, ...] | None = None) -> Snapshot:
    """The swarm; with `tasks_for` (a service or node name/ID) also its tasks: the running ones,
    or every task of `raw.history` when it was fetched.  Services of `raw.histories` are marked
    failing when their history shows a crash loop by `crash_thresholds`.  `models`: service_models(raw)
    when the caller made them already."""
    node_models = nodes(raw.nodes, raw.running)
    tasks = ()
    scope = task_scope(tasks_for, raw.nodes, raw.services) if tasks_for else None
    if scope:
        kind, ident = scope
        key = "ServiceID" if kind == "service" else "NodeID"
        pool = raw.running if raw.history is None else raw.history
        tasks = convert.tasks([t for t in pool if t.get(key) == ident],
                              service_names(raw.services), hostnames(raw.nodes))
    return Snapshot(
        swarm=convert.swarm_info(raw.swarm, node_models),
        nodes=node_models,
        services=_with_health(service_models(raw) if models is None else models, raw, taken_at, crash_thresholds),
        tasks=tasks,
        taken_at=taken_at,
    )


def _with_health(models: tuple[Service, ...], raw: RawSwarm, now: datetime,
                 crash_thresholds: health.Thresholds) -> tuple[Service, ...]:
    if not raw.histories:
        return models
    names, hosts = service_names(raw.services), hostnames(raw.nodes)
    return tuple(replace(s, failing=health.failing(s, convert.tasks(raw.histories[s.id], names, hosts), now, crash_thresholds))
                 if s.id in raw.histories else s for s in models)
