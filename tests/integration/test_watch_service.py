"""`swarmtui watch` as a swarm service on the lab (image built offline), started with the commands
`--print-service` prints, run by the real docker CLI: it delivers node-down while no TUI runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from swarmtui.lab.watch_image import build_watch_image
from tests.fixtures.parts import need_program
from tests.fixtures.webhook import Receiver

SERVICE, SECRET = "swarmtui-watch", "swarmtui-webhook"


def docker(lab, *args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], env={**os.environ, "DOCKER_HOST": lab.docker_host}, capture_output=True,
                          text=True, check=check, timeout=120, **kw)


def cleanup(lab) -> None:
    docker(lab, "service", "rm", SERVICE, check=False)
    for _ in range(30):  # the secret is in use until the task is gone
        if (docker(lab, "secret", "rm", SECRET, check=False).returncode == 0
                or "not found" in docker(lab, "secret", "inspect", SECRET, check=False).stderr.lower()):
            return
        time.sleep(1)


@pytest.fixture(scope="module")
def watch_image(lab):
    with lab.client(timeout=300) as client:
        return build_watch_image(client, lab.registry)


def test_watch_as_a_service_delivers_node_down_with_no_tui(lab, watch_image):
    need_program("docker", "docker.io")
    receiver = Receiver(lab.gateway)  # the manager's containers reach the lab's bridge address
    cleanup(lab)
    printed = subprocess.run(
        [sys.executable, "-m", "swarmtui", "watch", "--print-service", "--webhook", "http://set-from-a-secret",
         "--image", watch_image, "--socket", lab.docker_host.removeprefix("unix://"), "--network", "host"],
        capture_output=True, text=True, check=True, env={**os.environ, "DOCKER_HOST": lab.docker_host}).stdout
    assert "docker service create" in printed and "node.role==manager" in printed
    assert "set-from-a-secret" not in printed  # the URL only travels as a secret
    node = "lab-worker-2"
    try:
        for command in [c for c in printed.replace(" \\\n", " ").splitlines() if c.strip()]:
            done = subprocess.run(["sh", "-c", command], env={**os.environ, "DOCKER_HOST": lab.docker_host, "WEBHOOK_URL": receiver.url},
                                  capture_output=True, text=True, timeout=180)
            assert done.returncode == 0, (command, done.stderr)
        deadline = time.monotonic() + 120
        logs = ""
        while time.monotonic() < deadline and "one line per alert" not in logs:
            logs = docker(lab, "service", "logs", "--raw", SERVICE, check=False).stderr + docker(lab, "service", "logs", "--raw", SERVICE, check=False).stdout
            time.sleep(1)
        assert "one line per alert" in logs, logs
        lab.stop_node(node)
        try:
            [down] = receiver.wait_for(lambda a: a["rule"] == "node_down" and a["object"] == node, timeout=60)
            assert down["severity"] == "critical"
        finally:
            lab.start_node(node)
        receiver.wait_for(lambda a: a["rule"] == "node_down" and a["resolved"], timeout=90)
    finally:
        cleanup(lab)
        receiver.close()
