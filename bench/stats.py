"""Benchmark: CPU/memory of 50 visible tasks spread over the nodes, swarmtui's refresh against
`docker stats --no-stream` run on each node, side by side in one run.

    .venv/bin/python bench/stats.py [--lab statsr] [--tasks 50] [--runs 8]

Needs a lab brought up with `swarmtui lab --name LAB up --ssh` (the remote_lab test fixture makes
one: 3 managers, 1 worker).  swarmtui runs as on the first manager: that node through its local
socket, every other one through the system OpenSSH client (the lab's ssh first on PATH, as
`lab env` gives it: its key, known_hosts, host keys checked), one forward per node kept between
refreshes (cluster/stats.py).  One swarmtui refresh = StatsPoller.poll() of the TASKS tasks (what
the tasks pane does every 3 s for the rows on screen).  The anchor: `docker stats --no-stream` on
each node, the first manager's locally, the others' as `ssh NODE docker stats --no-stream`, all
nodes at once (its best case) and one after the other (as a person would type them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swarmtui.lab.lab import Lab


def ssh_processes(needle: str) -> int:
    out = subprocess.run(["pgrep", "-af", "ssh "], capture_output=True, text=True).stdout
    return sum(needle in line for line in out.splitlines())


def ms(values) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms ({min(values) * 1000:.0f} / {max(values) * 1000:.0f})"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", default=os.environ.get("SWARMTUI_TEST_REMOTE_LAB", "remote:").split(":")[0])
    ap.add_argument("--tasks", type=int, default=50)
    ap.add_argument("--runs", type=int, default=8)
    args = ap.parse_args()
    lab = Lab.load(args.lab)
    if not lab.ssh:
        print(f"lab {args.lab} has no sshd: `swarmtui lab --name {args.lab} up --ssh`", file=sys.stderr)
        return 2
    os.environ["PATH"] = f"{lab.ssh_bin}:{os.environ['PATH']}"
    from swarmtui.cluster.client import SwarmClient
    from swarmtui.cluster.stats import NodeEngines, StatsPoller, Unavailable

    name = "benchstats"
    client = SwarmClient(lab.docker_host)
    docker = shutil.which("docker")
    subprocess.run([docker, "-H", lab.docker_host, "service", "rm", name], capture_output=True)
    subprocess.run([docker, "-H", lab.docker_host, "service", "create", "--detach", "--name", name, "--replicas",
                    str(args.tasks), "--network", "host", "--stop-grace-period", "1s", f"{lab.registry}/spider:0.01",
                    "sleep", "1000000"], check=True, capture_output=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            snap = client.snapshot(tasks_for=name)
            running = [t for t in snap.tasks if t.state == "running"]
            if len(running) == args.tasks:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(running)}/{args.tasks} tasks running after 300 s")
            time.sleep(1)
        spread = {}
        for t in running:
            spread[t.node_hostname] = spread.get(t.node_hostname, 0) + 1
        uptime = Path("/proc/loadavg").read_text().split()[0]
        print(f"{args.tasks} tasks running on {len(spread)} nodes: {dict(sorted(spread.items()))}; load average {uptime}")

        poller = StatsPoller(NodeEngines(client.endpoint.host, client.own_hostname))
        t0 = time.perf_counter()
        poller.poll(running, snap.nodes)
        first_s = time.perf_counter() - t0
        first_calls, opened = poller.calls, poller.engines.opened
        steady, calls = [], []
        for _ in range(args.runs):
            time.sleep(3.0)  # as the pane polls (ui/usage.py USAGE_SECONDS): the engines' collectors idle between
            before = poller.calls
            t0 = time.perf_counter()
            result = poller.poll(running, snap.nodes)
            steady.append(time.perf_counter() - t0)
            calls.append(poller.calls - before)
        failed = [r.reason for r in result.values() if isinstance(r, Unavailable)]
        with_cpu = sum(1 for r in result.values() if getattr(r, "cpu_percent", None) is not None)
        forwards = ssh_processes(str(poller.engines._dir))
        poller.close()

        def node_stats(hostname: str) -> float:
            node = lab.node(hostname)
            argv = ([docker, "-H", lab.docker_host] if node is lab.manager else
                    ["ssh", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", node.address, "docker"])
            t = time.perf_counter()
            subprocess.run([*argv, "stats", "--no-stream"], check=True, capture_output=True, text=True)
            return time.perf_counter() - t

        hosts = sorted(spread)
        parallel, serial = [], []
        with ThreadPoolExecutor(len(hosts)) as pool:
            for _ in range(max(3, args.runs // 2)):
                t0 = time.perf_counter()
                list(pool.map(node_stats, hosts))
                parallel.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                for h in hosts:
                    node_stats(h)
                serial.append(time.perf_counter() - t0)

        print()
        print(f"| {args.tasks} tasks on {len(hosts)} nodes | median (min / max) | calls |")
        print("| --- | --- | --- |")
        print(f"| swarmtui, first refresh (opens {opened} connections: {opened - 1} ssh forwards + the local socket) "
              f"| {first_s * 1000:.0f} ms | {first_calls} stats calls, memory only |")
        print(f"| swarmtui, each later refresh (connections reused) | **{ms(steady)}** | {statistics.median(calls):.0f} stats calls, "
              f"CPU and memory, 0 new connections |")
        print(f"| `docker stats --no-stream` on each node, all at once | {ms(parallel)} | {len(hosts)} processes "
              f"({len(hosts) - 1} ssh) |")
        print(f"| `docker stats --no-stream` on each node, one after the other | {ms(serial)} | {len(hosts)} processes |")
        print(f"| ratio (all at once / swarmtui's refresh) | **{statistics.median(parallel) / statistics.median(steady):.0f}x** | |")
        print()
        print(f"after {args.runs + 1} refreshes: {poller.engines.opened} connections opened in all, {forwards} ssh "
              f"forward processes; {with_cpu}/{len(result)} tasks with a CPU figure, unreachable: {failed or 'none'}")
        assert not failed and with_cpu == args.tasks and poller.engines.opened == len(hosts)
    finally:
        subprocess.run([docker, "-H", lab.docker_host, "service", "rm", name], capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
