"""The replay engine checks itself against the lab capture, through swarmtui's own code.

    .venv/bin/python -m bench.replay.check

1. Served as captured (no scaling), a SwarmClient refresh over the replay socket gives the very
   Snapshot that assemble.snapshot() builds from the capture files: the routes, filters and JSON
   the server answers are what the engine answered.
2. Scaled (500 nodes / 200 services / 10,000 tasks), every node, service and task decodes through
   convert.* to the model of the captured object it was copied from, except for the fields the
   generator means to change (identity, names, times, counts): same schema, nothing lost.
3. The docker CLI reads the scaled fleet: `docker node ls` and `docker service ls` list every
   node and service.
Exit status 1 and the differences printed when a check fails.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.replay.fleet import Fleet
from bench.replay.server import serve
from swarmtui.cluster import assemble, convert
from swarmtui.cluster.client import SwarmClient

# what the generator changes on purpose, per model
CHANGED = {
    "Node": {"id", "hostname", "address", "running_tasks", "reserved", "limits", "manager_reachability", "leader", "version"},
    "Service": {"id", "name", "image", "replicas_running", "replicas_desired", "labels", "created", "updated", "version"},
    "Task": {"id", "service_id", "service_name", "slot", "node_id", "node_hostname", "state_since", "container_id",
             "created", "image"},
}


def differences(model, template) -> set[str]:
    a, b = dataclasses.asdict(model), dataclasses.asdict(template)
    return {k for k in a if a[k] != b[k]}


def check_served_as_captured() -> list[str]:
    fleet = Fleet(scaled=False)
    cap = fleet.capture
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "replay.sock")
        server = serve(sock, fleet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with SwarmClient(f"unix://{sock}") as client:
                served = client.snapshot(tasks_for=cap["services"][0]["Spec"]["Name"])
        finally:
            server.shutdown()
    running = [t for t in cap["tasks"] if t["DesiredState"] in ("running", "ready")]
    names = convert.network_names(cap["networks"] + cap["network_inspect"])
    raw = assemble.RawSwarm(cap["swarm"], cap["nodes"], cap["services"], running, names)
    direct = assemble.snapshot(raw, served.taken_at, cap["services"][0]["Spec"]["Name"])
    problems = []
    for part in ("swarm", "nodes", "services", "tasks"):
        if getattr(served, part) != getattr(direct, part):
            problems.append(f"served-as-captured {part} differ:\n  served {getattr(served, part)}\n  direct {getattr(direct, part)}")
    if not served.tasks:
        problems.append("served-as-captured: no tasks for the first service")
    return problems


def check_scaled(fleet: Fleet) -> list[str]:
    cap = fleet.capture
    names = convert.network_names(cap["networks"] + cap["network_inspect"])
    problems: list[str] = []
    templates = {
        "manager": convert.node(next(n for n in cap["nodes"] if n["Spec"]["Role"] == "manager")),
        "worker": convert.node(next(n for n in cap["nodes"] if n["Spec"]["Role"] == "worker")),
    }
    for raw in fleet.node_list:
        extra = differences(convert.node(raw), templates[raw["Spec"]["Role"]]) - CHANGED["Node"]
        if extra:
            problems.append(f"node {raw['Description']['Hostname']}: {sorted(extra)} differ from the captured node")
            break
    svc_template = convert.service(next(s for s in cap["services"] if "Replicated" in s["Spec"]["Mode"]), names)
    for raw in fleet.service_list:
        extra = differences(convert.service(raw, names), svc_template) - CHANGED["Service"]
        if extra:
            problems.append(f"service {raw['Spec']['Name']}: {sorted(extra)} differ from the captured service")
            break
    task_template = convert.task(fleet._template, {}, {})
    service_names, hosts = assemble.service_names(fleet.service_list), assemble.hostnames(fleet.node_list)
    for raw in fleet.task_list:
        model = convert.task(raw, service_names, hosts)
        allowed = CHANGED["Task"] | ({"state", "desired_state", "exit_code", "message", "error"} if raw["DesiredState"] != "running" else set())
        extra = differences(model, task_template) - allowed
        if extra:
            problems.append(f"task {model.name}: {sorted(extra)} differ from the captured task")
            break
    snap = assemble.snapshot(assemble.RawSwarm(cap["swarm"], fleet.node_list, fleet.service_list,
                                               [t for t in fleet.task_list if t["DesiredState"] == "running"], names),
                             datetime.now(timezone.utc))
    running = sum(n.running_tasks for n in snap.nodes)
    if (len(snap.nodes), len(snap.services), running) != (fleet.nodes, fleet.services, fleet.tasks):
        problems.append(f"scaled: {len(snap.nodes)} nodes, {len(snap.services)} services, {running} running tasks "
                        f"(meant {fleet.nodes}, {fleet.services}, {fleet.tasks})")
    return problems


def check_cli(fleet: Fleet) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "replay.sock")
        server = serve(sock, fleet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        env = {**os.environ, "DOCKER_HOST": f"unix://{sock}", "DOCKER_CONFIG": tmp}
        try:
            out = {cmd: subprocess.run(["docker", *cmd.split(), "-q"], env=env, capture_output=True, text=True, timeout=60)
                   for cmd in ("node ls", "service ls")}
        finally:
            server.shutdown()
    problems = [f"docker {cmd}: {p.stderr.strip()}" for cmd, p in out.items() if p.returncode]
    counts = {cmd: len(p.stdout.split()) for cmd, p in out.items()}
    if counts != {"node ls": fleet.nodes, "service ls": fleet.services}:
        problems.append(f"docker CLI listed {counts}")
    return problems


def main() -> int:
    fleet = Fleet()
    problems = check_served_as_captured() + check_scaled(fleet) + check_cli(fleet)
    for p in problems:
        print("replay check FAILED:", p)
    if not problems:
        print(f"replay check ok: the capture served as is decodes to the same Snapshot; {len(fleet.node_list)} nodes, "
              f"{len(fleet.service_list)} services, {len(fleet.task_list)} tasks decode like the captured ones; "
              "the docker CLI lists them all")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
