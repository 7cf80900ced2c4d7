"""The whole release: build -> push -> rolling update -> completed, or rolled back with the reason."""

from __future__ import annotations

import time
from pathlib import Path

import docker.errors

from swarmtui.cluster import commands
from swarmtui.cluster.errors import first_line
from swarmtui.cluster.models import UpdatePolicy
from swarmtui.release.build import ReleaseError, build, push, target_image
from swarmtui.release.events import OnEvent, ReleaseEvent, ReleaseResult, ignore
from swarmtui.release.rollout import RELEASE_POLICY, ServiceOps, SwarmOps, follow, strip_digest


def release(
    swarm,
    service: str,
    context: Path | str,
    tag: str,
    registry: str | None = None,
    repo: str | None = None,
    build_args: dict[str, str] | None = None,
    policy: UpdatePolicy = RELEASE_POLICY,
    on_event: OnEvent = ignore,
    ops: ServiceOps | None = None,
    timeout: float = 300.0,
) -> ReleaseResult:
    """Build `context` as the service's image at `tag`, push it, roll `service` out to it.

    `swarm` is a SwarmClient of a manager (the build runs on its daemon); `ops`
    defaults to SwarmOps(swarm).  Never raises for a failed rollout: the result's outcome says completed / rolled_back / paused / timeout.
    Raises ReleaseError when build or push fails (the service is then untouched).
    """
    ops = ops or SwarmOps(swarm)
    client = swarm.docker
    t0 = time.monotonic()
    events: list[ReleaseEvent] = []

    def emit(stage: str, message: str, state: str | None = None, cli: str | None = None) -> None:
        event = ReleaseEvent(stage, message, time.monotonic() - t0, state, cli)
        events.append(event)
        on_event(event)

    before = ops.service(service)
    image = target_image(before.image, tag, registry, repo)
    args = dict(build_args or {})
    emit("build", f"building {image} from {context}", cli=commands.build(image, str(context), args))
    try:
        build(client, Path(context), image, args, lambda m: emit("build", m))
        built = time.monotonic()
        emit("push", f"pushing {image}", cli=commands.push(image))
        digest = push(client, image, lambda m: emit("push", m))
    except ReleaseError as exc:
        emit("failed", first_line(exc))
        raise
    except docker.errors.DockerException as exc:  # the daemon refused or went away mid-build
        emit("failed", f"build/push of {image} failed: {exc}")
        raise ReleaseError(f"build/push of {image} failed: {exc}") from exc
    pushed = time.monotonic()
    pinned = f"{image}@{digest}" if digest else image
    result = dict(service=service, image=image, build_seconds=built - t0, push_seconds=pushed - built)

    if before.image == pinned:
        emit("done", f"{service} already runs {image} at this digest; nothing to roll out")
        return ReleaseResult(outcome="unchanged", message="already running this image", running_image=image, events=tuple(events), **result)

    old = strip_digest(before.image)
    cli = ops.update_image(service, pinned, policy)
    emit("update", f"rolling {service} from {old} to {image} (parallelism {policy.parallelism}, monitor {policy.monitor_seconds:g}s, "
         f"failure action {policy.failure_action})", cli=cli)

    def say(line: str, state: str | None) -> None:
        stage = "rollback" if state and state.startswith("rollback") else "update"
        emit(stage, line, state)

    followed = follow(ops, service, pinned, before, say, timeout=timeout)
    rollout_seconds = time.monotonic() - pushed
    if followed.outcome == "completed":
        message = f"{service} now runs {image} ({rollout_seconds:.1f}s rollout)"
        emit("done", message, followed.state)
    else:
        why = "; ".join(followed.task_errors) or followed.message or "no task error recorded"
        if followed.outcome == "rolled_back":
            message = f"update to {image} failed and was rolled back to {followed.running_image}: {why}"
        elif followed.outcome == "paused":
            message = f"update to {image} is paused ({followed.message}): {why}. Inspect with `docker service ps {service}`"
        else:
            message = f"update to {image} did not finish: {followed.message}"
        emit("failed", message, followed.state)
    return ReleaseResult(
        outcome=followed.outcome,
        message=message,
        running_image=followed.running_image,
        task_errors=followed.task_errors,
        rollout_seconds=rollout_seconds,
        events=tuple(events),
        **result,
    )

