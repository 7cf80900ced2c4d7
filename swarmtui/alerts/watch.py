"""Watcher: feeds the alert rules (and the autoscaler) from the swarm and Redis, on its own threads.

    watcher = Watcher(settings, on_alert=delivery.send).start()
    ...
    watcher.stop()

The swarm's events stream (cluster.feed.Feed) pokes a snapshot at once (a node Down is seen
within the engine's detection time plus one snapshot), and snapshots are also taken every
`swarm_seconds`; crash loops are the snapshot's own (Service.failing, by [alerts]
crash_loop_failures / crash_loop_minutes: the history of unwell services only, as the TUI reads it);
the queue is polled every `queue_seconds` when a Redis URL is set. The same object runs in
`swarmtui watch` and in the TUI.

In the TUI it is `fed`: it takes no snapshot and opens no events stream of its own; the app hands it
each snapshot its own refresh took (`observe`, and `unreachable` when a refresh failed).  The app
refreshes on the same events (a node Down, an update state: as soon as before) and at least every
10 s (crash loops, counted over minutes, are seen within that).  Its own snapshot every 2 s was
the largest part of the TUI's idle CPU at 500 nodes (docs/performance.md).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from swarmtui.alerts.models import Alert
from swarmtui.alerts.rules import Rules
from swarmtui.cluster import health
from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.errors import ClusterError, first_line
from swarmtui.cluster.feed import Feed, Signal
from swarmtui.cluster.models import Snapshot
from swarmtui.queue.models import QUEUE_LABEL, QueueSnapshot
from swarmtui.queue.monitor import QueueMonitor

log = logging.getLogger(__name__)


class Watcher:
    def __init__(
        self,
        settings,
        on_alert: Callable[[Alert], None],
        *,
        swarm_seconds: float = 2.0,
        queue_seconds: float = 1.0,
        queue_window: float = 30.0,
        client_factory: Callable[[], SwarmClient] | None = None,
        autoscaler=None,
        endpoint=None,
        rules: Rules | None = None,
        fed: bool = False,
    ) -> None:
        self.settings = settings
        self.on_alert = on_alert
        # `rules`: the open incidents of the same swarm, kept across a manager failover
        self.rules = rules or Rules(settings.alerts)
        self.endpoint = endpoint or settings.endpoint
        self.swarm_seconds = swarm_seconds
        self.fed = fed  # snapshots come from `observe` (the TUI's refreshes), none of its own
        self.queue_seconds = queue_seconds
        self.autoscaler = autoscaler
        self._client_factory = client_factory or (lambda: SwarmClient(self.endpoint, max_replicas=settings.max_replicas,
                                                                      crash_thresholds=settings.alerts.crash_thresholds))
        if autoscaler is not None:
            autoscaler.attach(self.endpoint)  # its changes go where the watcher looks
        keys = list(settings.queue_keys) + [q for p in settings.autoscale.values() for q in p.queues]
        self.monitor = QueueMonitor(settings.redis_url, tuple(dict.fromkeys(keys)), settings.queue_links,
                                    window=queue_window) if settings.redis_url else None
        self.snapshot: Snapshot | None = None
        self.queue: QueueSnapshot | None = None
        self.history: list[Alert] = []
        self._poke = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._feed: Feed | None = None

    # ---- public ----------------------------------------------------------------------
    def start(self) -> "Watcher":
        if not self.fed:
            self._feed = Feed(self.endpoint, self._on_signal).start()
            self._spawn(self._swarm_loop, "swarm")
        if self.monitor is not None:
            self._spawn(self._queue_loop, "queue")
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._poke.set()
        if self._feed is not None:
            self._feed.stop(timeout)
        for thread in self._threads:
            thread.join(timeout)
        if self.monitor is not None:
            self.monitor.close()

    # ---- plumbing --------------------------------------------------------------------
    def _spawn(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=f"swarmtui-watch-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _on_signal(self, signal: Signal) -> None:
        if signal.nodes or signal.services or signal.node_states:
            self._poke.set()

    def _emit(self, alerts: list[Alert]) -> None:
        for alert in alerts:
            self.history.append(alert)
            try:
                self.on_alert(alert)
            except Exception:  # a consumer's bug must not stop the rules
                log.exception("alert consumer failed")

    def links(self) -> dict[str, str]:
        """Queue key -> the service consuming it: config, service labels, autoscaling policies."""
        out = {q: name for name, p in self.settings.autoscale.items() for q in p.queues}
        if self.snapshot is not None:
            out.update({s.labels[QUEUE_LABEL]: s.name for s in self.snapshot.services if s.labels.get(QUEUE_LABEL)})
        out.update(self.settings.queue_links)
        return out

    def observe(self, snapshot: Snapshot, now: float | None = None) -> None:
        """The rules see a snapshot of the swarm (their own loop's, or one the TUI took in its refresh
        worker: a bug in a rule is logged, never raised into the caller's refresh)."""
        self.snapshot = snapshot
        try:
            alerts = self.rules.observe_swarm(snapshot, time.time() if now is None else now)
        except Exception:  # logged; the snapshot is still the caller's
            log.exception("alert rules failed on a snapshot")
            return
        self._emit(alerts)

    def unreachable(self, exc: ClusterError, now: float | None = None) -> None:
        """A snapshot could not be taken."""
        self._emit(self.rules.swarm_unreachable(first_line(exc), time.time() if now is None else now))

    def replicas(self) -> dict[str, int]:
        return {s.name: s.replicas_running for s in self.snapshot.services} if self.snapshot else {}

    # ---- loops -------------------------------------------------------------------------
    def _swarm_loop(self) -> None:
        client = self._client_factory()
        try:
            while not self._stopping.is_set():
                self._poke.wait(self.swarm_seconds)
                self._poke.clear()
                if self._stopping.is_set():
                    break
                now = time.time()
                try:
                    snapshot = client.snapshot(recheck=health.recheck(self.snapshot.services) if self.snapshot else ())
                except ClusterError as exc:
                    self.unreachable(exc, now)
                    continue
                self.observe(snapshot, now)
        finally:
            client.close()

    def _queue_loop(self) -> None:
        assert self.monitor is not None
        while not self._stopping.wait(self.queue_seconds):
            snap = self.monitor.poll()
            self.queue = snap
            self._emit(self.rules.observe_queue(snap, self.replicas(), time.time(), self.links()))
            if self.autoscaler is not None and self.snapshot is not None:
                try:
                    self.autoscaler.tick(self.snapshot, snap, time.time())
                except Exception:  # logged; the alerts keep running
                    log.exception("autoscaler tick failed")
