"""A fleet of 500 nodes / 200 services / 10,000 tasks made from payloads captured on the lab, and the
scenarios played on it (a node dies, a service scales, a rolling update, an event burst).

Every object is a deep copy of a captured one (capture/*.json: same schema, same nesting, same
engine version) with its identity changed: IDs, hostnames, addresses, service names and stacks,
slots, container IDs and times.  Times are spread over the last days, so ages look real.
Seeded: the same arguments make the same fleet.
"""

from __future__ import annotations

import copy
import json
import random
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

CAPTURE = Path(__file__).resolve().parent / "capture"
REGIONS = ("fra", "ams", "iad", "sfo", "sgp")
STACKS = ("news", "shop", "jobs", "travel", "estate", "auto", "forum", "blog", "gov", "wiki")
KINDS = ("spider", "sitemap", "rss", "api", "render", "images", "links", "prices", "reviews", "archive")
ID_CHARS = string.ascii_lowercase + string.digits


def load(name: str) -> Any:
    return json.loads((CAPTURE / f"{name}.json").read_text())


def rfc3339(when: datetime) -> str:
    """The engine's form: nanoseconds, Z (fixed width)."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{random.randrange(1000):03d}Z"


def now_ts() -> str:
    ns = time.time_ns()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 1_000_000_000)) + f".{ns % 1_000_000_000:09d}Z"


@dataclass
class Fleet:
    nodes: int = 500
    managers: int = 3
    services: int = 200
    tasks: int = 10_000
    big_service: int = 200  # replicas of the first service (the scenarios scale / update it)
    history: float = 0.1  # share of slots that also keep an older shut-down task
    seed: int = 16
    capture: dict = field(default_factory=dict)
    scaled: bool = True  # False: serve the capture itself, unscaled (check.py compares the two ways)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        random.seed(self.seed)
        self.lock = threading.RLock()
        self.version = 0  # bumped on every change: the server's response caches are keyed by it
        self.index = 1000  # the swarm's object version counter
        self.listeners: list[Callable[[dict], None]] = []
        self.events: list[dict] = []
        cap = self.capture or {n: load(n) for n in ("version", "info", "swarm", "nodes", "services", "tasks", "networks", "network_inspect",
                                                   "ping_headers")}
        self.capture = cap
        self.node_list: list[dict] = []
        self.service_list: list[dict] = []
        self.task_list: list[dict] = []
        self._template = self._task_template()
        if not self.scaled:
            self.node_list, self.service_list, self.task_list = (copy.deepcopy(cap[k]) for k in ("nodes", "services", "tasks"))
            return
        self._make_nodes()
        self._make_services()
        self._make_tasks()

    # ---- identities ---------------------------------------------------------------------------
    def new_id(self) -> str:
        return "".join(self.rng.choice(ID_CHARS) for _ in range(25))

    def next_index(self) -> int:
        self.index += 1
        return self.index

    def ago(self, low_hours: float, high_hours: float) -> str:
        return rfc3339(datetime.now(timezone.utc) - timedelta(hours=self.rng.uniform(low_hours, high_hours)))

    # ---- making the fleet ---------------------------------------------------------------------
    def _make_nodes(self) -> None:
        captured = self.capture["nodes"]
        manager = next(n for n in captured if n["Spec"]["Role"] == "manager")
        worker = next(n for n in captured if n["Spec"]["Role"] == "worker")
        for i in range(self.nodes):
            is_manager = i < self.managers
            node = copy.deepcopy(manager if is_manager else worker)
            node["ID"] = self.new_id()
            region = REGIONS[i % len(REGIONS)]
            node["Description"]["Hostname"] = f"mgr-{region}-{i + 1}" if is_manager else f"crawl-{region}-{i // len(REGIONS) + 1:03d}"
            # loopback: whatever the app dials on a node (its engine over ssh, for CPU/memory) stays on this machine
            address = f"127.{16 + i // 250}.{i % 250}.{10 + i % 7}"
            node["Status"]["Addr"] = address
            node["CreatedAt"] = node["UpdatedAt"] = self.ago(24 * 3, 24 * 30)
            node["Version"] = {"Index": self.next_index()}
            if is_manager:
                node["ManagerStatus"] = {"Addr": f"{address}:2377", "Reachability": "reachable", **({"Leader": True} if i == 0 else {})}
            self.node_list.append(node)
        self.capture["info"]["Swarm"]["NodeID"] = self.node_list[0]["ID"]
        self.capture["info"]["Swarm"]["Nodes"] = self.nodes
        self.capture["info"]["Swarm"]["Managers"] = self.managers

    def _make_services(self) -> None:
        replicated = next(s for s in self.capture["services"] if "Replicated" in s["Spec"]["Mode"])
        rest = self.tasks - self.big_service
        weights = [self.rng.uniform(10, 90) for _ in range(self.services - 1)]
        sizes = [int(rest * w / sum(weights)) for w in weights]
        for i in range(rest - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate([self.big_service, *sizes]):
            svc = copy.deepcopy(replicated)
            stack, kind = STACKS[i % len(STACKS)], KINDS[(i // len(STACKS)) % len(KINDS)]
            name = f"{stack}_{kind}" + (f"-{i // (len(STACKS) * len(KINDS)) + 1}" if i >= len(STACKS) * len(KINDS) else "")
            svc["ID"] = self.new_id()
            svc["Spec"]["Name"] = name
            svc["Spec"]["Labels"] = {"com.docker.stack.namespace": stack}
            svc["Spec"]["Mode"] = {"Replicated": {"Replicas": size}}
            image = svc["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"].split("@")[0].rsplit("/", 1)[0]
            svc["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] = f"{image}/{stack}-{kind}:1.{i % 7}"
            svc["CreatedAt"] = self.ago(24 * 2, 24 * 20)
            svc["UpdatedAt"] = self.ago(1, 24 * 2)
            svc["Version"] = {"Index": self.next_index()}
            svc["ServiceStatus"] = {"RunningTasks": size, "DesiredTasks": size, "CompletedTasks": 0}
            svc.pop("UpdateStatus", None)
            svc.pop("PreviousSpec", None)
            self.service_list.append(svc)

    def _task_template(self) -> dict:
        captured = self.capture["tasks"]
        return next(t for t in captured if t["DesiredState"] == "running" and t["Status"]["State"] == "running" and t.get("Slot"))

    def workers(self) -> list[dict]:
        return [n for n in self.node_list if n["Spec"]["Role"] == "worker" and n["Status"]["State"] == "ready"]

    def new_task(self, svc: dict, slot: int, node: dict, state: str = "running", desired: str = "running",
                 when: str | None = None) -> dict:
        task = copy.deepcopy(self._template)
        task["ID"] = self.new_id()
        task["ServiceID"], task["NodeID"], task["Slot"] = svc["ID"], node["ID"], slot
        task["Spec"] = copy.deepcopy(svc["Spec"]["TaskTemplate"])
        if "ServiceAnnotations" in task:
            task["ServiceAnnotations"] = {"Name": svc["Spec"]["Name"], "Labels": svc["Spec"]["Labels"]}
        when = when or now_ts()
        task["CreatedAt"] = task["UpdatedAt"] = task["Status"]["Timestamp"] = when
        task["DesiredState"] = desired
        self._set_state(task, state, when)
        task["Version"] = {"Index": self.next_index()}
        return task

    def _set_state(self, task: dict, state: str, when: str, err: str | None = None) -> None:
        status = task["Status"]
        status["State"], status["Timestamp"] = state, when
        status["Message"] = {"running": "started", "shutdown": "shutdown", "failed": "started", "pending": "pending task scheduling",
                             "assigned": "scheduler assigned task to node", "starting": "starting"}.get(state, state)
        task["UpdatedAt"] = when
        if state in ("running", "shutdown", "failed"):
            status["ContainerStatus"] = {"ContainerID": "".join(self.rng.choice("0123456789abcdef") for _ in range(64)),
                                         "PID": self.rng.randrange(1000, 60000) if state == "running" else 0,
                                         "ExitCode": {"running": -1, "shutdown": 0, "failed": 1}[state]}
        else:
            status.pop("ContainerStatus", None)
        if err:
            status["Err"] = err
        else:
            status.pop("Err", None)

    def _make_tasks(self) -> None:
        workers = self.workers()
        k = 0
        for svc in self.service_list:
            for slot in range(1, svc["Spec"]["Mode"]["Replicated"]["Replicas"] + 1):
                node = workers[k % len(workers)]
                k += 1
                self.task_list.append(self.new_task(svc, slot, node, when=self.ago(0.05, 24 * 2)))
                if self.rng.random() < self.history:
                    failed = self.rng.random() < 0.2
                    old = self.new_task(svc, slot, workers[self.rng.randrange(len(workers))], "failed" if failed else "shutdown",
                                        "shutdown", when=self.ago(24 * 2, 24 * 5))
                    if failed:
                        old["Status"]["Err"] = "task: non-zero exit (1)"
                    self.task_list.append(old)

    # ---- reading ------------------------------------------------------------------------------
    def service(self, ref: str) -> dict | None:
        return next((s for s in self.service_list if ref in (s["ID"], s["Spec"]["Name"])), None)

    def node(self, ref: str) -> dict | None:
        return next((n for n in self.node_list if ref in (n["ID"], n["Description"]["Hostname"])), None)

    def task(self, ref: str) -> dict | None:
        return next((t for t in self.task_list if t["ID"] == ref), None)

    def running_of(self, svc: dict) -> list[dict]:
        return [t for t in self.task_list if t["ServiceID"] == svc["ID"] and t["DesiredState"] == "running"]

    # ---- changing -----------------------------------------------------------------------------
    def changed(self) -> None:
        self.version += 1

    def emit(self, kind: str, action: str, actor: dict, attributes: dict) -> None:
        ns = time.time_ns()
        event = {"Type": kind, "Action": action, "Actor": {"ID": actor["ID"], "Attributes": attributes},
                 "scope": "swarm", "time": ns // 1_000_000_000, "timeNano": ns}
        self.events.append(event)
        for listener in list(self.listeners):
            listener(event)

    def _recount(self, svc: dict) -> None:
        running = [t for t in self.running_of(svc) if t["Status"]["State"] == "running"]
        svc["ServiceStatus"]["RunningTasks"] = len(running)
        svc["ServiceStatus"]["DesiredTasks"] = svc["Spec"]["Mode"]["Replicated"]["Replicas"]

    def _bump(self, obj: dict) -> None:
        obj["Version"] = {"Index": self.next_index()}
        obj["UpdatedAt"] = now_ts()


# ---- scenarios: each runs on its own thread and returns when the swarm has settled ------------------
def node_death(fleet: Fleet, ref: str | None = None, reschedule_after: float = 0.3, start_after: float = 1.0) -> dict:
    """A worker stops answering: Down (and its event) at once; after `reschedule_after` its tasks are
    shut down and re-created on other workers as pending, running `start_after` later."""
    with fleet.lock:
        node = fleet.node(ref) if ref else next(n for n in fleet.node_list if n["Spec"]["Role"] == "worker" and n["Status"]["State"] == "ready")
        node["Status"]["State"] = "down"
        node["Status"]["Message"] = "heartbeat failure"
        fleet._bump(node)
        fleet.changed()
        fleet.emit("node", "update", node, {"name": node["Description"]["Hostname"], "state.new": "down", "state.old": "ready"})
    time.sleep(reschedule_after)
    with fleet.lock:
        lost = [t for t in fleet.task_list if t["NodeID"] == node["ID"] and t["DesiredState"] == "running"]
        others = [n for n in fleet.workers() if n is not node]
        new = []
        for i, task in enumerate(lost):
            task["DesiredState"] = "shutdown"
            fleet._bump(task)
            svc = fleet.service(task["ServiceID"])
            new.append(fleet.new_task(svc, task["Slot"], others[i * 7 % len(others)], "pending"))
            fleet._recount(svc)
        fleet.task_list.extend(new)
        fleet.changed()
    time.sleep(start_after)
    with fleet.lock:
        for task in new:
            fleet._set_state(task, "running", now_ts())
            fleet._bump(task)
        for svc in {t["ServiceID"] for t in new}:
            fleet._recount(fleet.service(svc))
        fleet.changed()
    return {"node": node["ID"], "hostname": node["Description"]["Hostname"], "tasks": len(lost)}


def scale(fleet: Fleet, ref: str | None = None, replicas: int = 1000, wave: int = 100, every: float = 0.3) -> dict:
    """A service scaled (say 200 -> 1,000): the new tasks appear pending at once and start in waves."""
    with fleet.lock:
        svc = fleet.service(ref) if ref else fleet.service_list[0]
        old = svc["Spec"]["Mode"]["Replicated"]["Replicas"]
        svc["Spec"]["Mode"]["Replicated"]["Replicas"] = replicas
        fleet._bump(svc)
        workers = fleet.workers()
        new = [fleet.new_task(svc, slot, workers[slot % len(workers)], "pending") for slot in range(old + 1, replicas + 1)]
        fleet.task_list.extend(new)
        fleet._recount(svc)
        fleet.changed()
        fleet.emit("service", "update", svc, {"name": svc["Spec"]["Name"], "replicas.new": str(replicas), "replicas.old": str(old)})
    for start in range(0, len(new), wave):
        time.sleep(every)
        with fleet.lock:
            for task in new[start:start + wave]:
                fleet._set_state(task, "running", now_ts())
                fleet._bump(task)
            fleet._recount(svc)
            fleet.changed()
    return {"service": svc["ID"], "from": old, "to": replicas}


def rolling_update(fleet: Fleet, ref: str | None = None, parallelism: int = 100, every: float = 0.3) -> dict:
    """A new image tag rolled over every replica, `parallelism` at a time (stop-first), with the
    UpdateStatus and the updatestate events the engine sends."""
    with fleet.lock:
        svc = fleet.service(ref) if ref else fleet.service_list[0]
        svc["PreviousSpec"] = copy.deepcopy(svc["Spec"])
        spec = svc["Spec"]["TaskTemplate"]["ContainerSpec"]
        repo, _, tag = spec["Image"].rpartition(":")
        spec["Image"] = f"{repo}:{tag}.1"
        svc["UpdateStatus"] = {"State": "updating", "StartedAt": now_ts(), "Message": "update in progress"}
        fleet._bump(svc)
        fleet.changed()
        fleet.emit("service", "update", svc, {"name": svc["Spec"]["Name"], "updatestate.new": "updating", "updatestate.old": ""})
        old = fleet.running_of(svc)
    workers = fleet.workers()
    for start in range(0, len(old), parallelism):
        time.sleep(every)
        with fleet.lock:
            for task in old[start:start + parallelism]:
                task["DesiredState"] = "shutdown"
                fleet._set_state(task, "shutdown", now_ts())
                fleet._bump(task)
                fleet.task_list.append(fleet.new_task(svc, task["Slot"], workers[task["Slot"] % len(workers)]))
            fleet._recount(svc)
            fleet.changed()
    with fleet.lock:
        svc["UpdateStatus"] = {**svc["UpdateStatus"], "State": "completed", "CompletedAt": now_ts(), "Message": "update completed"}
        fleet._bump(svc)
        fleet.changed()
        fleet.emit("service", "update", svc, {"name": svc["Spec"]["Name"], "updatestate.new": "completed", "updatestate.old": "updating"})
    return {"service": svc["ID"], "tasks": len(old)}


def burst(fleet: Fleet, events: int = 500, seconds: float = 1.0) -> dict:
    """`events` service update events spread over `seconds` (a stack deploy touching every service)."""
    for i in range(events):
        with fleet.lock:
            svc = fleet.service_list[i % len(fleet.service_list)]
            fleet._bump(svc)
            fleet.changed()
            fleet.emit("service", "update", svc, {"name": svc["Spec"]["Name"]})
        time.sleep(seconds / events)
    return {"events": events}


SCENARIOS = {"node-death": node_death, "scale": scale, "rolling-update": rolling_update, "burst": burst}
