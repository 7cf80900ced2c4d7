"""Plain, immutable swarm data: what every layer above the cluster layer sees.

Built from Engine API payloads by convert.py; compared by diff.py; shown by the
widgets.  Times are timezone-aware datetimes (UTC) or None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping


@dataclass(frozen=True)
class SwarmInfo:
    id: str
    managers: int
    workers: int
    heartbeat_seconds: float
    created: datetime | None = None
    task_history_limit: int | None = None


@dataclass(frozen=True)
class Node:
    id: str
    hostname: str
    role: str  # manager | worker
    status: str  # ready | down | unknown | disconnected
    availability: str  # active | pause | drain
    manager_reachability: str | None  # reachable | unreachable | None for workers
    leader: bool
    engine_version: str
    address: str
    cpus: float
    memory_bytes: int
    labels: Mapping[str, str] = field(default_factory=dict)
    running_tasks: int = 0
    version: int = 0  # Spec version index, for read-modify-write

    @property
    def manager_status(self) -> str:
        """As `docker node ls` prints it: Leader, Reachable, Unreachable or empty."""
        if self.role != "manager":
            return ""
        if self.leader:
            return "Leader"
        return (self.manager_reachability or "").capitalize()


@dataclass(frozen=True)
class UpdateStatus:
    state: str  # updating | paused | completed | rollback_started | rollback_paused | rollback_completed
    message: str = ""
    started: datetime | None = None
    completed: datetime | None = None


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    image: str  # without the @sha256 digest
    mode: str  # replicated | global
    replicas_running: int
    replicas_desired: int
    ports: tuple[str, ...] = ()  # "8080->80/tcp"
    network_mode: str = ""  # "host" or the attached network names joined with ","
    update_status: UpdateStatus | None = None
    created: datetime | None = None
    updated: datetime | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    version: int = 0

    @property
    def tag(self) -> str:
        """The image tag ("0.01"), or "latest" when none is given."""
        last = self.image.rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else "latest"

    @property
    def converged(self) -> bool:
        return self.replicas_running == self.replicas_desired


@dataclass(frozen=True)
class Task:
    id: str
    service_id: str
    service_name: str
    slot: int | None  # None for global services
    node_id: str
    node_hostname: str
    desired_state: str
    state: str  # new, pending, assigned, preparing, starting, running, complete, failed, shutdown, rejected, orphaned ...
    state_since: datetime | None
    error: str = ""
    exit_code: int | None = None
    image: str = ""
    container_id: str = ""

    @property
    def name(self) -> str:
        """`spider.3` like `docker service ps` (global tasks are named after their node)."""
        return f"{self.service_name}.{self.slot if self.slot is not None else self.node_id[:12]}"


@dataclass(frozen=True)
class Snapshot:
    """The whole swarm at one moment. Tasks hold only what was asked for (e.g. one service's)."""

    swarm: SwarmInfo
    nodes: tuple[Node, ...]
    services: tuple[Service, ...]
    tasks: tuple[Task, ...] = ()
    taken_at: datetime | None = None

    def node_by_id(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def service_by_name(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name or s.id == name), None)
