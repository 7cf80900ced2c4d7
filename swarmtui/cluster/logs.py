"""Follow the logs of every replica of a service (or of every service, one task, one node),
attributed to replicas.

`LogStream` reads `GET /services/{id}/logs?details=1&follow=1&timestamps=1` on its own
Docker API clients, in threads, and hands `LogLine`s to a callback in batches (every
`flush_interval` seconds, never one call per line).  Each line is attributed to
`service.slot@node` through the details prefix the engine adds
(`com.docker.swarm.node.id=...,com.docker.swarm.service.id=...,com.docker.swarm.task.id=...`)
and a task-id → (slot, node hostname) map refreshed from the manager when an unknown
task id shows up.

`docker service logs` is known to stall or stop: a watchdog reconnects a stream that
ended, or that stayed silent for `silence` seconds while the manager says tasks of the
service are running, with `since=<oldest last timestamp of the live tasks>`; lines seen
before are dropped (by task id, timestamp and text).

Scopes: one task reads `GET /tasks/{id}/logs` (same frames); one node reads the logs of every
service with a task on that node (re-listed every few seconds, like every-service mode) and
keeps the lines whose details name that node: one stream per service, not one per task (a node
of a 500-replica fleet holds ~170 tasks).  `since` (seconds back from the start) is the oldest
line asked for, on the first connection and on every reconnect.

Threads: one reader per followed service, plus one flusher/watchdog.  `close()` shuts
the sockets down from the calling thread (so blocked reads return at once), joins every
thread and closes every client.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterator

import docker
from docker.errors import NotFound

from swarmtui.cluster._dockerpy_private import get_service_logs, get_task_logs
from swarmtui.cluster._urllib3_private import shutdown_stream
from swarmtui.cluster.endpoint import Endpoint, as_endpoint
from swarmtui.cluster.models import LogLine

__all__ = ["LogLine", "LogStream", "parse_frame", "split_frame", "parse_details", "since_param", "since_unix", "Deduper"]

REPLAY_LIMIT = 300  # seconds: how far back a reconnect may ask the engine to replay
HEADER = 8  # multiplexed stream frame header: stream type (1 byte), 3 zero bytes, length (4 bytes BE)


# ---- pure parsing ---------------------------------------------------------------------------

def parse_frame(payload: bytes) -> tuple[str, dict[str, str], str]:
    """`TIMESTAMP DETAILS TEXT\n` (as sent with timestamps=1, details=1) → (timestamp, details, text).

    Invalid UTF-8 becomes U+FFFD, never an exception.  Missing parts come back empty.
    """
    ts, attrs, text = split_frame(payload)
    return ts, parse_details(attrs), text


def split_frame(payload: bytes) -> tuple[str, bytes, str]:
    """parse_frame with the details left as their bytes (`k=v,k=v`, b"" when there are none): every
    line of one task carries the same ones, so a reader parses each distinct value once."""
    ts = ""
    head, sep, rest = payload.partition(b" ")
    if head[:2] == b"20" and head.endswith(b"Z") and sep:
        ts = head.decode("ascii", "replace")
    else:
        rest = payload
    attrs = b""
    if rest.startswith(b"com.docker."):
        attrs, _, rest = rest.partition(b" ")
    if rest.endswith(b"\n"):
        rest = rest[:-1]
    if rest.endswith(b"\r"):
        rest = rest[:-1]
    return ts, attrs, rest.decode("utf-8", "replace")


def parse_details(attrs: bytes) -> dict[str, str]:
    """b"com.docker.swarm.node.id=N,com.docker.swarm.service.id=S,..." → {key: value}."""
    details: dict[str, str] = {}
    if attrs:
        for pair in attrs.decode("utf-8", "replace").split(","):
            key, _, value = pair.partition("=")
            details[key] = value
    return details


def since_unix(when: float) -> str:
    """Unix time (float seconds) → the engine's `since` form `seconds.nanoseconds`."""
    whole = int(when)
    return f"{whole}.{int((when - whole) * 1e9):09d}"


