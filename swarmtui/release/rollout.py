"""Roll a service out to a new image and follow it until the swarm says it is done.

The swarm does the work: the update config says "replace one task at a time,
watch each new task for `monitor` seconds, and if one fails roll the whole
service back by itself" (failure_action=rollback).  We only start it and read
UpdateStatus + tasks until a final state.

`ServiceOps` is the narrow seam to the swarm; `SwarmOps` fills it with the
cluster layer's SwarmClient.  Everything else here is plain logic over plain data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Protocol

from swarmtui.cluster.models import UpdatePolicy

FINAL_STATES = {"completed", "rollback_completed", "paused", "rollback_paused"}
OUTCOME_OF_STATE = {
    "completed": "completed",
    "rollback_completed": "rolled_back",
    "paused": "paused",
    "rollback_paused": "paused",
}


# What a release asks of the swarm: one task at a time, the new one must survive
# `monitor` seconds, and any failure rolls the whole service back by itself.
RELEASE_POLICY = UpdatePolicy(parallelism=1, delay_seconds=2.0, failure_action="rollback", order="start-first", monitor_seconds=5.0)


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

    def update_image(self, name: str, image: str, policy: UpdatePolicy) -> str:
        """Start the rolling update; returns the equivalent docker CLI command."""

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
    return FollowResult("timeout", view.update_state, f"no final update state within {timeout:.0f}s (last: {view.update_state})",
                        tuple(errors), strip_digest(view.image), clock() - started)


# ---------------------------------------------------------------- the cluster layer
class SwarmOps:
    """ServiceOps over the cluster layer's SwarmClient."""

    def __init__(self, swarm):
        self.swarm = swarm

    def service(self, name: str) -> ServiceView:
        svc = self.swarm.service(name)
        status = svc.update_status
        # The model drops the digest; "is this exact build already running?" needs it.
        spec_image = self.swarm.api.inspect_service(svc.id)["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"]
        return ServiceView(
            name=svc.name,
            image=spec_image,
            replicas=svc.replicas_desired if svc.mode == "replicated" else None,
            update_state=status.state if status else None,
            update_message=status.message if status else "",
            update_started=status.started.isoformat() if status and status.started else None,
        )

    def update_image(self, name: str, image: str, policy: UpdatePolicy) -> str:
        return self.swarm.update_image(name, image, policy).cli

    def tasks(self, name: str) -> list[TaskView]:
        return [
            TaskView(id=t.id, slot=t.slot, node=t.node_hostname, image=t.image, state=t.state,
                     desired_state=t.desired_state, error=t.error, exit_code=t.exit_code)
            for t in self.swarm.tasks(name, history=True)
        ]
