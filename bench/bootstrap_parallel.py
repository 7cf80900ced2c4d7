"""Benchmark: bootstrap of 8 prepared hosts at once against one host alone, in one run.

    .venv/bin/python bench/bootstrap_parallel.py [--hosts 8] [--runs 5] [--no-registry]

Target (issue 7): 8 hosts in under 1.5x the time of one.

Everything runs on its own bridge (swt-bbn, 10.89.203.0/24), never on a lab's: a fresh host
(swarmtui.lab.fresh_host: own network, mount and UTS namespaces, own sshd, /etc, /etc/docker,
/var/lib/docker) runs `docker swarm init` and is the manager; HOSTS more fresh hosts are the
"prepared" servers: Docker installed and running (there is no package mirror here, so the install
step itself is not timed), an empty daemon.json, not in a swarm.

One timed run = `Engine.run` as `swarmtui bootstrap` does it (a new engine: connect to the manager,
join token through the cluster layer, then every host: connect over SSH with a pinned key,
preflight, Docker check, registry merged into daemon.json + Docker restarted, join, wait for Ready,
one label), concurrency = number of hosts.  Between runs every host is put back: `docker swarm
leave --force`, the node removed on the manager, daemon.json back to `{}` and Docker restarted, so
each run does the same work.  1-host runs (always the same host) and HOSTS-host runs alternate,
after one untimed warm-up of each (pins the host keys).  Prints medians, the ratio and the median
per-step time, and removes every namespace, process and file it made.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncssh

from swarmtui.bootstrap.engine import Engine
from swarmtui.bootstrap.hostkeys import KnownHosts
from swarmtui.bootstrap.hosts import load_targets
from swarmtui.bootstrap.manager import Manager
from swarmtui.bootstrap.steps import STEPS, Auth, Options
from swarmtui.cluster.client import SwarmClient
from swarmtui.lab.fresh_host import FreshHost
from swarmtui.lab.network import NETNS_DIR, ensure_bridge, lab_links, lab_namespaces, remove_bridge

LAB = "bbn"  # bridge swt-bbn, namespaces swt-bbn-fresh-N; never one of the shared labs
SUBNET = ipaddress.ip_network("10.89.203.0/24")
REGISTRY = "10.89.203.1:5999"  # only written into daemon.json (no registry needs to run)
RESET = (
    "docker swarm leave --force >/dev/null 2>&1; "
    "rm -f /etc/docker/daemon.json.swarmtui-* && echo '{}' > /etc/docker/daemon.json && "
    "service docker restart >/dev/null && "
    "for i in $(seq 120); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1"
)


def cpu_busy() -> float:
    """Seconds of CPU the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """CPU seconds of this process (the engine: asyncssh, docker-py, threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def med(values) -> float:
    return statistics.median(values) if values else float("nan")


async def accept(unknown) -> bool:
    return True


class Bench:
    def __init__(self, n_hosts: int, registry: bool, workdir: Path):
        self.n_hosts, self.registry, self.workdir = n_hosts, registry, workdir
        self.manager_host: FreshHost | None = None
        self.hosts: list[FreshHost] = []
        self.key = workdir / "id_ed25519"
        self.known = KnownHosts(user_file=workdir / "user_known_hosts", own_file=workdir / "known_hosts")

    # ---- setup and teardown -----------------------------------------------------------
    def _host(self, index: int) -> FreshHost:
        host = FreshHost(LAB, f"bb-{index}", index, SUBNET, self.workdir / f"bb-{index}")
        host.workdir.mkdir(parents=True)
        host.authorized_keys.write_text(self.public + "\n")
        return host

    def up(self) -> None:
        key = asyncssh.generate_private_key("ssh-ed25519", comment="swarmtui-bench")
        key.write_private_key(str(self.key))
        self.key.chmod(0o600)
        self.public = key.export_public_key().decode().strip()
        ensure_bridge(LAB, SUBNET)
        self.manager_host = self._host(100)
        self.hosts = [self._host(101 + i) for i in range(self.n_hosts)]
        everyone = [self.manager_host, *self.hosts]
        for host in everyone:  # sshd up one by one (cheap), Docker started in parallel
            host.start()
        with ThreadPoolExecutor(4) as pool:
            for host in everyone:
                host.daemon_json.write_text("{}\n")
            list(pool.map(FreshHost.start_docker, everyone))
        m = self.manager_host
        m.exec(f"docker swarm init --advertise-addr {m.address} >/dev/null && "
               "docker swarm update --dispatcher-heartbeat 2s >/dev/null")
        self.docker_host = f"unix://{m.docker_socket}"

    def down(self) -> list[str]:
        """Stop every host and the bridge; return what is left over (should be nothing)."""
        for host in reversed([self.manager_host, *self.hosts]):
            if host is not None and host.pid:
                try:
                    host.stop()
                except Exception as exc:  # noqa: BLE001 - keep cleaning the others
                    print(f"  stopping {host.name}: {exc}", file=sys.stderr)
        remove_bridge(LAB)
        left = [f"netns {n}" for n in lab_namespaces(LAB)] + [f"link {n}" for n in lab_links(LAB)]
        mine = str(self.workdir)
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if mine in cmdline and int(pid) != os.getpid():
                left.append(f"process {pid}: {cmdline[:100]}")
        left += [f"mount {line.split()[1]}" for line in Path("/proc/self/mounts").read_text().splitlines() if mine in line]
        if not left:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return left

    # ---- one run ------------------------------------------------------------------------
    def reset(self, hosts: list[FreshHost]) -> None:
        """Put the hosts back as prepared: out of the swarm, daemon.json `{}`, Docker restarted."""
        with SwarmClient(self.docker_host, timeout=30) as swarm:
            names = {h.name for h in hosts}
            ids = [n.id for n in swarm.nodes() if n.hostname in names and n.role == "worker"]
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda h: h.exec(RESET), hosts))
            for node_id in ids:
                swarm.remove_node(node_id, force=True)

    def run(self, hosts: list[FreshHost]) -> tuple[float, dict, float, float]:
        """(wall seconds, results, machine CPU-seconds busy, this process's CPU-seconds) of one bootstrap."""
        engine = Engine(lambda: Manager.connect(self.docker_host), known=self.known, concurrency=len(hosts))
        options = Options(registry=REGISTRY if self.registry else None, labels={"bench": "bootstrap"}, ready_timeout=120)
        busy0, own0, t0 = cpu_busy(), own_cpu(), time.monotonic()
        try:
            results = asyncio.run(engine.run(load_targets([h.address for h in hosts]),
                                             Auth(key_file=str(self.key), agent=False), options, None, confirm=accept))
        finally:
            engine.close()
        took, busy, own = time.monotonic() - t0, cpu_busy() - busy0, own_cpu() - own0
        bad = {label: r.summary() for label, r in results.items() if not r.ok}
        if bad:
            raise SystemExit(f"bootstrap failed: {bad}")
        return took, results, busy, own


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=8)
    ap.add_argument("--runs", type=int, default=5, help="timed runs of each size (alternating)")
    ap.add_argument("--no-registry", action="store_true", help="skip the registry step (no daemon.json change, no Docker restart)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root (network and mount namespaces)", file=sys.stderr)
        return 2
    if (NETNS_DIR / f"swt-{LAB}-bb-100").exists():
        print(f"another bootstrap bench seems to be running (namespaces swt-{LAB}-*)", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on SIGTERM too (finally below)
    bench = Bench(args.hosts, not args.no_registry, Path(tempfile.mkdtemp(prefix="swt-bench-bootstrap-")))
    times: dict[int, list[float]] = {1: [], args.hosts: []}
    cpu: dict[int, list[tuple[float, float]]] = {1: [], args.hosts: []}
    steps: dict[int, dict[str, list[float]]] = {1: {s: [] for s in STEPS}, args.hosts: {s: [] for s in STEPS}}
    try:
        t0 = time.monotonic()
        bench.up()
        print(f"set up: manager + {args.hosts} prepared hosts on swt-{LAB} ({SUBNET}) in {time.monotonic() - t0:.1f}s",
              flush=True)
        one, many = bench.hosts[:1], bench.hosts
        busy0 = cpu_busy()
        time.sleep(5)
        background = (cpu_busy() - busy0) / 5  # cores busy with other work on this shared machine
        for label, hosts in (("warm-up 1", one), (f"warm-up {args.hosts}", many)):
            took, *_ = bench.run(hosts)
            bench.reset(hosts)
            print(f"{label}: {took:.1f}s (not counted)", flush=True)
        for i in range(args.runs):
            order = (one, many) if i % 2 == 0 else (many, one)
            for hosts in order:
                took, results, busy, own = bench.run(hosts)
                times[len(hosts)].append(took)
                cpu[len(hosts)].append((busy, own))
                for r in results.values():
                    for step, event in r.steps.items():
                        steps[len(hosts)][step].append(event.seconds)
                print(f"run {i + 1}: {len(hosts)} host(s) {took:.2f}s", flush=True)
                bench.reset(hosts)
    finally:
        left = bench.down()
        print("cleanup: " + ("nothing left (namespaces, links, processes, mounts, files)" if not left else
                             "LEFT OVER: " + "; ".join(left)), flush=True)

    n = args.hosts
    m1, mn = med(times[1]), med(times[n])
    print()
    print(f"registry step: {'on (daemon.json merged, Docker restarted)' if bench.registry else 'off'}; "
          f"{args.runs} runs of each, alternating; {os.cpu_count()} CPUs, {background:.2f} of them busy with "
          "other work before the runs (5 s)")
    print("| bootstrap | median s | min s | max s | vs 1 host | machine CPU busy, median | of it swarmtui's process |")
    print("|---|---|---|---|---|---|---|")
    for k, name in ((1, "1 host"), (n, f"{n} hosts at once")):
        busy, own = med([b for b, _ in cpu[k]]), med([o for _, o in cpu[k]])
        print(f"| {name} | {med(times[k]):.2f} | {min(times[k]):.2f} | {max(times[k]):.2f} | {med(times[k]) / m1:.2f}x "
              f"| {busy:.1f} CPU-s ({busy / med(times[k]):.2f} of {os.cpu_count()} cores) | {own:.2f} CPU-s |")
    floor = med([b for b, _ in cpu[n]]) / os.cpu_count()
    print(f"\n{n} hosts: the machine's busy CPU during the run (every process), spread over all {os.cpu_count()} "
          f"cores, needs {floor:.2f}s at least "
          f"({mn / floor:.2f}x of that floor); swarmtui's own process used {med([o for _, o in cpu[n]]):.2f} CPU-s")
    print(f"\ntarget {n} hosts < 1.5x one host: {'met' if mn / m1 < 1.5 else 'NOT met'} ({mn / m1:.2f}x)")
    print("\nmedian seconds per step (per host):")
    print("| step | 1 host | " + f"{n} hosts |")
    print("|---|---|---|")
    for s in STEPS:
        print(f"| {s} | {med(steps[1][s]):.2f} | {med(steps[n][s]):.2f} |")
    return 0 if not left else 1


if __name__ == "__main__":
    sys.exit(main())
