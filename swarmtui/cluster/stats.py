"""CPU and memory of running task containers, from each node's own engine (GET /containers/ID/stats).

The swarm API has no container stats: each node's engine is asked, reached as cluster/reach.py says
(the local socket for the node it belongs to, else the system OpenSSH client forwarding a local
unix socket to the node's /var/run/docker.sock: one ssh process and one HTTP connection pool per
node, kept between polls; host keys checked, BatchMode so nothing prompts).

One-shot samples; CPU % is the difference with the previous sample of the same container, as
`docker stats` computes it, so a container's first poll shows memory only.  An engine answers a
one-shot request at its stats collector's next pass (every second; at once when it was idle), so
every container of a poll is asked at the same moment (a thread and an HTTP connection each): they
share one pass instead of queueing for one pass each (measured: 8 at a time made 50 tasks take 5 s).
A node that cannot be reached is tried again after RETRY_SECONDS, not on every poll: its tasks
carry the reason meanwhile.  Blocking calls: run `poll()` off the UI thread.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import docker

from swarmtui.cluster import reach
from swarmtui.cluster.errors import ClusterError, DaemonUnreachable, first_line
from swarmtui.cluster.models import Node, Task

REMOTE_SOCKET = "/var/run/docker.sock"  # what `docker system dial-stdio` dials on a node too
RETRY_SECONDS = 15.0
FORWARD_SECONDS = 15.0
PARALLEL = 64  # requests in flight at once (per poll, and HTTP connections kept per node)


@dataclass(frozen=True)
class Usage:
    cpu_percent: float | None  # None until a second sample of the container exists
    memory_bytes: int
    memory_limit: int


@dataclass(frozen=True)
class Unavailable:
    reason: str  # one line: why this task's figures could not be read


def cpu_percent(now: Mapping, before: Mapping | None) -> float | None:
    """`docker stats`' formula: container CPU time delta / system CPU time delta × online CPUs × 100
    (so one busy core reads 100 %). `now` and `before` are `cpu_stats` dicts."""
    if not before or "system_cpu_usage" not in before:
        return None
    used = (now.get("cpu_usage") or {}).get("total_usage", 0) - (before.get("cpu_usage") or {}).get("total_usage", 0)
    system = now.get("system_cpu_usage", 0) - before.get("system_cpu_usage", 0)
    cpus = now.get("online_cpus") or len((now.get("cpu_usage") or {}).get("percpu_usage") or []) or 1
    return max(0.0, used / system * cpus * 100.0) if system > 0 else None


def memory_used(stats: Mapping) -> int:
    """Usage without the inactive page cache, as `docker stats` shows it (v1 total_inactive_file, v2 inactive_file)."""
    mem = stats.get("memory_stats") or {}
    inner = mem.get("stats") or {}
    cache = inner.get("total_inactive_file", inner.get("inactive_file", 0))
    return max(0, mem.get("usage", 0) - cache)


class NodeEngines:
    """docker-py clients of node engines, opened once per node and kept (ssh forwards included).

    `manager_node()` names the node whose engine the manager connection reaches (asked once)."""

    def __init__(self, manager_url: str | None, manager_node: Callable[[], str | None],
                 overrides: Mapping[str, Mapping[str, str]] | None = None, timeout: float = 10) -> None:
        self.manager_url, self.overrides, self.timeout = manager_url, overrides or {}, timeout
        self._manager_node = manager_node
        self._own: str | None = None
        self._known_own = False
        self._lock = threading.Lock()
        self._node_locks: dict[str, threading.Lock] = {}
        self._clients: dict[str, docker.APIClient] = {}
        self._forwards: dict[str, subprocess.Popen] = {}
        self._failed: dict[str, tuple[float, ClusterError]] = {}
        self._dir = tempfile.mkdtemp(prefix="swarmtui-engines-")
        self.opened = 0  # connections made (ssh forwards and local clients), for the benchmark

    def _own_node(self) -> str | None:
        if not self._known_own:
            self._own, self._known_own = self._manager_node(), True
        return self._own

    def client(self, hostname: str, address: str) -> docker.APIClient:
        """The node's client, opened on first use; raises a ClusterError (kept RETRY_SECONDS) when it cannot be."""
        with self._lock:
            lock = self._node_locks.setdefault(hostname, threading.Lock())
        with lock:  # one forward per node even when several threads ask at once
            existing, forward = self._clients.get(hostname), self._forwards.get(hostname)
            if existing is not None and (forward is None or forward.poll() is None):
                return existing
            if existing is not None:
                self.forget(hostname)  # its ssh died: open a new one
            failed = self._failed.get(hostname)
            if failed and time.monotonic() - failed[0] < RETRY_SECONDS:
                raise failed[1]
            try:
                access = reach.resolve(hostname, address, self.manager_url, self._own_node(), self.overrides)
                url = access.docker_host if access.local else self._forward(access)
                api = docker.APIClient(base_url=url or "unix:///var/run/docker.sock", timeout=self.timeout,
                                       max_pool_size=PARALLEL)
            except ClusterError as exc:
                self._failed[hostname] = (time.monotonic(), exc)
                raise
            except docker.errors.DockerException as exc:
                error = DaemonUnreachable(f"{hostname}: {first_line(exc, 160)}")
                self._failed[hostname] = (time.monotonic(), error)
                raise error from exc
            self._failed.pop(hostname, None)
            self._clients[hostname] = api
            self.opened += 1
            return api

    def _forward(self, access: reach.NodeAccess) -> str:
        local = os.path.join(self._dir, f"{access.hostname}.sock")
        if os.path.exists(local):
            os.unlink(local)
        argv = access.ssh(*reach.PREFLIGHT, "-N", "-o", "ExitOnForwardFailure=yes", "-o", "ServerAliveInterval=15",
                          "-L", f"{local}:{REMOTE_SOCKET}")
        # its messages go to a file, not a pipe nobody reads while it runs (a full pipe would stop it)
        with open(f"{local}.log", "w+") as log:
            try:
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
            except FileNotFoundError as exc:
                raise DaemonUnreachable("ssh is not installed here", "install openssh-client") from exc
        deadline = time.monotonic() + FORWARD_SECONDS
        while not os.path.exists(local):
            if proc.poll() is not None:
                with open(f"{local}.log") as log:
                    raise reach.explain(access, log.read())
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise DaemonUnreachable(f"ssh to {access.target} ({access.hostname}) opened no forward within {FORWARD_SECONDS:.0f}s")
            time.sleep(0.02)
        self._forwards[access.hostname] = proc
        return f"unix://{local}"

    def forget(self, hostname: str) -> None:
        """Drop a node's connection (it failed): the next poll opens a new one."""
        api, proc = self._clients.pop(hostname, None), self._forwards.pop(hostname, None)
        if api is not None:
            api.close()
        if proc is not None:
            _stop(proc)

    def close(self) -> None:
        with self._lock:
            names = list(self._clients)
        for name in names:
            self.forget(name)
        shutil.rmtree(self._dir, ignore_errors=True)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class StatsPoller:
    """Usage of the given tasks' containers; call `poll(tasks, nodes)` every few seconds from one thread."""

    def __init__(self, engines: NodeEngines, workers: int = PARALLEL) -> None:
        self.engines = engines
        self._previous: dict[str, Mapping] = {}  # container ID -> its last cpu_stats
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="swarmtui-stats")
        self.calls = 0  # stats requests sent (the benchmark counts them)

    def _one(self, task: Task, address: str) -> Usage | Unavailable:
        try:
            api = self.engines.client(task.node_hostname, address)
        except ClusterError as exc:
            return Unavailable(first_line(exc, 160))
        self.calls += 1
        try:
            stats = api.stats(task.container_id, stream=False, one_shot=True)
        except docker.errors.NotFound:
            return Unavailable(f"its container is gone from {task.node_hostname}")
        except Exception as exc:  # noqa: BLE001 - a node gone mid-poll: said in one line, reconnect next time
            self.engines.forget(task.node_hostname)
            return Unavailable(f"{task.node_hostname}: {first_line(exc, 160)}")
        cpu = stats.get("cpu_stats") or {}
        before = self._previous.get(task.container_id) or stats.get("precpu_stats")
        self._previous[task.container_id] = cpu
        limit = (stats.get("memory_stats") or {}).get("limit", 0)
        return Usage(cpu_percent(cpu, before), memory_used(stats), limit)

    def poll(self, tasks: Iterable[Task], nodes: Iterable[Node]) -> dict[str, Usage | Unavailable]:
        """task ID -> Usage (or why not) for the running tasks among `tasks`, nodes asked in parallel."""
        addresses = {n.hostname: n.address for n in nodes}
        running = [t for t in tasks if t.state == "running" and t.container_id and t.node_hostname]
        answers = self._pool.map(lambda t: self._one(t, addresses.get(t.node_hostname, "")), running)
        results = dict(zip((t.id for t in running), answers))
        alive = {t.container_id for t in running}
        self._previous = {k: v for k, v in self._previous.items() if k in alive}
        return results

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        self.engines.close()
