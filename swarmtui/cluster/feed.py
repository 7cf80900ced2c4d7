"""A change feed: the swarm's events stream plus task polling → coalesced refresh signals.

    feed = Feed(docker_host, on_signal=callback).start()
    feed.watch(services={"<service id>"}, nodes={"<node id>"})  # whose tasks to poll
    ...
    feed.stop()

Three threads, each with its own docker-py client:
- events: `GET /events` (scope swarm, node + service events); when the stream drops
  it reconnects with `since` (the last event's time) so nothing is missed, and asks
  consumers to re-list;
- poller: swarm has no task events, so the tasks of the watched services/nodes are
  listed every `poll_seconds` (and right after a service or node event) and compared
  with the previous listing; a service of hundreds of tasks is probed through its
  replica counts instead and listed when they move (or every `full_listing_seconds`);
  it also pings the daemon and breaks a silent stream;
- dispatcher: merges everything pending into one Signal and calls `on_signal` at
  most every `interval` seconds (default 0.1) — never once per event.

`on_signal` runs on the dispatcher thread: a Textual app should `post_message` from it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import docker
import docker.errors

from swarmtui.cluster.endpoint import Endpoint, as_endpoint
from swarmtui.cluster.errors import first_line

log = logging.getLogger(__name__)

EVENT_FILTERS = {"scope": "swarm", "type": ["node", "service"]}


@dataclass(frozen=True)
class Signal:
    """What to refresh.  Fields are merged over the coalescing window."""

    nodes: bool = False  # re-list nodes
    services: bool = False  # re-list services
    tasks: frozenset[str] = frozenset()  # watched service/node IDs whose tasks changed
    connected: bool | None = None  # None: no change; False: events stream lost; True: (re)connected
    # (node ID, new state) as the events said, oldest first: a pane can show "down" at once,
    # before the refresh it triggers lands (a snapshot takes seconds while a failover saturates the host)
    node_states: tuple[tuple[str, str], ...] = ()

    def merge(self, other: "Signal") -> "Signal":
        return Signal(
            nodes=self.nodes or other.nodes,
            services=self.services or other.services,
            tasks=self.tasks | other.tasks,
            connected=other.connected if other.connected is not None else self.connected,
            node_states=self.node_states + other.node_states,
        )

    def __bool__(self) -> bool:
        return bool(self.nodes or self.services or self.tasks or self.node_states or self.connected is not None)


def _since(event: Mapping[str, Any]) -> str | None:
    nanos = event.get("timeNano")
    if nanos:
        return f"{nanos // 1_000_000_000}.{nanos % 1_000_000_000:09d}"
    return str(event["time"]) if event.get("time") else None


# ---- the feed -------------------------------------------------------------------------
class Feed:
    def __init__(
        self,
        docker_host: Endpoint | str | None,
        on_signal: Callable[[Signal], None],
        *,
        interval: float = 0.1,
        poll_seconds: float = 1.0,
        timeout: float = 10,
        reconnect_seconds: float = 1.0,
        large_listing: int = 100,
        full_listing_seconds: float = 5.0,
    ) -> None:
        self.endpoint = as_endpoint(docker_host)
        self.on_signal = on_signal
        self.interval = interval
        self.poll_seconds = poll_seconds
        self.timeout = timeout
        self.reconnect_seconds = reconnect_seconds
        # a watched service with more running tasks than `large_listing` is listed in full every
        # `full_listing_seconds` (or when an event pokes); in between, every `poll_seconds`, only
        # its replica counts are read and a change of those triggers the listing at once
        self.large_listing = large_listing
        self.full_listing_seconds = full_listing_seconds
        self._lock = threading.Lock()
        self._pending = Signal()
        self._wake = threading.Event()
        self._poll_now = threading.Event()
        self._stopping = threading.Event()
        self._stream = None
        self._stream_client = None  # the client of the events stream, closed with it
        self._threads: list[threading.Thread] = []
        self._watched_services: frozenset[str] = frozenset()
        self._watched_nodes: frozenset[str] = frozenset()
        self.connected = False
        self.reconnects = 0  # how many times the events stream came back after a drop
        self.last_error = ""

    # ---- public ----------------------------------------------------------------------
    def start(self) -> "Feed":
        for target, name in ((self._events_loop, "events"), (self._poll_loop, "tasks"), (self._dispatch_loop, "dispatch")):
            thread = threading.Thread(target=target, name=f"swarmtui-feed-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def watch(self, services: Iterable[str] = (), nodes: Iterable[str] = ()) -> None:
        """Poll the tasks of these service and node IDs (replaces the previous set)."""
        with self._lock:
            self._watched_services = frozenset(services)
            self._watched_nodes = frozenset(nodes)
        self._poll_now.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the events stream from this thread and join every feed thread."""
        self._stopping.set()
        self._close_stream()
        self._wake.set()
        self._poll_now.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        self._threads.clear()

    def drop_connection(self) -> None:
        """Break the current events stream, as a network drop would (the feed reconnects)."""
        self._close_stream()

    # ---- plumbing --------------------------------------------------------------------
    def _client(self) -> docker.APIClient:
        return self.endpoint.api_client(self.timeout)

    def _push(self, signal: Signal) -> None:
        with self._lock:
            self._pending = self._pending.merge(signal)
        self._wake.set()

    def _close_stream(self) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
            client, self._stream_client = self._stream_client, None
        if stream is not None:
            try:
                stream.close()
            except Exception:  # noqa: BLE001 - already closed or half torn down
                pass
        if client is not None:
            # Over ssh:// closing the stream does not wake the read blocked on the paramiko
            # channel (it is no socket docker-py can shut down); closing the client's SSH
            # connection does, so a stopped feed leaves no thread and no connection behind.
            try:
                client.close()
            except Exception:  # noqa: BLE001
                pass

    def _watched(self) -> tuple[frozenset[str], frozenset[str]]:
        with self._lock:
            return self._watched_services, self._watched_nodes

    def _on_event(self, event: Mapping[str, Any]) -> None:
        kind = event.get("Type")
        actor_id = (event.get("Actor") or {}).get("ID", "")
        services, nodes = self._watched()
        log.debug("event %s %s %s", kind, event.get("Action"), actor_id)
        tasks = frozenset({actor_id}) & (services if kind == "service" else nodes)
        new_state = ((event.get("Actor") or {}).get("Attributes") or {}).get("state.new")
        self._push(Signal(
            node_states=((actor_id, new_state),) if kind == "node" and new_state else (),
            nodes=kind == "node",
            services=kind == "service" or (kind == "node" and event.get("Action") == "remove"),
            tasks=tasks,
        ))
        self._poll_now.set()  # task states follow service and node changes: look now

    # ---- threads ---------------------------------------------------------------------
    def _events_loop(self) -> None:
        since: str | None = None
        seen_at_since: set[tuple] = set()
        was_connected = False
        while not self._stopping.is_set():
            client = None
            try:
                client = self._client()
                connected_at = time.time()
                stream = client.events(since=since, filters=EVENT_FILTERS, decode=True)
            except Exception as exc:  # noqa: BLE001 - unreachable daemon: retry
                self.last_error = first_line(exc)
                if client is not None:
                    client.close()
                self._stopping.wait(self.reconnect_seconds)
                continue
            with self._lock:
                self._stream, self._stream_client = stream, client
            if self._stopping.is_set():
                self._close_stream()
            self.connected = True
            if was_connected:
                self.reconnects += 1
                services, nodes = self._watched()
                self._push(Signal(nodes=True, services=True, tasks=services | nodes, connected=True))
            else:
                self._push(Signal(connected=True))
            was_connected = True
            if since is None:
                since = f"{connected_at:.9f}"
            try:
                for event in stream:
                    key = (event.get("timeNano"), event.get("Action"), (event.get("Actor") or {}).get("ID"))
                    if key in seen_at_since:
                        continue  # replayed by `since` after a reconnect
                    new_since = _since(event)
                    if new_since != since:
                        since, seen_at_since = new_since, set()
                    seen_at_since.add(key)
                    self._on_event(event)
            except Exception as exc:  # noqa: BLE001 - a drop; reconnect below
                self.last_error = first_line(exc)
            finally:
                self._close_stream()
                client.close()
            self.connected = False
            if not self._stopping.is_set():
                self._push(Signal(connected=False))
                self._stopping.wait(self.reconnect_seconds)

    def _probe(self, client: docker.APIClient, service_id: str) -> tuple | None:
        """A watched service's replica counts and spec version: a few hundred bytes instead of
        listing hundreds of tasks (ServiceStatus counts, see docs/performance.md "Fleet scale")."""
        listed = client.services(filters={"id": service_id}, status=True)
        mine = next((s for s in listed if s.get("ID") == service_id), None)
        if mine is None:
            return None
        status = mine.get("ServiceStatus") or {}
        return (status.get("RunningTasks"), status.get("DesiredTasks"), (mine.get("Version") or {}).get("Index"),
                (mine.get("UpdateStatus") or {}).get("State"))

    def _poll_loop(self) -> None:
        client: docker.APIClient | None = None
        last: dict[tuple[str, str], frozenset] = {}
        listed_at: dict[tuple[str, str], float] = {}
        probes: dict[tuple[str, str], tuple | None] = {}
        try:
            while not self._stopping.is_set():
                poked = self._poll_now.wait(self.poll_seconds)
                self._poll_now.clear()
                if self._stopping.is_set():
                    break
                services, nodes = self._watched()
                keys = [("service", s) for s in services] + [("node", n) for n in nodes]
                changed: set[str] = set()
                try:
                    if client is None:
                        client = self._client()
                    if not keys:
                        client.ping()
                    for key in keys:
                        now = time.monotonic()
                        if key[0] == "service" and len(last.get(key, ())) > self.large_listing:
                            # A big service: between full listings (every full_listing_seconds, or
                            # when an event pokes), list its tasks only when its counts moved.
                            probe = self._probe(client, key[1])
                            moved = probe != probes.get(key)
                            probes[key] = probe
                            if not (poked or moved or now - listed_at.get(key, 0.0) >= self.full_listing_seconds):
                                continue
                        try:
                            raw = client.tasks(filters={key[0]: key[1], "desired-state": ["running", "ready"]})
                        except docker.errors.APIError:
                            raw = []  # the service or node is gone: no tasks
                        listed_at[key] = now
                        fingerprint = frozenset(
                            (t["ID"], (t.get("Status") or {}).get("State"), t.get("DesiredState"), t.get("NodeID"))
                            for t in raw
                        )
                        if key in last and last[key] != fingerprint:
                            changed.add(key[1])
                        last[key] = fingerprint
                        if key[0] == "service" and len(fingerprint) > self.large_listing and key not in probes:
                            probes[key] = self._probe(client, key[1])
                except Exception as exc:  # noqa: BLE001 - daemon gone: make the events stream notice too
                    self.last_error = first_line(exc)
                    if self.connected:
                        self._close_stream()
                    self._stopping.wait(self.reconnect_seconds)
                    continue
                for key in set(last) - set(keys):
                    del last[key]
                    listed_at.pop(key, None)
                    probes.pop(key, None)
                if changed:
                    self._push(Signal(tasks=frozenset(changed)))
        finally:
            if client is not None:
                client.close()

    def _dispatch_loop(self) -> None:
        last_delivery = 0.0
        while True:
            self._wake.wait()
            if self._stopping.is_set():
                break
            # let a burst settle a little, and never deliver more often than `interval`
            delay = max(last_delivery + self.interval - time.monotonic(), min(0.03, self.interval))
            if self._stopping.wait(delay):
                break
            with self._lock:
                signal, self._pending = self._pending, Signal()
                self._wake.clear()
            if signal:
                try:
                    self.on_signal(signal)
                except Exception:  # a consumer bug must not kill the feed
                    log.exception("feed consumer failed")
            last_delivery = time.monotonic()
