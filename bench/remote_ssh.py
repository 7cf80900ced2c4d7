"""Benchmark: the swarm read over ssh:// by swarmtui against the docker CLI doing the same reads over
ssh://, side by side in one run; connect time; ssh connections and processes while idle.

    .venv/bin/python bench/remote_ssh.py [--lab reach2] [--services 4] [--runs 10] [--idle 20]

Needs a lab brought up with `swarmtui lab --name LAB up --ssh` (the remote_lab test fixture makes
one: 3 managers, 1 worker).  HOME and DOCKER_CONFIG point at a temp dir whose .ssh/config is the
lab's, so both sides use the same key and known_hosts (the CLI through the lab's ssh wrapper).
One swarmtui read = SwarmClient.snapshot() over one reused SSH connection (swarm, nodes, services
with counts, every running task: 4 API calls, what the TUI's refresh does); one CLI read = `docker node ls`, `docker service ls` and
`docker service ps S` for each of the SERVICES services, each a new `docker -H ssh://` process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swarmtui.lab.lab import Lab


def ssh_processes() -> int:
    out = subprocess.run(["pgrep", "-c", "-x", "ssh"], capture_output=True, text=True).stdout.strip()
    return int(out or 0)


def ssh_sockets(subnet) -> int:
    from tests.ui.test_context_switch import ssh_sockets_to  # the same /proc count the :ctx test uses

    return ssh_sockets_to(str(subnet))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", default=os.environ.get("SWARMTUI_TEST_REMOTE_LAB", "remote:").split(":")[0])
    ap.add_argument("--services", type=int, default=4)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--idle", type=float, default=20.0)
    args = ap.parse_args()
    lab = Lab.load(args.lab)
    if not lab.ssh:
        print(f"lab {args.lab} has no sshd: `swarmtui lab --name {args.lab} up --ssh`", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-ssh-"))
    (tmp / ".ssh").mkdir()
    shutil.copyfile(lab.ssh_config, tmp / ".ssh" / "config")
    os.environ.update(HOME=str(tmp), DOCKER_CONFIG=str(tmp / "docker-config"))
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT"):
        os.environ.pop(name, None)
    from swarmtui.cluster.client import SwarmClient
    from swarmtui.cluster.endpoint import from_host
    from swarmtui.cluster.feed import Feed
    from swarmtui.cluster.logs import LogStream

    url = lab.ssh_url()
    cli = shutil.which("docker")
    env = lab.ssh_env()
    names = [f"bssh{i}" for i in range(args.services)]
    docker = lambda *a: subprocess.run([cli, "-H", url, *a], capture_output=True, text=True, env=env, check=True).stdout  # noqa: E731
    for name in names:
        docker("service", "create", "--detach", "--name", name, "--replicas", "2", "--network", "host",
               f"{lab.registry}/spider:0.01", "python3", "-c", "import time; time.sleep(10**6)")
    try:
        started = time.perf_counter()
        swarm = SwarmClient(from_host(url, "--host"))
        swarm.api.ping()
        connect = time.perf_counter() - started
        tui, cli_times = [], []
        for _ in range(args.runs):  # alternate, so load on the machine hits both alike
            t = time.perf_counter()
            snap = swarm.snapshot()
            tui.append(time.perf_counter() - t)
            t = time.perf_counter()
            docker("node", "ls")
            docker("service", "ls")
            for name in names:
                docker("service", "ps", name)
            cli_times.append(time.perf_counter() - t)
        assert len(snap.services) >= args.services
        t = time.perf_counter()
        docker("version")
        cli_connect = time.perf_counter() - t
        # idle: a client, the events feed and a log stream open, nothing happening
        feed = Feed(from_host(url, "--host"), on_signal=lambda s: None).start()
        logs = LogStream(from_host(url, "--host"), names[0], lambda batch: None, tail=1).start()
        time.sleep(3)
        before = (ssh_sockets(lab.subnet), ssh_processes())
        for _ in range(int(args.idle)):
            swarm.snapshot()  # the app refreshes too (every 10 s, more on events)
            time.sleep(1)
        after = (ssh_sockets(lab.subnet), ssh_processes())
        logs.close()
        feed.stop()
        swarm.close()
    finally:
        for name in names:
            subprocess.run([cli, "-H", url, "service", "rm", name], capture_output=True, env=env)
        shutil.rmtree(tmp, ignore_errors=True)
    mt, mc = statistics.median(tui), statistics.median(cli_times)
    print(f"lab {args.lab}: {len(snap.nodes)} nodes, {args.services} services x 2 replicas, {args.runs} runs, load {os.getloadavg()[0]:.1f}")
    print(f"  swarmtui snapshot over ssh://   median {mt * 1000:7.0f} ms   (min {min(tui) * 1000:.0f}, max {max(tui) * 1000:.0f})")
    print(f"  docker CLI same reads, ssh://   median {mc * 1000:7.0f} ms   ({2 + args.services} commands; "
          f"min {min(cli_times) * 1000:.0f}, max {max(cli_times) * 1000:.0f})")
    print(f"  ratio CLI / swarmtui            {mc / mt:7.1f}x")
    print(f"  connect: swarmtui first call {connect * 1000:.0f} ms; `docker -H ssh:// version` {cli_connect * 1000:.0f} ms")
    print(f"  idle {args.idle:.0f}s with client+feed+log stream: ssh connections {before[0]} -> {after[0]}, "
          f"ssh processes {before[1]} -> {after[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
