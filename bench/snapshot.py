"""Benchmark: swarmtui's snapshot vs the docker CLI doing the same reads, side by side in one run.

    .venv/bin/python bench/snapshot.py [--lab test] [--services 20] [--replicas 15] [--repeats 5]

Creates SERVICES x REPLICAS sleeping tasks (the spider image, no log output) on a
lab swarm, waits until they run, then times, alternately:
  swarmtui: SwarmClient.snapshot() of nodes + services + running tasks per node
            (what a TUI refresh reads);
  docker CLI: `docker node ls`, `docker service ls`, and `docker service ps` per service.
Prints medians and the ratio; removes the services afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swarmtui.cluster.client import SwarmClient
from swarmtui.lab.lab import Lab

SLEEPER = ["python3", "-c", "import time; time.sleep(1e9)"]
PREFIX = "bench-snap-"


def cli_reads(host: str, names: list[str]) -> None:
    docker = ["docker", "-H", host]
    subprocess.run([*docker, "node", "ls"], check=True, capture_output=True)
    subprocess.run([*docker, "service", "ls"], check=True, capture_output=True)
    for name in names:
        subprocess.run([*docker, "service", "ps", name], check=True, capture_output=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lab", default="lab", help="lab name (default: the demo lab 'lab')")
    ap.add_argument("--services", type=int, default=20)
    ap.add_argument("--replicas", type=int, default=15)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

    lab = Lab.load(args.lab)
    host = lab.docker_host
    names = [f"{PREFIX}{i:02d}" for i in range(args.services)]
    client = SwarmClient(host, timeout=60, max_replicas=10_000)
    try:
        print(f"creating {args.services} services x {args.replicas} replicas on lab {args.lab!r} ...", flush=True)
        for name in names:
            client.create_service(name, f"{lab.registry}/spider:0.01", args.replicas, command=SLEEPER)
        want = args.services * args.replicas
        started = time.monotonic()
        while True:
            running = sum(s.replicas_running for s in client.services() if s.name.startswith(PREFIX))
            if running >= want:
                break
            if time.monotonic() - started > 300:
                print(f"only {running}/{want} tasks running after 300 s; measuring anyway", flush=True)
                break
            time.sleep(2)
        print(f"{running} tasks running after {time.monotonic() - started:.0f} s", flush=True)

        ours, cli = [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            snap = client.snapshot()
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            cli_reads(host, names)
            cli.append(time.perf_counter() - t0)
        tasks = sum(n.running_tasks for n in snap.nodes)
        m_ours, m_cli = statistics.median(ours), statistics.median(cli)
        print()
        print(f"swarm: {len(snap.nodes)} nodes, {len(snap.services)} services, {tasks} running tasks; "
              f"median of {args.repeats} runs")
        print(f"{'what':<58} {'median':>9}")
        print(f"{'swarmtui snapshot (4 API calls)':<58} {m_ours * 1000:>7.0f}ms")
        print(f"{f'docker node ls + service ls + service ps x {len(names)}':<58} {m_cli * 1000:>7.0f}ms")
        print(f"ratio: swarmtui is {m_cli / m_ours:.0f}x faster")
    finally:
        print("removing the bench services ...", flush=True)
        for name in names:
            try:
                client.remove_service(name)
            except Exception:  # noqa: BLE001 - best effort cleanup
                pass
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
