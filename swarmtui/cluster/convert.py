"""Pure conversion of Engine API payloads (dicts from docker-py's APIClient) into models.

No I/O here: every function takes what the API returned and gives back frozen
models, so it is unit-tested on payloads captured from the lab
(tests/unit/fixtures/cluster_*.json).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from swarmtui.cluster.models import Node, Resources, Service, SwarmInfo, Task, UpdateStatus

NS_PER_SECOND = 1_000_000_000


def parse_time(value: str | None) -> datetime | None:
    """Engine timestamps ("2026-11-26T23:46:15.337026618Z") → aware UTC datetimes; Go's zero time
    or anything unreadable → None.  fromisoformat (3.11+ reads "Z" and drops digits past the
    microsecond) is 50x faster than strptime: 800 timestamps per refresh at 200 services."""
    if not value or value.startswith("0001-01-01"):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=parsed.tzinfo or timezone.utc).astimezone(timezone.utc)


def strip_digest(image: str) -> str:
    """"reg:8003/spider:0.01@sha256:..." → "reg:8003/spider:0.01"."""
    return image.split("@", 1)[0]


def _labels(value: Mapping[str, str] | None) -> dict[str, str]:
    return dict(value or {})


# ---- swarm ------------------------------------------------------------------------
def swarm_info(attrs: Mapping[str, Any], nodes: Iterable[Node]) -> SwarmInfo:
    spec = attrs.get("Spec") or {}
    nodes = tuple(nodes)
    heartbeat = (spec.get("Dispatcher") or {}).get("HeartbeatPeriod") or 5 * NS_PER_SECOND
    return SwarmInfo(
        id=attrs.get("ID", ""),
        managers=sum(1 for n in nodes if n.role == "manager"),
        workers=sum(1 for n in nodes if n.role == "worker"),
        heartbeat_seconds=heartbeat / NS_PER_SECOND,
        created=parse_time(attrs.get("CreatedAt")),
        task_history_limit=(spec.get("Orchestration") or {}).get("TaskHistoryRetentionLimit"),
    )


# ---- nodes ------------------------------------------------------------------------
def node_address(attrs: Mapping[str, Any]) -> str:
    """Status.Addr, or the manager's advertised address when the engine reports 0.0.0.0."""
    addr = (attrs.get("Status") or {}).get("Addr", "")
    if addr in ("", "0.0.0.0"):
        manager_addr = (attrs.get("ManagerStatus") or {}).get("Addr", "")
        if manager_addr:
            return manager_addr.rsplit(":", 1)[0]
    return addr


def node(attrs: Mapping[str, Any], running_tasks: int = 0,
         placed: tuple[Resources, Resources] = (Resources(), Resources())) -> Node:
    """`placed`: the reservations and limits of the tasks on it (see placed_resources)."""
    spec = attrs.get("Spec") or {}
    desc = attrs.get("Description") or {}
    resources = desc.get("Resources") or {}
    manager = attrs.get("ManagerStatus")
    return Node(
        id=attrs["ID"],
        hostname=desc.get("Hostname", ""),
        role=spec.get("Role", ""),
        status=(attrs.get("Status") or {}).get("State", "unknown"),
        availability=spec.get("Availability", ""),
        manager_reachability=manager.get("Reachability") if manager else None,
        leader=bool(manager and manager.get("Leader")),
        engine_version=(desc.get("Engine") or {}).get("EngineVersion", ""),
        address=node_address(attrs),
        cpus=(resources.get("NanoCPUs") or 0) / NS_PER_SECOND,
        memory_bytes=resources.get("MemoryBytes") or 0,
        labels=_labels(spec.get("Labels")),
        running_tasks=running_tasks,
        version=(attrs.get("Version") or {}).get("Index", 0),
        reserved=placed[0],
        limits=placed[1],
    )


def resources(raw: Mapping[str, Any] | None) -> Resources:
    """A Resources block of a task spec ({"NanoCPUs": ..., "MemoryBytes": ...})."""
    raw = raw or {}
    return Resources((raw.get("NanoCPUs") or 0) / NS_PER_SECOND, raw.get("MemoryBytes") or 0)


def task_resources(attrs: Mapping[str, Any]) -> tuple[Resources, Resources]:
    """(reservations, limits) a task asked for."""
    spec = ((attrs.get("Spec") or {}).get("Resources")) or {}
    return resources(spec.get("Reservations")), resources(spec.get("Limits"))


def placed_resources(tasks: Iterable[Mapping[str, Any]]) -> dict[str, tuple[Resources, Resources]]:
    """Node ID → the summed (reservations, limits) of the tasks placed there and still wanted
    (a desired-state=running/ready listing), as the scheduler counts them against the node."""
    out: dict[str, tuple[Resources, Resources]] = {}
    for t in tasks:
        node_id = t.get("NodeID")
        if not node_id or t.get("DesiredState") not in ("running", "ready"):
            continue
        asked = (t.get("Spec") or {}).get("Resources")
        if not asked or not (asked.get("Reservations") or asked.get("Limits")):
            continue  # most tasks ask for nothing: no Resources to add up (10,000 tasks: 0.15 s less)
        reserved, limits = task_resources(t)
        before = out.get(node_id, (Resources(), Resources()))
        out[node_id] = (before[0] + reserved, before[1] + limits)
    return out


def running_counts(tasks: Iterable[Mapping[str, Any]]) -> Counter:
    """Node ID → number of tasks actually running there (from a desired-state=running task list)."""
    return Counter(
        t.get("NodeID")
        for t in tasks
        if (t.get("Status") or {}).get("State") == "running" and t.get("NodeID")
    )