def later_since(a: str | None, b: str | None) -> str | None:
    """The later of two `since` values (None: no bound)."""
    if a is None or b is None:
        return a or b
    def key(value: str) -> tuple[int, int]:
        whole, _, frac = value.partition(".")
        return int(whole), int((frac + "000000000")[:9])

    return a if key(a) >= key(b) else b


def since_param(timestamp: str) -> str:
    """RFC 3339 nanosecond timestamp → the engine's `since` form `seconds.nanoseconds`."""
    whole, _, frac = timestamp.rstrip("Z").partition(".")
    seconds = int(datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp())
    return f"{seconds}.{(frac + '000000000')[:9]}"


def iter_frames(read: Callable[[], bytes]) -> Iterator[bytes]:
    """Split a multiplexed stream into frame payloads; `read()` returns what is available, b"" at the end."""
    buf = b""
    while True:
        chunk = read()
        if not chunk:
            return
        buf = buf + chunk if buf else chunk
        pos, size = 0, len(buf)
        while size - pos >= HEADER:
            length = int.from_bytes(buf[pos + 4:pos + 8], "big")
            end = pos + HEADER + length
            if end > size:
                break
            if length:
                yield buf[pos + HEADER:end]
            pos = end
        buf = buf[pos:]


def iter_tty_lines(read: Callable[[], bytes]) -> Iterator[bytes]:
    """A TTY service's raw stream → lines."""
    buf = b""
    while True:
        chunk = read()
        if not chunk:
            if buf:
                yield buf
            return
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            yield line + b"\n"


class Deduper:
    """Drops lines seen before a reconnect: per task, the highest timestamp seen and the
    last `window` (timestamp, text) keys.  A task's lines arrive in order, so a line older
    than everything remembered was seen; a line at or below the high-water mark is a
    duplicate exactly when its key is remembered."""

    def __init__(self, window: int = 512):
        self.window = window
        self._tasks: dict[str, tuple[list[str], collections.deque, set]] = {}
        self.dropped = 0

    def admit(self, task_id: str, ts: str, text: str) -> bool:
        state = self._tasks.get(task_id)
        key = (ts, text)
        if state is None:
            state = ([ts], collections.deque(), set())
            self._tasks[task_id] = state
        else:
            high, keys, seen = state
            if ts <= high[0]:
                if key in seen or (keys and ts < keys[0][0]):
                    self.dropped += 1
                    return False
            else:
                high[0] = ts
        high, keys, seen = state
        if key not in seen:
            keys.append(key)
            seen.add(key)
            if len(keys) > self.window:
                seen.discard(keys.popleft())
        return True

    def tasks(self) -> list[str]:
        """The tasks with lines remembered (a copy: safe while the reader thread admits more)."""
        return list(self._tasks)

    def high_water(self, task_id: str) -> str | None:
        state = self._tasks.get(task_id)
        return state[0][0] if state else None

    def forget(self, keep: set[str]) -> None:
        for task_id in [t for t in self._tasks if t not in keep]:
            del self._tasks[task_id]


# ---- the stream -----------------------------------------------------------------------------

@dataclass
class _Reader:
    service_id: str
    task_id: str | None = None  # one task's logs (GET /tasks/{id}/logs) instead of the service's
    thread: threading.Thread | None = None
    response: object | None = None
    api: docker.APIClient | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    last_data: float = field(default_factory=time.monotonic)
    connected_at: float = 0.0
    reconnects: int = 0
    dedupe: Deduper = field(default_factory=Deduper)
    lock: threading.Lock = field(default_factory=threading.Lock)


Batch = Callable[[list[LogLine]], "bool | None"]


