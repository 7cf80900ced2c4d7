"""Plain, immutable swarm data: what every layer above the cluster layer sees.

Built from Engine API payloads by convert.py and assemble.py; narrated by narrate.py;
shown by the widgets.  Times are timezone-aware datetimes (UTC) or None.
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
class Resources:
    """CPUs and memory, as a task reserves or is limited to (0 = nothing asked)."""

    cpus: float = 0.0
    memory_bytes: int = 0

    def __add__(self, other: "Resources") -> "Resources":
        return Resources(self.cpus + other.cpus, self.memory_bytes + other.memory_bytes)


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
    # what the tasks placed on it ask for (cluster/capacity.py), against cpus / memory_bytes
    reserved: Resources = Resources()
    limits: Resources = Resources()

    @property
    def manager_status(self) -> str:
        """As `docker node ls` prints it: Leader, Reachable, Unreachable or empty."""
        if self.role != "manager":
            return ""
        if self.leader:
            return "Leader"
        return (self.manager_reachability or "").capitalize()


@dataclass(frozen=True)
class Failing:
    """A crash loop: `count` tasks of a service failed (or were rejected) since `first` (cluster/health.py)."""

    count: int
    first: datetime | None
    last: datetime | None
    exit_code: int | None = None  # the latest failure's, None when rejected before running
    error: str = ""  # the latest failure's error, in the engine's words
    state: str = "failed"  # failed | rejected (the latest failure's)


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
    failing: Failing | None = None  # a crash loop seen in its recent task history

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
    message: str = ""  # the engine's word for the state ("started", "pending task scheduling")
    created: datetime | None = None
    reserved: Resources = Resources()
    limits: Resources = Resources()

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


# ---- added by the cluster layer for operations (no renames above) ----------------
@dataclass(frozen=True)
class UpdatePolicy:
    """Every field of a service's UpdateConfig; swarmtui always sends all of them.

    Defaults are the engine's own (docker-py's UpdateConfig() defaults differ:
    parallelism 0 = all at once and failure action "continue").
    """

    parallelism: int = 1
    delay_seconds: float = 0.0
    failure_action: str = "pause"  # continue | pause | rollback
    order: str = "stop-first"  # stop-first | start-first
    monitor_seconds: float = 5.0
    max_failure_ratio: float = 0.0


@dataclass(frozen=True)
class OperationResult:
    """What an operation did, in words, and the docker CLI command that does the same."""

    action: str  # "scale", "update", "drain" ...
    target: str  # service name or node hostname
    summary: str  # "spider scaled 3 → 5"
    cli: str  # "docker service scale spider=5" (never contains a join token)
    changed: bool = True
    target_id: str = ""


@dataclass(frozen=True)
class JoinTokens:
    """What a new node needs to join. Tokens are secrets: kept out of repr()."""

    manager_addresses: tuple[str, ...]
    worker_token: str = field(repr=False, default="")
    manager_token: str = field(repr=False, default="")

    def token(self, role: str) -> str:
        return self.manager_token if role == "manager" else self.worker_token

    def join_command(self, role: str = "worker", masked: bool = True) -> str:
        token = self.token(role)
        shown = mask_token(token) if masked else token
        return f"docker swarm join --token {shown} {self.manager_addresses[0] if self.manager_addresses else 'MANAGER:2377'}"


def mask_token(token: str) -> str:
    """"SWMTKN-1-abc...-def..." → "SWMTKN-1-****" (safe to show or log)."""
    return "SWMTKN-1-****" if token else ""


# ---- stacks, secrets and configs (added for stacks; no renames above) ----------------
STACK_LABEL = "com.docker.stack.namespace"  # what `docker stack deploy` labels everything it makes with


@dataclass(frozen=True)
class Stack:
    """Services sharing a `com.docker.stack.namespace` label, with their summed replica counts."""

    name: str
    services: tuple[Service, ...]

    @property
    def replicas_running(self) -> int:
        return sum(s.replicas_running for s in self.services)

    @property
    def replicas_desired(self) -> int:
        return sum(s.replicas_desired for s in self.services)

    @property
    def images(self) -> tuple[str, ...]:
        return tuple(sorted({s.image for s in self.services}))

    @property
    def updating_services(self) -> tuple[str, ...]:
        """Services whose rolling update (or rollback) is under way."""
        return tuple(s.name for s in self.services if s.update_status and s.update_status.state in ("updating", "rollback_started"))

    @property
    def failing_services(self) -> tuple[str, ...]:
        """Services in a crash loop, or whose last update paused or rolled back."""
        return tuple(s.name for s in self.services if s.failing is not None or (
            s.update_status and s.update_status.state in ("paused", "rollback_paused", "rollback_completed")))

    @property
    def state(self) -> str:
        """One word for the stacks view: updating, failing, converging or running."""
        if self.updating_services:
            return "updating"
        if self.failing_services:
            return "failing"
        if self.replicas_running < self.replicas_desired:
            return "converging"
        return "running"


@dataclass(frozen=True)
class ObjectUse:
    """One service's reference to a secret or config: where its tasks see it."""

    service_id: str
    service_name: str
    target: str  # file name (/run/secrets/<target> for secrets) or "(runtime)" for a config credential spec


@dataclass(frozen=True)
class SwarmObject:
    """A secret or a config (kind says which).  Never carries secret data."""

    kind: str  # secret | config
    id: str
    name: str
    created: datetime | None
    updated: datetime | None
    labels: Mapping[str, str] = field(default_factory=dict)
    used_by: tuple[ObjectUse, ...] = ()
    version: int = 0

    @property
    def stack(self) -> str:
        return self.labels.get(STACK_LABEL, "")


@dataclass(frozen=True)
class StackContents:
    """Everything `stack rm NAME` removes (names), found by the stack label."""

    name: str
    services: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    configs: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.services or self.networks or self.secrets or self.configs)

    def lines(self) -> list[str]:
        return [f"{kind}: {', '.join(names)}" for kind, names in
                (("services", self.services), ("networks", self.networks), ("secrets", self.secrets), ("configs", self.configs)) if names]


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log line of one task. `timestamp` is the engine's RFC 3339 string (UTC, nanoseconds,
    fixed width, so it sorts as text); `slot` is None for global services."""

    task_id: str
    service: str
    slot: int | None
    node: str
    timestamp: str
    text: str

    @property
    def replica(self) -> str:
        """`service.slot@node` (global services: `service@node`)."""
        if self.slot is None:
            return f"{self.service}@{self.node}"
        return f"{self.service}.{self.slot}@{self.node}"
