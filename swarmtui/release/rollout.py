"""Roll a service out to a new image and follow it until the swarm says it is done.

The swarm does the work: the update config says "replace one task at a time,
watch each new task for `monitor` seconds, and if one fails roll the whole
service back by itself" (failure_action=rollback).  We only start it and read
UpdateStatus + tasks until a final state.

`ServiceOps` is the narrow seam to the Docker Engine; `DockerServiceOps` fills
it with docker-py.  Everything else here is plain logic over plain data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Protocol

NS = 1_000_000_000
FINAL_STATES = {"completed", "rollback_completed", "paused", "rollback_paused"}
OUTCOME_OF_STATE = {
    "completed": "completed",
    "rollback_completed": "rolled_back",
    "paused": "paused",
    "rollback_paused": "paused",
}


@dataclass(frozen=True)
class UpdatePolicy:
    """Every field of the engine's UpdateConfig, so no docker-py default sneaks in."""

    parallelism: int = 1
    delay: float = 2.0  # seconds between batches
    failure_action: str = "rollback"  # rollback | pause | continue
    monitor: float = 5.0  # seconds each new task must survive
    max_failure_ratio: float = 0.0
    order: str = "start-first"  # start-first | stop-first

    def update_config(self) -> dict:
        return {
            "Parallelism": self.parallelism,
            "Delay": int(self.delay * NS),
            "FailureAction": self.failure_action,
            "Monitor": int(self.monitor * NS),
            "MaxFailureRatio": self.max_failure_ratio,
            "Order": self.order,
        }

    def rollback_config(self) -> dict:
        # Rolling back must not itself roll back: pause so a person looks.
        return {
            "Parallelism": self.parallelism,
            "Delay": 0,
            "FailureAction": "pause",
            "Monitor": int(self.monitor * NS),
            "MaxFailureRatio": self.max_failure_ratio,
            "Order": self.order,
        }

    def cli(self, service: str, image: str) -> str:
        return (
            f"docker service update --image {image} --update-parallelism {self.parallelism} "
            f"--update-delay {self.delay:g}s --update-failure-action {self.failure_action} "
            f"--update-monitor {self.monitor:g}s --update-max-failure-ratio {self.max_failure_ratio:g} "
            f"--update-order {self.order} --rollback-parallelism {self.parallelism} "
            f"--rollback-failure-action pause --rollback-monitor {self.monitor:g}s {service}"
        )


@dataclass(frozen=True)
class ServiceView:
    """What following an update needs to know about a service at one moment."""

    name: str
    image: str  # the spec's image, as stored (may carry @sha256:...)
    replicas: int | None
    update_state: str | None
    update_message: str
    update_started: str | None  # the engine's timestamp string; changes when a new update starts


@dataclass(frozen=True)
class TaskView:
    id: str
    slot: int | None
    node: str
    image: str
    state: str
    desired_state: str
    error: str
    exit_code: int | None


class ServiceOps(Protocol):
    def service(self, name: str) -> ServiceView: ...

    def update_image(self, name: str, image: str, policy: UpdatePolicy) -> None: ...

    def tasks(self, name: str) -> list[TaskView]: ...


def strip_digest(image: str) -> str:
    return image.split("@", 1)[0]


# ---------------------------------------------------------------- pure logic
def progress_line(view: ServiceView, tasks: list[TaskView], image: str) -> str:
    """'2/3 tasks on spider:0.02 running (updating)'."""
    target = strip_digest(image)
    running_new = sum(1 for t in tasks if t.state == "running" and t.desired_state == "running" and strip_digest(t.image) == target)
    want = view.replicas if view.replicas is not None else "?"
    short = target.rsplit("/", 1)[-1]
    return f"{running_new}/{want} tasks on {short} running ({view.update_state or 'starting'})"


