"""The release flow as one callable bound to a manager: what the TUI's release dialog is handed.

`release_runner(docker_host)` returns `run(service, context, tag, registry, build_args, on_event)`,
which opens its own SwarmClient (it runs in a worker thread), releases, closes the client and
returns the ReleaseResult (or raises ReleaseError / ClusterError before the service is touched).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from swarmtui.cluster.models import UpdatePolicy

if TYPE_CHECKING:
    from swarmtui.cluster.endpoint import Endpoint
from swarmtui.release.events import OnEvent, ReleaseResult
from swarmtui.release.rollout import RELEASE_POLICY

ReleaseRunner = Callable[[str, str, str, "str | None", "dict[str, str]", OnEvent], ReleaseResult]


def release_runner(docker_host: "Endpoint | str | None", policy: UpdatePolicy = RELEASE_POLICY, timeout: float = 300.0) -> ReleaseRunner:
    def run(service: str, context: str | Path, tag: str, registry: str | None, build_args: dict[str, str], on_event: OnEvent) -> ReleaseResult:
        from swarmtui.cluster.client import SwarmClient
        from swarmtui.release.flow import release

        with SwarmClient(docker_host, timeout=120) as swarm:
            return release(swarm, service, context, tag, registry=registry, build_args=build_args,
                           policy=policy, on_event=on_event, timeout=timeout)

    return run
