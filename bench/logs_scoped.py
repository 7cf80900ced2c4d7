"""Scoped logs (one task, one node) vs the docker CLI doing the same, in one run.

One service of N replicas spread over the lab's nodes, each printing COUNT numbered lines (one
python loop, no fork per line) then idling.  For each scope, time until every line of the scope
has arrived, the CLI and swarmtui's LogStream one after the other, ROUNDS times (median):
  * task:  `docker service logs --tail all TASK_ID` (the CLI takes a task id)   vs LogStream(task=)
  * node:  `docker service logs SERVICE`, lines whose prefix names the node kept  vs LogStream(node=)
           (the CLI has no node filter: this is what an operator does with grep)
  * service (the reference): `docker service logs SERVICE`                       vs LogStream(service)
Both follow (-f) and are timed to the last expected line, counting lines only (no terminal).

    .venv/bin/python bench/logs_scoped.py [--replicas 12] [--count 2000] [--rounds 3] [--lab test]

Needs the lab (`swarmtui lab --name NAME up`); removes its service at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docker.types import ServiceMode

from swarmtui.cluster.logs import LogStream
from swarmtui.lab.lab import Lab

WRITER = """
import os, sys, time
slot, count = os.environ["SLOT"], int(os.environ["COUNT"])
out = sys.stdout
for i in range(count):
    out.write(f"replica {slot} line {i} some crawler output /item/{i}\\n")
    if i % 200 == 0:
        out.flush(); time.sleep(0.01)
out.flush()
time.sleep(10**6)
"""


def cli_seconds(argv: list[str], env: dict, expected: int, keep=lambda line: True) -> tuple[float, int]:
    """Run the CLI with -f until it printed `expected` kept lines (30 s at most), then stop it.
    (Without -f, `docker service logs` of 12 × 2,000 lines stalled here for good after ~18,000.)"""
    started = time.monotonic()
    cli = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    timer = threading.Timer(30, cli.kill)
    timer.start()
    count = 0
    try:
        for line in cli.stdout:
            count += keep(line)
            if count >= expected:
                break
        return time.monotonic() - started, count
    finally:
        timer.cancel()
        cli.kill()
        cli.wait()


def stream_seconds(lab: Lab, expected: int, only: str | None = None, **kwargs) -> tuple[float, int]:
    """LogStream until `expected` lines (of service `only`: a node also runs other services) arrived."""
    got = [0]
    done = threading.Event()

    def on_batch(batch):
        got[0] += sum(only is None or line.service == only for line in batch)
        if got[0] >= expected:
            done.set()

    started = time.monotonic()
    stream = LogStream(lab.docker_host, kwargs.pop("service", None), on_batch, tail="all", **kwargs).start()
    done.wait(120)
    elapsed = time.monotonic() - started
    stream.close()
    return elapsed, got[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=12)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lab", default="test")
    args = parser.parse_args()
    lab = Lab.load(args.lab)
    env = dict(os.environ, DOCKER_HOST=lab.docker_host)
    name = f"bench{uuid.uuid4().hex[:6]}"
    with lab.client() as client:
        service = client.services.create(
            f"{lab.registry}/spider:0.01", ["python3", "-c", WRITER], name=name,
            env=["SLOT={{.Task.Slot}}", f"COUNT={args.count}"], stop_grace_period=1_000_000_000,
            mode=ServiceMode("replicated", replicas=args.replicas))
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                tasks = client.api.tasks(filters={"service": service.id, "desired-state": "running"})
                if sum(t["Status"]["State"] == "running" for t in tasks) >= args.replicas:
                    break
                time.sleep(1)
            # every replica has written everything
            while sum(stream_seconds(lab, args.count, task=t["ID"])[1] for t in tasks) < args.replicas * args.count:
                time.sleep(1)
            task = tasks[0]
            node_id = task["NodeID"]
            on_node = sum(t["NodeID"] == node_id for t in tasks) * args.count
            hostname = client.api.inspect_node(node_id)["Description"]["Hostname"]
            node_key = f"@{hostname} ".encode()  # the CLI's `service.slot.task@host    |` prefix
            scopes = {
                "task": (["docker", "service", "logs", "-f", "--tail", "all", task["ID"]], None, args.count,
                         {"task": task["ID"]}),
                "node": (["docker", "service", "logs", "-f", name], lambda line: node_key in line, on_node,
                         {"node": node_id}),
                "service": (["docker", "service", "logs", "-f", name], None, args.replicas * args.count,
                            {"service": service.id}),
            }
            print(f"{args.replicas} replicas × {args.count} lines, {on_node:,} on the node of task {task['ID'][:12]}; "
                  f"median of {args.rounds} rounds")
            print("| scope | lines | CLI | swarmtui | swarmtui / CLI |")
            print("|---|---|---|---|---|")
            for label, (argv, keep, expected, kwargs) in scopes.items():
                cli, ours, short, short_ours = [], [], [], []
                for _ in range(args.rounds):
                    seconds, count = cli_seconds(argv, env, expected, keep or (lambda line: True))
                    cli.append(seconds)
                    if count < expected:  # seen: the CLI stalls on a whole service's history
                        short.append(f"{count:,}")
                    seconds, count = stream_seconds(lab, expected, only=name, **dict(kwargs))
                    ours.append(seconds)
                    if count < expected:
                        short_ours.append(f"{count:,}")
                c, o = statistics.median(cli), statistics.median(ours)
                stalled = f" (stalled at {', '.join(short)} lines in {len(short)} of {args.rounds})" if short else ""
                ours_short = f" (short: {', '.join(short_ours)} lines in 120 s)" if short_ours else ""
                print(f"| {label} | {expected:,} | {c * 1000:.0f} ms{stalled} | {o * 1000:.0f} ms{ours_short} | {o / c:.2f} |",
                      flush=True)
        finally:
            service.remove()


if __name__ == "__main__":
    main()
