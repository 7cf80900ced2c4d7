"""Where SwarmApp's data comes from and where its changes go: factories it is given.

`live(settings)` builds the real ones (the Engine API, its event feed, `docker service logs`,
Redis, SSH for bootstrap, the image builder for release); nothing connects until the app calls
a factory.  Tests replace the ones they record, through the same constructor argument, so the app
carries no test-only seams: `SwarmApp(settings, sources=replace(live(settings), swarm=...))`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol

if TYPE_CHECKING:
    from swarmtui.cluster.client import SwarmClient
    from swarmtui.config import Settings
    from swarmtui.ui.log_scope import LogScope
    from swarmtui.queue.monitor import QueueMonitor


class FeedSource(Protocol):
    """What the app uses of swarmtui.cluster.feed.Feed: signals come through the callback it was made with."""

    last_error: str

    def start(self) -> "FeedSource": ...
    def watch(self, services: Iterable[str] = (), nodes: Iterable[str] = ()) -> None: ...
    def stop(self) -> None: ...


class LogSource(Protocol):
    """What the app uses of swarmtui.cluster.logs.LogStream: lines come through the on_batch callback."""

    def start(self) -> Any: ...
    def close(self) -> None: ...


OnBatch = Callable[[list], "bool | None"]


@dataclass(frozen=True)
class Sources:
    swarm: Callable[[], "SwarmClient"]  # a new client (the app pools them, one per worker call)
    feed: Callable[[Callable[[Any], None]], FeedSource]  # on_signal -> an unstarted feed
    # (scope: every service, one service, task or node; tail; on_batch; service filters e.g. one stack's
    # label or None; since: seconds back or None) -> unstarted
    log_stream: Callable[["LogScope", "int | str", OnBatch, "dict | None", "int | None"], LogSource]
    queue: Callable[[], "QueueMonitor"]  # the Redis work-queue monitor (it connects lazily)
    bootstrap: Callable[[], Any]  # -> a bootstrap Engine (swarmtui.bootstrap.engine)
    release: Callable[[], Callable[..., Any]]  # -> a release runner (swarmtui.release.runner)
    # (on_alert, autoscaler, rules or None) -> an unstarted swarmtui.alerts.watch.Watcher, fed the app's
    # snapshots (Watcher.observe); None: no alert rules
    watcher: Callable[[Callable[[Any], None], Any, Any], Any] | None = None
    # (manager_node: () -> hostname of the node the manager connection reaches) -> a cluster.stats
    # StatsPoller of the nodes' engines (ssh or the local socket); None: no CPU/memory column figures
    usage: Callable[[Callable[[], "str | None"]], Any] | None = None


def live(settings: "Settings", endpoint=None) -> Sources:
    """The real sources, at `endpoint` (default: the settings' resolved one; failover passes another)."""
    from swarmtui.cluster.client import SwarmClient
    from swarmtui.cluster.feed import Feed
    from swarmtui.cluster.logs import LogStream
    from swarmtui.queue.monitor import QueueMonitor

    endpoint = endpoint or settings.endpoint

    def bootstrap():  # asyncssh and the release builder are imported only when used
        from swarmtui.bootstrap.engine import Engine
        from swarmtui.bootstrap.manager import Manager

        return Engine(lambda: Manager.connect(endpoint))

    def release():
        from swarmtui.release.runner import release_runner

        return release_runner(endpoint)

    def watcher(on_alert, autoscaler, rules=None):  # the same rules and autoscaler as `swarmtui watch`
        from swarmtui.alerts.watch import Watcher

        # fed: the app hands it the snapshots of its own refreshes (no second snapshot every 2 s)
        return Watcher(settings, on_alert=on_alert, autoscaler=autoscaler, endpoint=endpoint, rules=rules, fed=True)

    def usage(manager_node):
        from swarmtui.cluster.stats import NodeEngines, StatsPoller

        return StatsPoller(NodeEngines(endpoint.host, manager_node, settings.nodes))

    return Sources(
        swarm=lambda: SwarmClient(endpoint, max_replicas=settings.max_replicas,
                                  crash_thresholds=settings.alerts.crash_thresholds),  # the watcher's rule too
        feed=lambda on_signal: Feed(endpoint, on_signal=on_signal),
        log_stream=lambda scope, tail, on_batch, filters, since=None: LogStream(
            endpoint, scope.id if scope.kind == "service" else None, on_batch, tail=tail, service_filters=filters,
            task=scope.id if scope.kind == "task" else None, node=scope.id if scope.kind == "node" else None,
            since=since),
        queue=lambda: QueueMonitor(settings.redis_url, settings.queue_keys, settings.queue_links),
        bootstrap=bootstrap,
        release=release,
        watcher=watcher,
        usage=usage,
    )