# ---- services ---------------------------------------------------------------------
def service_mode(spec: Mapping[str, Any]) -> str:
    mode = spec.get("Mode") or {}
    for key, name in (("Replicated", "replicated"), ("Global", "global"),
                      ("ReplicatedJob", "replicated-job"), ("GlobalJob", "global-job")):
        if key in mode:
            return name
    return "replicated"


def ports(attrs: Mapping[str, Any]) -> tuple[str, ...]:
    endpoint = attrs.get("Endpoint") or {}
    raw = endpoint.get("Ports") or (endpoint.get("Spec") or {}).get("Ports") or ()
    out = []
    for p in raw:
        published = p.get("PublishedPort")
        target = p.get("TargetPort")
        proto = p.get("Protocol", "tcp")
        out.append(f"{published}->{target}/{proto}" if published else f"{target}/{proto}")
    return tuple(out)


def network_mode(spec: Mapping[str, Any], network_names: Mapping[str, str] | None = None) -> str:
    """"host", or the attached network names joined with "," ("" when none)."""
    template = spec.get("TaskTemplate") or {}
    attached = template.get("Networks") or spec.get("Networks") or ()
    names = network_names or {}
    return ",".join(names.get(n.get("Target", ""), n.get("Target", "")) for n in attached)


def update_status(raw: Mapping[str, Any] | None) -> UpdateStatus | None:
    if not raw or not raw.get("State"):
        return None
    return UpdateStatus(
        state=raw["State"],
        message=raw.get("Message", ""),
        started=parse_time(raw.get("StartedAt")),
        completed=parse_time(raw.get("CompletedAt")),
    )


def running_on_lost_nodes(tasks: Iterable[Mapping[str, Any]], nodes: Iterable[Mapping[str, Any]]) -> Counter:
    """Per service ID, tasks still reported running on a node that is Down.

    The engine keeps counting them in ServiceStatus.RunningTasks ("4/3" during a failover,
    as `docker service ls` shows) although nothing can be known to run there."""
    lost = {n["ID"] for n in nodes if (n.get("Status") or {}).get("State") != "ready"}
    return Counter(t.get("ServiceID") for t in tasks
                   if t.get("NodeID") in lost and (t.get("Status") or {}).get("State") == "running")


def service(attrs: Mapping[str, Any], network_names: Mapping[str, str] | None = None, lost: int = 0) -> Service:
    """`lost`: running tasks on Down nodes, not counted as running (see running_on_lost_nodes)."""
    spec = attrs.get("Spec") or {}
    mode = service_mode(spec)
    status = attrs.get("ServiceStatus") or {}
    desired = status.get("DesiredTasks")
    if desired is None:
        desired = ((spec.get("Mode") or {}).get("Replicated") or {}).get("Replicas", 0)
    container = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
    return Service(
        id=attrs["ID"],
        name=spec.get("Name", ""),
        image=strip_digest(container.get("Image", "")),
        mode=mode,
        replicas_running=max(0, status.get("RunningTasks", 0) - lost),
        replicas_desired=desired,
        ports=ports(attrs),
        network_mode=network_mode(spec, network_names),
        update_status=update_status(attrs.get("UpdateStatus")),
        created=parse_time(attrs.get("CreatedAt")),
        updated=parse_time(attrs.get("UpdatedAt")),
        labels=_labels(spec.get("Labels")),
        version=(attrs.get("Version") or {}).get("Index", 0),
    )


def network_names(networks: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Network ID → name, from a network list (the services only carry IDs)."""
    return {n["Id"]: n.get("Name", n["Id"]) for n in networks if "Id" in n}


# ---- tasks ------------------------------------------------------------------------
def task(attrs: Mapping[str, Any], service_names: Mapping[str, str], node_names: Mapping[str, str]) -> Task:
    status = attrs.get("Status") or {}
    container = status.get("ContainerStatus") or {}
    exit_code = container.get("ExitCode")
    state = status.get("State", "")
    service_id = attrs.get("ServiceID", "")
    node_id = attrs.get("NodeID", "")
    reserved, limits = task_resources(attrs)
    return Task(
        id=attrs["ID"],
        service_id=service_id,
        service_name=service_names.get(service_id, service_id[:12]),
        slot=attrs.get("Slot") or None,
        node_id=node_id,
        node_hostname=node_names.get(node_id, node_id[:12]),
        desired_state=attrs.get("DesiredState", ""),
        state=state,
        state_since=parse_time(status.get("Timestamp")),
        error=status.get("Err", ""),
        # -1 (or 0) while running means "no exit yet"
        exit_code=exit_code if state not in ("running", "new", "pending", "assigned", "preparing", "starting")
        and exit_code is not None and exit_code >= 0 else None,
        image=strip_digest(((attrs.get("Spec") or {}).get("ContainerSpec") or {}).get("Image", "")),
        container_id=container.get("ContainerID", ""),
        message=status.get("Message", ""),
        created=parse_time(attrs.get("CreatedAt")),
        reserved=reserved,
        limits=limits,
    )


def tasks(raw: Iterable[Mapping[str, Any]], service_names: Mapping[str, str], node_names: Mapping[str, str]) -> tuple[Task, ...]:
    """Tasks sorted like `docker service ps`: service, slot (or node), newest first within a slot."""
    out = [task(t, service_names, node_names) for t in raw]
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    # a global service's tasks have no slot: its node stands for one
    out.sort(key=lambda t: (t.service_name, t.slot if t.slot is not None else 0, "" if t.slot is not None else t.node_hostname,
                            -(t.state_since or epoch).timestamp()))
    return tuple(out)