def failure_reasons(tasks: list[TaskView], image: str) -> list[str]:
    """Why tasks of `image` failed, one line per distinct error, most frequent first."""
    target = strip_digest(image)
    counts: dict[str, int] = {}
    for t in tasks:
        if strip_digest(t.image) != target or t.state not in ("failed", "rejected", "orphaned"):
            continue
        why = t.error or t.state
        if t.exit_code not in (None, 0) and "exit" not in why:
            why = f"{why} (exit code {t.exit_code})"
        counts[why] = counts.get(why, 0) + 1
    return [f"{n}x {why}" if n > 1 else why for why, n in sorted(counts.items(), key=lambda kv: -kv[1])]


@dataclass(frozen=True)
class FollowResult:
    outcome: str  # completed | rolled_back | paused | timeout | unchanged
    state: str | None
    message: str
    task_errors: tuple[str, ...]
    running_image: str
    seconds: float


def follow(
    ops: ServiceOps,
    name: str,
    image: str,
    before: ServiceView,
    say: Callable[[str, str | None], None],
    timeout: float = 300.0,
    poll: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> FollowResult:
    """Poll until the update that started after `before` reaches a final state."""
    started = clock()
    last_line = ""
    errors: list[str] = []
    rollback_reason = ""  # the engine's "update rolled back due to failure ... of task X"
    view = before
    while clock() - started < timeout:
        view = ops.service(name)
        tasks = ops.tasks(name)
        errors = failure_reasons(tasks, image) or errors
        new_update = view.update_started is not None and view.update_started != before.update_started
        state = view.update_state if new_update else None
        if state == "rollback_started" and view.update_message:
            rollback_reason = view.update_message
        line = progress_line(view, tasks, image) if state in (None, "updating") else f"{state}: {view.update_message}"
        if line != last_line:
            say(line, state)
            last_line = line
        if state in FINAL_STATES:
            message = f"{rollback_reason}; {view.update_message}" if rollback_reason else view.update_message
            return FollowResult(OUTCOME_OF_STATE[state], state, message, tuple(errors), strip_digest(view.image), clock() - started)
        sleep(poll)
    return FollowResult("timeout", view.update_state, f"no final update state within {timeout:.0f}s (last: {view.update_state})", tuple(errors), strip_digest(view.image), clock() - started)


# ---------------------------------------------------------------- docker-py
def _task_view(t: dict) -> TaskView:
    status = t.get("Status") or {}
    cstatus = status.get("ContainerStatus") or {}
    return TaskView(
        id=t.get("ID", ""),
        slot=t.get("Slot"),
        node=t.get("NodeID", ""),
        image=((t.get("Spec") or {}).get("ContainerSpec") or {}).get("Image", ""),
        state=status.get("State", ""),
        desired_state=t.get("DesiredState", ""),
        error=status.get("Err", ""),
        exit_code=cstatus.get("ExitCode"),
    )


class DockerServiceOps:
    """ServiceOps over a docker.DockerClient of a swarm manager."""

    def __init__(self, client):
        self.client = client

    def service(self, name: str) -> ServiceView:
        attrs = self.client.api.inspect_service(name)
        spec = attrs["Spec"]
        status = attrs.get("UpdateStatus") or {}
        replicated = (spec.get("Mode") or {}).get("Replicated")
        return ServiceView(
            name=spec.get("Name", name),
            image=spec["TaskTemplate"]["ContainerSpec"]["Image"],
            replicas=replicated.get("Replicas") if replicated else None,
            update_state=status.get("State"),
            update_message=status.get("Message", ""),
            update_started=status.get("StartedAt"),
        )

    def update_image(self, name: str, image: str, policy: UpdatePolicy) -> None:
        service = self.client.services.get(name)
        service.update(image=image, update_config=policy.update_config(), rollback_config=policy.rollback_config())

    def tasks(self, name: str) -> list[TaskView]:
        return [_task_view(t) for t in self.client.api.tasks(filters={"service": name})]
