"""Benchmark: stacks in swarmtui vs the docker CLI, side by side in one run.

    .venv/bin/python bench/stacks.py [--lab test] [--stacks 10] [--repeats 7]

Deploys STACKS small stacks (one sleeping service each, its own overlay network) with the
real `docker stack deploy`, then times, alternately:
  listing:  swarmtui `stacks.stacks()` (one services call, grouped by label)
            vs `docker stack ls` (one process);
  contents: swarmtui `stacks.contents()` (what `stack rm` lists: 4 label-filtered calls)
            vs `docker stack services` + `docker network ls --filter label=...` (2 processes);
  deploy:   swarmtui's checks before a redeploy (`plan_deploy`: two `docker stack config` runs,
            the variable scan, external objects, the current services) vs the redeploy itself
            (`docker stack deploy` of the unchanged file), i.e. what the checks add.
Prints medians and ratios; removes the stacks afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swarmtui.cluster import stacks
from swarmtui.cluster.client import SwarmClient
from swarmtui.lab.lab import Lab

COMPOSE = """version: "3.8"
services:
  app:
    image: ${IMAGE}
    command: ["python3", "-c", "import time; time.sleep(1e9)"]
    deploy:
      replicas: 1
"""
PREFIX = "benchstk"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lab", default="test")
    ap.add_argument("--stacks", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    lab = Lab.load(args.lab)
    host = lab.docker_host
    docker = ["docker", "-H", host]
    names = [f"{PREFIX}{i}" for i in range(args.stacks)]
    with tempfile.TemporaryDirectory() as tmp, SwarmClient(host, timeout=60) as client:
        compose = Path(tmp) / "stack.yml"
        compose.write_text(COMPOSE)
        env = {"IMAGE": f"{lab.registry}/spider:0.01"}
        try:
            for name in names:
                stacks.deploy(stacks.plan_deploy(client, str(compose), name, variables=env))
            cli_env = {**stacks.dockercli.cli_environment(client.endpoint), **env}
            rows: dict[str, list[float]] = {k: [] for k in ("ls", "ls_cli", "contents", "contents_cli", "plan", "deploy_cli")}
            for _ in range(args.repeats):
                rows["ls"].append(timed(lambda: stacks.stacks(client)))
                rows["ls_cli"].append(timed(lambda: subprocess.run([*docker, "stack", "ls"], check=True, capture_output=True)))
                rows["contents"].append(timed(lambda: stacks.contents(client, names[0])))
                rows["contents_cli"].append(timed(lambda: (
                    subprocess.run([*docker, "stack", "services", names[0]], check=True, capture_output=True),
                    subprocess.run([*docker, "network", "ls", "--filter", f"label=com.docker.stack.namespace={names[0]}"],
                                   check=True, capture_output=True))))
                rows["plan"].append(timed(lambda: stacks.plan_deploy(client, str(compose), names[0], variables=env)))
                rows["deploy_cli"].append(timed(lambda: subprocess.run(
                    ["docker", "stack", "deploy", "-c", str(compose), names[0]], check=True, capture_output=True, env=cli_env)))
        finally:
            for name in names:
                if not stacks.contents(client, name).empty:
                    stacks.remove_stack(client, name)
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"{args.stacks} stacks, {args.repeats} runs each, medians:")
    print(f"  list:     swarmtui stacks()  {med['ls']:8.1f} ms | docker stack ls {med['ls_cli']:8.1f} ms | {med['ls_cli'] / med['ls']:.1f}x")
    print(f"  contents: swarmtui contents() {med['contents']:7.1f} ms | stack services + network ls {med['contents_cli']:8.1f} ms"
          f" | {med['contents_cli'] / med['contents']:.1f}x")
    print(f"  deploy:   checks (plan_deploy) {med['plan']:6.1f} ms | docker stack deploy (unchanged file) {med['deploy_cli']:8.1f} ms"
          f" | checks add {med['plan'] / med['deploy_cli'] * 100:.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