class LogStream:
    """Follow `service` (an ID or name; None: every service, or every service matching
    `service_filters`, e.g. a stack's label), or one `task` (an ID), or the tasks on one
    `node` (an ID or hostname), and call `on_batch(lines)` from a background thread at most
    every `flush_interval` seconds.  `since` (seconds): only lines newer than `clock() - since`
    at start (with `tail`, which the engine applies per task).

    `on_batch` may return False to refuse a batch (backpressure): the lines are kept and sent
    with the next one; at most `max_pending` lines are kept (oldest dropped, counted in
    `stats["overflow"]`).  `on_status(text)` (optional) hears about reconnects and errors.
    """

    def __init__(
        self,
        base_url: Endpoint | str | None,
        service: str | None,
        on_batch: Batch,
        *,
        tail: int | str = 100,
        flush_interval: float = 0.075,
        silence: float = 10.0,
        on_status: Callable[[str], None] | None = None,
        max_pending: int = 100_000,
        timeout: int = 30,
        service_filters: dict | None = None,
        task: str | None = None,
        node: str | None = None,
        since: float | None = None,
        clock: Callable[[], float] = time.time,
    ):
        if sum(x is not None for x in (service, task, node)) > 1:
            raise ValueError("follow one service, one task or one node, not several")
        self.endpoint = as_endpoint(base_url)
        self.service = service
        self.task = task
        self.node = node
        self.since = since
        self.clock = clock
        self._floor: str | None = None  # the `since` of every request: clock() - since, at start
        self._node_id: str | None = None
        self.service_filters = service_filters
        self.on_batch = on_batch
        self.on_status = on_status
        self.tail = tail
        self.flush_interval = flush_interval
        self.silence = silence
        self.max_pending = max_pending
        self.timeout = timeout
        self.stats = {"lines": 0, "batches": 0, "reconnects": 0, "duplicates": 0, "overflow": 0}
        self._stop = threading.Event()
        self._lock = threading.Lock()  # pending lines
        self._pending: list[LogLine] = []
        self._meta_lock = threading.Lock()  # metadata client and maps
        self._meta: docker.APIClient | None = None
        self._tasks: dict[str, tuple[str, int | None, str]] = {}  # task id -> (service name, slot, node id)
        self._running: dict[str, set[str]] = {}  # service id -> ids of tasks desired running
        self._nodes: dict[str, str] = {}  # node id -> hostname
        self._services: dict[str, str] = {}  # service id -> name
        self._refreshed: dict[str, float] = {}  # service id / "nodes" -> monotonic time of last refresh
        self._readers: dict[str, _Reader] = {}
        self._flusher: threading.Thread | None = None
        self._started = False

    # ---- lifecycle ----------------------------------------------------------------------
    def _client(self) -> docker.APIClient:
        return self.endpoint.api_client(self.timeout)

    def start(self) -> "LogStream":
        if self._started:
            return self
        self._started = True
        self._meta = self._client()
        if self.since is not None:
            self._floor = since_unix(self.clock() - self.since)
        if self.task is not None:
            with self._meta_lock:
                task = self._meta.inspect_task(self.task)
            self._resolve(task["ServiceID"])
            self._add_reader(task["ServiceID"], task_id=task["ID"])
        elif self.service is not None:
            service_id = self._resolve(self.service)
            self._add_reader(service_id)
        else:
            if self.node is not None:
                with self._meta_lock:
                    self._node_id = self._meta.inspect_node(self.node)["ID"]
            self._sync_services()
        self._flusher = threading.Thread(target=self._flush_loop, name="logs-flush", daemon=True)
        self._flusher.start()
        if self._stop.is_set():  # closed while it was connecting (seen: :ctx): close what it made since
            self.close()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop at once: shut every socket down, join every thread, close every client."""
        self._stop.set()
        readers = list(self._readers.values())
        for reader in readers:
            reader.stop.set()
            self._cut(reader)
        current = threading.current_thread()
        for reader in readers:
            if reader.thread is not None and reader.thread is not current:
                reader.thread.join(timeout)
        if self._flusher is not None and self._flusher is not current:
            self._flusher.join(timeout)
        for reader in readers:
            self._close_api(reader)
        if self._meta is not None:
            with self._meta_lock:
                self._meta.close()
        self._readers.clear()

    def __enter__(self) -> "LogStream":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def threads(self) -> list[threading.Thread]:
        out = [r.thread for r in self._readers.values() if r.thread is not None]
        return out + ([self._flusher] if self._flusher else [])

    # ---- metadata -----------------------------------------------------------------------
    def _resolve(self, service: str) -> str:
        with self._meta_lock:
            spec = self._meta.inspect_service(service)
        self._services[spec["ID"]] = spec["Spec"]["Name"]
        return spec["ID"]

    def _refresh_nodes(self) -> None:
        with self._meta_lock:
            if time.monotonic() - self._refreshed.get("nodes", 0) < 1.0:
                return
            self._refreshed["nodes"] = time.monotonic()
            for node in self._meta.nodes():
                self._nodes[node["ID"]] = node.get("Description", {}).get("Hostname", node["ID"][:12])

    def _refresh_tasks(self, service_id: str, force: bool = False) -> None:
        with self._meta_lock:
            if not force and time.monotonic() - self._refreshed.get(service_id, 0) < 0.5:
                return
            self._refreshed[service_id] = time.monotonic()
            tasks = self._meta.tasks(filters={"service": service_id})
            running = set()
            for task in tasks:
                self._tasks[task["ID"]] = (
                    self._services.get(service_id, service_id[:12]),
                    task.get("Slot"),
                    task.get("NodeID", ""),
                )
                if task.get("DesiredState") == "running":
                    running.add(task["ID"])
            self._running[service_id] = running

    def _attribute(self, task_id: str, service_id: str, node_id: str) -> tuple[str, int | None, str]:
        known = self._tasks.get(task_id)
        if known is None:
            if service_id and service_id not in self._services:
                try:
                    self._resolve(service_id)
                except NotFound:
                    self._services[service_id] = service_id[:12]
            if service_id:
                self._refresh_tasks(service_id)
            known = self._tasks.get(task_id) or (self._services.get(service_id, service_id[:12]), None, node_id)
        name, slot, node_id = known
        host = self._nodes.get(node_id)
        if host is None:
            self._refresh_nodes()
            host = self._nodes.get(node_id) or node_id[:12]
        return name, slot, host

    @property
    def _many(self) -> bool:
        """Every service (or a stack's), or a node's: the set of services is re-listed."""
        return self.service is None and self.task is None

    def _sync_services(self) -> None:
        """All-services and node mode: a reader per service (with a task on the node), none for services that are gone."""
        with self._meta_lock:
            services = self._meta.services(filters=self.service_filters)
            if self._node_id is not None:
                on_node = {t["ServiceID"] for t in self._meta.tasks(filters={"node": self._node_id})}
                services = [s for s in services if s["ID"] in on_node]
        ids = set()
        for spec in services:
            self._services[spec["ID"]] = spec["Spec"]["Name"]
            ids.add(spec["ID"])
        for service_id in ids - set(self._readers):
            self._add_reader(service_id)
        for service_id in set(self._readers) - ids:
            reader = self._readers.pop(service_id)
            reader.stop.set()
            self._cut(reader)
            if reader.thread is not None:
                reader.thread.join(2.0)
            self._close_api(reader)

    # ---- readers ------------------------------------------------------------------------
    def _add_reader(self, service_id: str, task_id: str | None = None) -> None:
        reader = _Reader(service_id=service_id, task_id=task_id)
        reader.thread = threading.Thread(
            target=self._read_loop, args=(reader,), name=f"logs-{service_id[:12]}", daemon=True
        )
        self._readers[service_id] = reader
        reader.thread.start()

    @staticmethod
    def _cut(reader: _Reader) -> None:
        """Close the reader's response from any thread: shutting the socket down wakes a blocked read."""
        with reader.lock:
            response = reader.response
        if response is None:
            return
        shutdown_stream(response)
        try:
            response.close()
        except Exception:  # noqa: BLE001 - closing a half-dead response may raise anything
            pass

    @staticmethod
    def _close_api(reader: _Reader) -> None:
        with reader.lock:
            api, reader.api = reader.api, None
        if api is not None:
            api.close()

    def _resume_since(self, reader: _Reader) -> str | None:
        """The oldest high-water mark of this service's tasks that are still meant to run."""
        try:
            self._refresh_tasks(reader.service_id, force=True)
        except Exception:  # noqa: BLE001 - the manager may be briefly unreachable
            pass
        running = self._running.get(reader.service_id, set())
        marks = [m for t in running if (m := reader.dedupe.high_water(t))]
        if not marks:
            marks = [m for t in reader.dedupe.tasks() if (m := reader.dedupe.high_water(t))]
            marks = [max(marks)] if marks else []
        if not marks:
            return None
        # A task quiet for a long time must not make the engine replay everyone's last hour.
        since = since_param(min(marks))
        floor = int(since_param(max(marks)).split(".")[0]) - REPLAY_LIMIT
        return since if int(since.split(".")[0]) >= floor else f"{floor}.000000000"

    def _read_loop(self, reader: _Reader) -> None:
        backoff = 0.2
        first = True
        while not reader.stop.is_set():
            resume = None if first else self._resume_since(reader)
            try:
                # never older than the since window, even when a quiet task's mark is older
                self._read_once(reader, later_since(resume, self._floor), tail=self.tail if resume is None else "all")
                backoff = 0.2
            except NotFound:
                what = f"task {reader.task_id[:12]}" if reader.task_id else f"service {reader.service_id[:12]}"
                self._status(f"{what} is gone")
                if self._many:
                    return
            except Exception as exc:  # noqa: BLE001 - any transport error means: reconnect
                if reader.stop.is_set():
                    return
                self._status(f"log stream error: {exc}; reconnecting")
            first = False
            if reader.stop.wait(backoff):
                return
            backoff = min(backoff * 2, 5.0)
            reader.reconnects += 1
            self.stats["reconnects"] += 1

    def _read_once(self, reader: _Reader, since: str | None, tail: int | str) -> None:
        with reader.lock:
            if reader.api is None:
                reader.api = self._client()
            api = reader.api
        spec = api.inspect_service(reader.service_id)
        self._services[reader.service_id] = spec["Spec"]["Name"]
        tty = spec["Spec"]["TaskTemplate"].get("ContainerSpec", {}).get("TTY", False)
        params = {"details": True, "follow": True, "stdout": True, "stderr": True,
                  "timestamps": True, "tail": tail}
        if since is not None:
            params["since"] = since
        if reader.task_id is not None:
            response = get_task_logs(api, reader.task_id, params)
        else:
            response = get_service_logs(api, reader.service_id, params)
        try:
            with reader.lock:
                reader.response = response
            if reader.stop.is_set():
                return
            reader.connected_at = reader.last_data = time.monotonic()
            raw = response.raw
            parsed: list[LogLine] = []  # lines of the chunks read so far, not yet handed over

            def read() -> bytes:
                # Hand over before a read that may block: the end of a burst must not wait for
                # the next line (seen: the last ~100 lines of a replica that went quiet waited
                # 10 s, for the silence watchdog to reconnect).
                if parsed:
                    self._hand_over(parsed[:])
                    parsed.clear()
                try:
                    chunk = raw.read1(262144)
                except (OSError, ValueError, AttributeError):
                    return b""
                except Exception:  # noqa: BLE001 - urllib3 ProtocolError etc. when cut
                    return b""
                reader.last_data = time.monotonic()
                return chunk

            frames = iter_tty_lines(read) if tty else iter_frames(read)
            self._consume(reader, frames, parsed)
        finally:
            with reader.lock:
                reader.response = None
            response.close()

    def _consume(self, reader: _Reader, frames: Iterator[bytes], out: list[LogLine]) -> None:
        """Parse, dedupe and attribute frames into `out` (handed over by the read before it blocks)."""
        service_id = reader.service_id
        admit = reader.dedupe.admit
        node_only = self._node_id
        known: dict[bytes, tuple[str, str, str]] = {}  # details bytes -> (task, service, node) IDs
        for payload in frames:
            ts, attrs, text = split_frame(payload)
            ids = known.get(attrs)
            if ids is None:
                if len(known) > 4096:  # tasks come and go over a long stream
                    known.clear()
                details = parse_details(attrs)
                ids = known[attrs] = (details.get("com.docker.swarm.task.id", ""),
                                      details.get("com.docker.swarm.service.id", service_id),
                                      details.get("com.docker.swarm.node.id", ""))
            task_id, from_service, node_id = ids
            if node_only is not None and node_id != node_only:
                continue
            if not admit(task_id, ts, text):
                self.stats["duplicates"] += 1
                continue
            name, slot, host = self._attribute(task_id, from_service, node_id)
            out.append(LogLine(task_id, name, slot, host, ts, text))
            if len(out) >= 2000:
                self._hand_over(out[:])
                out.clear()
        self._hand_over(out[:])
        out.clear()

    def _hand_over(self, lines: list[LogLine]) -> None:
        if not lines:
            return
        with self._lock:
            self._pending.extend(lines)
            over = len(self._pending) - self.max_pending
            if over > 0:
                del self._pending[:over]
                self.stats["overflow"] += over

    # ---- flusher and watchdog -----------------------------------------------------------
    def _flush_loop(self) -> None:
        next_watch = time.monotonic() + 1.0
        while not self._stop.wait(self.flush_interval):
            self._flush()
            if time.monotonic() >= next_watch:
                next_watch = time.monotonic() + 1.0
                try:
                    self._watch()
                except Exception as exc:  # noqa: BLE001 - never let the watchdog die
                    self._status(f"log watchdog: {exc}")
        self._flush()

    def _flush(self) -> None:
        with self._lock:
            if not self._pending:
                return
            batch, self._pending = self._pending, []
        try:
            accepted = self.on_batch(batch)
        except Exception as exc:  # noqa: BLE001 - a broken consumer must not kill the stream
            self._status(f"log consumer failed: {exc}")
            return
        if accepted is False:
            with self._lock:
                self._pending[:0] = batch
                over = len(self._pending) - self.max_pending
                if over > 0:
                    del self._pending[:over]
                    self.stats["overflow"] += over
            return
        self.stats["lines"] += len(batch)
        self.stats["batches"] += 1
        self.stats["duplicates"] = sum(r.dedupe.dropped for r in self._readers.values())

    def _watch(self) -> None:
        if self._many and time.monotonic() - self._refreshed.get("services", 0) > 3.0:
            self._refreshed["services"] = time.monotonic()
            self._sync_services()
        now = time.monotonic()
        for reader in list(self._readers.values()):
            with reader.lock:
                connected = reader.response is not None
            if not connected or now - reader.last_data < self.silence:
                continue
            self._refresh_tasks(reader.service_id)
            running = self._running.get(reader.service_id, set())
            if reader.task_id in running if reader.task_id else running:
                self._status(f"{self._services.get(reader.service_id, reader.service_id[:12])}: "
                             f"no log line for {self.silence:.0f}s while tasks run; reconnecting")
                reader.last_data = now
                self._cut(reader)

    def connected_after(self, when: float) -> bool:
        """Every reader is connected, on a connection made after `when` (time.monotonic())."""
        readers = list(self._readers.values())
        return bool(readers) and all(r.response is not None and r.connected_at > when for r in readers)

    def kick(self) -> None:
        """Cut every stream now (as a stall would); the readers reconnect with `since`."""
        for reader in list(self._readers.values()):
            self._cut(reader)

    def _status(self, text: str) -> None:
        if self.on_status is not None:
            try:
                self.on_status(text)
            except Exception:  # noqa: BLE001
                pass
