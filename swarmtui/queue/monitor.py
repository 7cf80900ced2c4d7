"""QueueMonitor: the one object the app holds. Call poll() from a thread worker about once a second
and hand the QueueSnapshot to the pane; call the action methods from thread workers too.

It never raises for Redis trouble: a snapshot then carries `error` (one line) and the last good
rows, and the next poll simply tries again (redis-py reconnects on the next command).
"""

from __future__ import annotations

import threading
import time
from typing import Mapping

from swarmtui.queue import actions
from swarmtui.queue.connection import RedisEndpoint, connect
from swarmtui.queue.errors import REDIS_ERRORS, QueueError, describe
from swarmtui.queue.models import KeyStats, QueueSnapshot, SpiderLayout
from swarmtui.queue.probe import Prober, fold, resolve
from swarmtui.queue.rates import Point, RateWindow, method_of, time_to_drain


class QueueMonitor:
    def __init__(
        self,
        url: str | None,
        patterns: tuple[str, ...] | list[str] = (),
        links: Mapping[str, str] | None = None,
        window: float = 30.0,
        history: float = 300.0,
        clock=time.time,
    ):
        self.links = dict(links or {})
        self.window = window
        self.history = history
        self.clock = clock
        self._patterns = list(dict.fromkeys(patterns))
        self._lock = threading.RLock()  # poll() and the actions may run in different workers
        self._watch_lock = threading.Lock()  # only guards the watch list: never held during I/O
        self._windows: dict[str, RateWindow] = {}
        self._last: tuple[KeyStats, ...] = ()
        self._was_down = False
        self.url_error: str | None = None
        self.client = None
        self.endpoint: RedisEndpoint | None = None
        try:
            self.client, self.endpoint = connect(url)
            self.prober = Prober(self.client)
        except QueueError as exc:
            self.url_error = str(exc)

    # -- watch list -------------------------------------------------------------------------
    @property
    def patterns(self) -> tuple[str, ...]:
        with self._watch_lock:
            return tuple(self._patterns)

    def watch(self, pattern: str) -> bool:
        pattern = pattern.strip()
        with self._watch_lock:
            if not pattern or pattern in self._patterns:
                return False
            self._patterns.append(pattern)
            return True

    def unwatch(self, pattern: str) -> bool:
        with self._watch_lock:
            if pattern in self._patterns:
                self._patterns.remove(pattern)
                return True
            return False

    @property
    def server(self) -> str:
        return f"{self.endpoint} db {self.endpoint.db}" if self.endpoint else ""

    # -- refresh ----------------------------------------------------------------------------
    def poll(self) -> QueueSnapshot:
        started = time.perf_counter()
        patterns = self.patterns
        if self.url_error:
            return QueueSnapshot(self.clock(), (), self.url_error, "", patterns)
        with self._lock:
            try:
                if self._was_down:
                    self.prober.forget()
                resolved = resolve(self.client, patterns)
                samples = self.prober.read([key for key, _ in resolved])
            except REDIS_ERRORS as exc:
                self._was_down = True
                return QueueSnapshot(self.clock(), self._last, describe(exc, self.endpoint), self.server, patterns)
            self._was_down = False
            now = self.clock()
            origin = dict(resolved)
            rows, folded = fold(list(samples.values()))
            stats = []
            for s in rows:
                win = self._windows.setdefault(s.key, RateWindow(self.window, self.history))
                win.add(Point.of(now, s))
                rate_in, rate_out = win.rates()
                backlog = s.backlog if s.backlog is not None else s.depth
                stats.append(
                    KeyStats(
                        key=s.key,
                        type=s.type,
                        depth=s.depth,
                        in_flight=s.in_flight,
                        rate_in=rate_in,
                        rate_out=rate_out,
                        eta=time_to_drain(backlog, rate_in, rate_out),
                        method=method_of(Point.of(now, s)),
                        history=win.depths(),
                        consumers=s.consumers,
                        orphaned=s.orphaned,
                        backlog=s.backlog,
                        pattern=origin.get(s.key, s.key),
                        service=self.links.get(s.key) or self.links.get(origin.get(s.key, "")),
                    )
                )
            for gone in set(self._windows) - {s.key for s in rows}:
                del self._windows[gone]
            self._last = tuple(stats)
            elapsed = (time.perf_counter() - started) * 1000
            return QueueSnapshot(now, self._last, None, self.server, patterns, elapsed, folded)

    # -- actions (blocking: call from a thread worker) -----------------------------------------
    def _call(self, fn, *args):
        if self.url_error:
            raise QueueError(self.url_error)
        with self._lock:
            try:
                return fn(self.client, *args)
            except REDIS_ERRORS as exc:
                raise QueueError(describe(exc, self.endpoint)) from None

    def count(self, key: str) -> tuple[str, int]:
        return self._call(lambda c, k: (c.type(k), actions.depth(c, k)), key)

    def push(self, key: str, items: list[str]) -> actions.PushResult:
        return self._call(actions.push, key, items)

    def purge(self, key: str) -> int:
        return self._call(actions.purge, key)

    def requeue(self, queue: str) -> actions.RequeueResult:
        return self._call(actions.requeue, SpiderLayout(queue))

    def cli(self, *args: str) -> str:
        """The redis-cli line equivalent to an action (password asked, never shown)."""
        return self.endpoint.cli(*args) if self.endpoint else "redis-cli " + " ".join(args)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

