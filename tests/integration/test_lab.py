"""The lab is the ground every other test stands on: check it is a real, healthy swarm."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from swarmtui.lab import network
from swarmtui.lab.lab import Lab
from tests.fixtures.lab import lab_prerequisites_missing
from tests.fixtures.parts import missing


def docker_cli(lab: Lab, *args: str) -> str:
    docker = shutil.which("docker")
    if docker is None:
        missing("docker CLI", "install the Debian package docker.io")
    return subprocess.run([docker, "-H", lab.docker_host, *args], capture_output=True, text=True, check=True, timeout=60).stdout


def swarmtui(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "swarmtui", *args], capture_output=True, text=True, timeout=300, **kw)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def running_tasks(lab: Lab, service: str) -> list[dict]:
    lines = docker_cli(lab, "service", "ps", service, "--filter", "desired-state=running", "--format", "{{json .}}")
    return [t for t in map(json.loads, lines.splitlines()) if t["CurrentState"].startswith("Running")]


def spider_service(lab: Lab, name: str, replicas: int = 3) -> None:
    docker_cli(
        lab, "service", "create", "--detach", "--name", name, "--replicas", str(replicas), "--network", "host",
        "--stop-grace-period", "2s", f"{lab.registry}/spider:0.01",
        "python3", "-c", "import time; print('up', flush=True); time.sleep(10**6)",
    )


def test_manager_sees_three_ready_nodes_with_distinct_hostnames(lab):
    nodes = [json.loads(line) for line in docker_cli(lab, "node", "ls", "--format", "{{json .}}").splitlines()]
    assert sorted(n["Hostname"] for n in nodes) == ["lab-manager-1", "lab-worker-1", "lab-worker-2"]
    assert {n["Status"] for n in nodes} == {"Ready"}
    assert [n["ManagerStatus"] for n in nodes if n["Hostname"] == "lab-manager-1"] == ["Leader"]


def test_every_node_sees_every_cgroup_hierarchy_its_containers_are_in(lab):
    """Else containerd finds no cgroup for a task and `docker stats` shows 0.00% 0B (lab/cgroups.py)."""
    for node in lab.nodes:
        pid = node.pid()
        in_hierarchies = {line.split(":")[1] for line in open(f"/proc/{pid}/cgroup").read().splitlines()
                          if line.split(":")[0] != "0"}
        mounted = set()
        for line in open(f"/proc/{pid}/mountinfo").read().splitlines():
            kind, _, options = line.split(" - ")[1].split()
            if kind == "cgroup":
                mounted.add(",".join(o for o in options.split(",") if o not in ("rw", "ro", "relatime") and o != "none"))
        assert in_hierarchies <= mounted, f"{node.hostname}: no mount for {sorted(in_hierarchies - mounted)}"


def test_three_replicas_spread_over_nodes_and_workers_pull_from_lab_registry(lab, unique_name):
    spider_service(lab, unique_name)
    try:
        tasks = wait_until(lambda: len(running_tasks(lab, unique_name)) == 3 and running_tasks(lab, unique_name), 90, "3 running replicas")
        assert {t["Node"] for t in tasks} == {"lab-manager-1", "lab-worker-1", "lab-worker-2"}
        for worker in ("lab-worker-1", "lab-worker-2"):
            with lab.client(lab.node(worker)) as client:
                images = client.images.list()
            # pulled by tag, or by digest (what `docker stack deploy` pins, as the demo does): then it has no tag
            tags = {tag for image in images for tag in image.tags}
            repos = {d.split("@")[0] for image in images for d in image.attrs.get("RepoDigests") or ()}
            assert f"{lab.registry}/spider:0.01" in tags or f"{lab.registry}/spider" in repos, f"{worker} did not pull the spider image"
    finally:
        docker_cli(lab, "service", "rm", unique_name)


def node_status(lab: Lab, hostname: str) -> str:
    return docker_cli(lab, "node", "inspect", hostname, "--format", "{{.Status.State}}").strip()


def test_stop_node_fails_tasks_over_and_start_node_brings_it_back(lab, unique_name):
    spider_service(lab, unique_name)
    try:
        wait_until(lambda: len(running_tasks(lab, unique_name)) == 3, 90, "3 running replicas")
        result = swarmtui("lab", "--name", lab.name, "stop-node", "worker-1")
        assert result.returncode == 0, result.stderr
        try:
            wait_until(lambda: node_status(lab, "lab-worker-1") == "down", 30, "lab-worker-1 to be Down")

            def failed_over():
                tasks = running_tasks(lab, unique_name)
                return len(tasks) == 3 and all(t["Node"] != "lab-worker-1" for t in tasks)

            wait_until(failed_over, 60, "3 replicas running on the remaining nodes")
        finally:
            result = swarmtui("lab", "--name", lab.name, "start-node", "worker-1")
            assert result.returncode == 0, result.stderr
        wait_until(lambda: node_status(lab, "lab-worker-1") == "ready", 60, "lab-worker-1 Ready again")
    finally:
        docker_cli(lab, "service", "rm", unique_name)


def test_env_points_at_the_lab_without_printing_the_password(lab):
    out = swarmtui("lab", "--name", lab.name, "env").stdout
    password = lab.redis_password_file.read_text().strip()
    assert f"export DOCKER_HOST={lab.docker_host}" in out
    assert "REDIS_URL=" in out and password not in out
    # ...and the line still yields a working URL once a shell evaluates it
    url = subprocess.run(["sh", "-c", f'{out}\nprintf %s "$REDIS_URL"'], capture_output=True, text=True).stdout
    assert password in url
    # ...which redis-cli 7 accepts as it is (it refuses "redis://:PASS@" with WRONGPASS)
    if shutil.which("redis-cli") is None:
        missing("redis-cli", "install the Debian package redis-tools")
    ping = subprocess.run(["sh", "-c", f'{out}\nredis-cli -u "$REDIS_URL" PING'], capture_output=True, text=True, timeout=30)
    assert ping.stdout.strip() == "PONG", ping.stdout + ping.stderr


def test_status_lists_every_node(lab):
    out = swarmtui("lab", "--name", lab.name, "status").stdout
    for hostname in ("lab-manager-1", "lab-worker-1", "lab-worker-2"):
        assert hostname in out
    assert "ready/active" in out


def free_subnet() -> str:
    """A /24 no interface of this host uses (other labs run beside the test suite's)."""
    return next(str(net) for i in range(200, 256) if not network.subnet_taken_by("", net := ipaddress.IPv4Network(f"10.{i}.0.0/24")))


def test_up_on_a_subnet_another_lab_uses_is_refused_and_leaves_nothing(lab):
    result = swarmtui("lab", "--name", "tclash", "up", "--workers", "1", "--subnet", str(lab.subnet))
    assert result.returncode == 1
    assert f"subnet {lab.subnet} is already in use on this host by {network.bridge_name(lab.name)}" in result.stderr
    assert not Lab(name="tclash").state_dir.exists() and not network.link_exists(network.bridge_name("tclash"))
    assert node_status(lab, "lab-worker-1") == "ready"  # the other lab is untouched


def test_up_after_a_killed_half_finished_up_works_and_down_leaves_nothing():
    why = lab_prerequisites_missing()
    if why:
        missing("the swarm lab", why)
    name, subnet = "tdown", free_subnet()  # a fixed one once collided with a developer's lab on the same machine
    args = ["lab", "--name", name, "up", "--workers", "1", "--subnet", subnet]
    half = subprocess.Popen([sys.executable, "-m", "swarmtui", *args], stdout=subprocess.PIPE, text=True)
    try:
        for line in half.stdout:
            if "swarm init" in line:  # nodes are running, the swarm is half made
                break
        half.send_signal(signal.SIGKILL)
        half.wait(timeout=10)
        lab = Lab(name=name, subnet=subnet, managers=1, workers=1)
        assert lab.manager.running(), "the killed `up` should have left a dockerd behind to clean up"

        result = swarmtui(*args)
        assert result.returncode == 0, result.stderr
        assert "cleaning up" in result.stdout
        nodes = docker_cli(lab, "node", "ls", "--format", "{{.Hostname}} {{.Status}}").split("\n")
        assert sorted(filter(None, nodes)) == ["lab-manager-1 Ready", "lab-worker-1 Ready"]
    finally:
        down = swarmtui("lab", "--name", name, "down")
    assert down.returncode == 0, down.stderr
    assert Lab(name=name, subnet=subnet).leftovers() == {"namespaces": [], "links": [], "processes": [], "mounts": [], "files": []}
    assert swarmtui("lab", "--name", name, "down").returncode == 0, "down must be idempotent"


def test_missing_system_packages_are_named():
    if os.geteuid() != 0:
        pytest.skip("the root check comes first when not root")
    # Without /usr/sbin on PATH, dockerd, ip and iptables are "missing".
    result = swarmtui("lab", "--name", "nopkg", "up", env={**os.environ, "PATH": "/nonexistent"})
    assert result.returncode == 1
    assert "missing system packages" in result.stderr and "docker.io" in result.stderr and "iproute2" in result.stderr


def test_not_root_is_refused_clearly():
    """A real unprivileged process (a forked child that drops to nobody) gets a clear refusal."""
    if os.geteuid() != 0:
        result = swarmtui("lab", "up")
        assert result.returncode == 1 and "needs root" in result.stderr
        return
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: become nobody, try, report the message, never return into pytest
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            Lab(name="nouser").check_host()
            message = "no refusal"
        except Exception as exc:  # noqa: BLE001
            message = str(exc)
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read) as pipe:
        message = pipe.read()
    assert "needs root" in message and "sudo swarmtui lab up" in message
