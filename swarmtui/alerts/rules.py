"""The alert rules: observations in, alerts out (pure; no Docker, no Redis, no clock of its own).

    rules = Rules(AlertSettings())
    rules.observe_swarm(snapshot, now)        # nodes, managers, update states, crash loops (Service.failing)
    rules.observe_queue(queue_snapshot, replicas_by_service, now)
    rules.swarm_unreachable("cannot reach ...", now)

Each call returns the alerts it raised. An incident (a node down, a service crash-looping ...)
raises one alert when it starts and one "resolved" alert when it ends, however many snapshots,
task restarts or polls happen in between; a worsening incident (quorum at risk → lost) raises
again at its new severity.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

import humanize

from swarmtui.alerts.models import Alert
from swarmtui.alerts.settings import AlertSettings
from swarmtui.cluster.health import describe
from swarmtui.cluster.models import Snapshot
from swarmtui.queue.models import KeyStats, QueueSnapshot

RANK = {"info": 0, "warning": 1, "critical": 2}
NODE_LOST = ("down", "disconnected")
ROLLBACK = ("rollback_started", "rollback_paused", "rollback_completed")


def _ago(seconds: float) -> str:
    return humanize.naturaldelta(max(seconds, 0))


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@dataclass
class _Queue:
    """What the rules remember of one queue key between polls."""

    last_backlog: int = 0
    progress_at: float = 0.0  # when it last moved (or started being watched, or replicas came back)
    filled_at: float | None = None  # when it last went from empty to non-empty
    peak: int = 0


@dataclass
class Rules:
    settings: AlertSettings = field(default_factory=AlertSettings)
    open: dict[str, Alert] = field(default_factory=dict)  # incident key -> the alert that opened it
    _update_states: dict[str, str | None] = field(default_factory=dict)
    _queues: dict[str, _Queue] = field(default_factory=dict)

    # ---- incidents ---------------------------------------------------------------------
    def _raise(self, key: str, rule: str, severity: str, obj: str, sentence: str, now: float) -> list[Alert]:
        current = self.open.get(key)
        if current is not None and RANK[severity] <= RANK[current.severity]:
            return []
        alert = Alert(rule, severity, obj, sentence, now, incident=key)
        self.open[key] = alert
        return [alert]

    def _resolve(self, key: str, sentence: str, now: float) -> list[Alert]:
        opened = self.open.pop(key, None)
        if opened is None:
            return []
        return [replace(opened, sentence=sentence, at=now, resolved=True)]

    def _since(self, key: str, now: float) -> str:
        opened = self.open.get(key)
        return _ago(now - opened.at) if opened else "a while"

    # ---- the swarm -----------------------------------------------------------------------
    def swarm_unreachable(self, error: str, now: float) -> list[Alert]:
        if not self.settings.docker_unreachable:
            return []
        return self._raise("docker", "docker_unreachable", "critical", "swarm", f"the swarm API is unreachable: {error}", now)

    def observe_swarm(self, snapshot: Snapshot, now: float) -> list[Alert]:
        out = self._resolve("docker", f"the swarm API answers again (after {self._since('docker', now)})", now)
        if self.settings.node_down:
            out += self._nodes(snapshot, now)
        if self.settings.managers:
            out += self._managers(snapshot, now)
        if self.settings.updates:
            out += self._updates(snapshot, now)
        if self.settings.crash_loop:
            out += self._crash_loops(snapshot, now)
        return out

    def _nodes(self, snapshot: Snapshot, now: float) -> list[Alert]:
        out: list[Alert] = []
        seen = set()
        for node in snapshot.nodes:
            key = f"node_down:{node.id}"
            seen.add(key)
            if node.status in NODE_LOST:
                tasks = f", {_plural(node.running_tasks, 'task')} were on it" if node.running_tasks else ""
                out += self._raise(key, "node_down", "critical", node.hostname, f"{node.hostname} is {node.status} ({node.role}{tasks})", now)
            elif node.status == "ready":
                out += self._resolve(key, f"{node.hostname} is ready again (after {self._since(key, now)})", now)
        for key in [k for k in self.open if k.startswith("node_down:") and k not in seen]:
            out += self._resolve(key, f"{self.open[key].object} left the swarm", now)
        return out

    def _managers(self, snapshot: Snapshot, now: float) -> list[Alert]:
        managers = [n for n in snapshot.nodes if n.role == "manager"]
        lost = [n for n in managers if n.status in NODE_LOST or n.manager_reachability == "unreachable"]
        total, reachable = len(managers), len(managers) - len(lost)
        quorum = total // 2 + 1
        if not lost:
            return self._resolve("managers", f"all {_plural(total, 'manager')} reachable again", now)
        names = ", ".join(n.hostname for n in lost)
        counts = f"{reachable} of {total} managers reachable, quorum needs {quorum}"
        if reachable < quorum:
            return self._raise("managers", "managers", "critical", "swarm",
                               f"quorum lost: {names} unreachable; {counts} — the swarm cannot change anything", now)
        if reachable - 1 < quorum:
            return self._raise("managers", "managers", "critical", "swarm",
                               f"quorum at risk: {names} unreachable; {counts} — losing one more stops the swarm", now)
        return self._raise("managers", "managers", "warning", "swarm", f"manager {names} unreachable; {counts}", now)

    def _updates(self, snapshot: Snapshot, now: float) -> list[Alert]:
        out: list[Alert] = []
        unseen = object()
        for svc in snapshot.services:
            state = svc.update_status.state if svc.update_status else None
            prev = self._update_states.get(svc.id, unseen)
            self._update_states[svc.id] = state
            key = f"updates:{svc.id}"
            why = f": {svc.update_status.message}" if svc.update_status and svc.update_status.message else ""
            if state == prev:
                continue
            if state == "paused":
                out += self._raise(key, "updates", "warning", svc.name, f"update of {svc.name} paused{why}", now)
            elif state == "rollback_paused":
                out += self._raise(key, "updates", "critical", svc.name, f"rollback of {svc.name} paused{why}", now)
            elif state in ROLLBACK and not (prev is unseen and state == "rollback_completed"):
                out += self._raise(key, "updates", "warning", svc.name, f"update of {svc.name} rolled back{why}", now)
            elif state in ("completed", None):
                out += self._resolve(key, f"update of {svc.name} completed", now)
        for sid in set(self._update_states) - {s.id for s in snapshot.services}:
            del self._update_states[sid]
            out += self._resolve(f"updates:{sid}", "the service was removed", now)
        return out

    # ---- crash loops ----------------------------------------------------------------------
    def _crash_loops(self, snapshot: Snapshot, now: float) -> list[Alert]:
        """Service.failing, as cluster/health.py set it in the snapshot: the one crash-loop rule."""
        out: list[Alert] = []
        seen = set()
        for svc in snapshot.services:
            key = f"crash_loop:{svc.id}"
            seen.add(key)
            if svc.failing is not None:
                last = f" (last: {svc.failing.error})" if svc.failing.error else ""
                out += self._raise(key, "crash_loop", "warning", svc.name,
                                   f"{svc.name} is crash-looping — {describe(svc.failing)}{last}", now)
            else:
                out += self._resolve(key, f"{svc.name} is no longer crash-looping (after {self._since(key, now)})", now)
        for key in [k for k in self.open if k.startswith("crash_loop:") and k not in seen]:
            out += self._resolve(key, "the service was removed", now)
        return out

    # ---- the queue ------------------------------------------------------------------------
    def observe_queue(self, snap: QueueSnapshot, replicas: Mapping[str, int], now: float,
                      links: Mapping[str, str] | None = None) -> list[Alert]:
        """A queue poll. `replicas`: running replicas by service name; `links`: key -> service beyond the rows' own."""
        if snap.error:
            if not self.settings.redis_unreachable:
                return []
            return self._raise("redis", "redis_unreachable", "critical", snap.server or "redis", f"Redis unreachable: {snap.error}", now)
        out = self._resolve("redis", f"Redis answers again (after {self._since('redis', now)})", now)
        for row in snap.keys:
            service = row.service or (links or {}).get(row.key) or (links or {}).get(row.pattern)
            if service is None and row.in_flight is None:
                continue  # a key nobody is known to consume (a results list, a dupefilter): no opinion
            out += self._queue(row, service, replicas.get(service, 0) if service else row.consumers, now)
        return out

    def _queue(self, row: KeyStats, service: str | None, running: int, now: float) -> list[Alert]:
        state = self._queues.setdefault(row.key, _Queue(progress_at=now))
        backlog = row.backlog if row.backlog is not None else row.depth
        remaining = backlog + (row.in_flight or 0)
        out: list[Alert] = []
        moved = backlog < state.last_backlog or (row.method == "counters" and (row.rate_out or 0) > 0)
        if backlog == 0 or moved or running <= 0:
            state.progress_at = now
            if moved or backlog == 0:
                how = "drained" if backlog == 0 else f"moving again ({_plural(backlog, 'item')} left)"
                out += self._resolve(f"queue_stalled:{row.key}", f"{row.key} {how}", now)
        state.last_backlog = backlog
        stall = self.settings.queue_stalled_minutes * 60
        if self.settings.queue_stalled and backlog > 0 and running > 0 and now - state.progress_at >= stall:
            who = f"{_plural(running, 'replica')} of {service}" if service else f"{_plural(running, 'consumer')}"
            verb = "runs" if running == 1 else "run"
            waited = _ago(now - state.progress_at)
            out += self._raise(f"queue_stalled:{row.key}", "queue_stalled", "warning", row.key,
                               f"{row.key} stalled: {_plural(backlog, 'item')} waiting, none taken for {waited} while {who} {verb}", now)
        if remaining > 0:
            if state.filled_at is None:
                state.filled_at, state.peak = now, 0
            state.peak = max(state.peak, remaining)
            self.open.pop(f"queue_drained:{row.key}", None)  # refilled: the next drain is news again
        elif state.filled_at is not None:
            took = _ago(now - state.filled_at)
            peak = state.peak
            state.filled_at = None
            if self.settings.queue_drained:
                out += self._raise(f"queue_drained:{row.key}", "queue_drained", "info", row.key,
                                   f"{row.key} drained: nothing waiting or in flight (peak {peak:,} items, {took} after it filled)", now)
        return out
