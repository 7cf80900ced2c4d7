"""`e`: a shell in a task on a worker, driven as a person would (the real TUI in tmux, the real
OpenSSH client and the lab nodes' real sshd), and an unknown host key refused with the TUI unchanged."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import docker
import pytest

from tests.fixtures.parts import need_program

pytestmark = [pytest.mark.lab, pytest.mark.sshd]
SWARMTUI = str(Path(sys.executable).parent / "swarmtui")


class Tmux:
    def __init__(self, env: dict[str, str]) -> None:
        self.name = f"diag-{uuid.uuid4().hex[:6]}"
        self.env = env

    def start(self, *argv: str) -> None:
        command = " ".join(f"'{a}'" for a in argv)  # paths and words without quotes in them
        env = [f"{k}={v}" for k, v in self.env.items()]
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "160", "-y", "48",
                        # COLUMNS/LINES inherited from a test runner would size the TUI instead of tmux
                        "env", "-u", "COLUMNS", "-u", "LINES", *env, "sh", "-c", f"{command}; sleep 60"], check=True)

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.25)  # back-to-back keys can be misread by the TUI (GUIDE §6)

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)
        time.sleep(0.25)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def until(self, predicate, what: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if predicate(text):
                return text
            time.sleep(0.3)
        raise AssertionError(f"timed out waiting for {what}; the screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def tui_env(lab, path_first: Path, config_home: Path) -> dict[str, str]:
    return {"DOCKER_HOST": lab.docker_host, "PATH": f"{path_first}:{os.environ['PATH']}", "TERM": "xterm-256color",
            "XDG_CONFIG_HOME": str(config_home), "HOME": os.environ.get("HOME", "/root")}


@pytest.fixture
def worker_task(remote_lab, unique_name):
    """A service of one replica on the lab's worker (host network: its hostname is the node's)."""
    with remote_lab.client() as client:
        svc = client.services.create(f"{remote_lab.registry}/spider:0.01", name=unique_name, networks=["host"],
                                     command=["python3", "-c", "import time; time.sleep(10**6)"],
                                     constraints=["node.role==worker"], stop_grace_period=1_000_000_000)
        deadline = time.monotonic() + 90
        while not any(t["Status"]["State"] == "running" for t in client.api.tasks(filters={"service": unique_name})):
            assert time.monotonic() < deadline, "the worker's task never ran"
            time.sleep(0.5)
        yield unique_name
        try:
            svc.remove()
        except docker.errors.NotFound:
            pass


@pytest.fixture
def tmux_session():
    need_program("tmux", "tmux")
    sessions = []

    def make(env):
        sessions.append(Tmux(env))
        return sessions[-1]

    yield make
    for s in sessions:
        s.close()


def open_tasks_of(tui: Tmux, service: str) -> None:
    tui.until(lambda s: "● connected" in s and service in s, "the TUI connected, the service listed")
    tui.keys("2", "/")
    tui.type(service)
    tui.keys("Enter", "3")
    tui.until(lambda s: f"{service}.1" in s and "lab-worker-1" in s and "Running" in s, "its task on lab-worker-1")


def test_a_shell_in_a_task_on_a_worker_and_back(remote_lab, worker_task, tmux_session, tmp_path):
    tui = tmux_session(tui_env(remote_lab, remote_lab.ssh_bin, tmp_path))
    tui.start(SWARMTUI)
    open_tasks_of(tui, worker_task)
    tui.keys("e")
    tui.until(lambda s: f"A shell in {worker_task}.1 on lab-worker-1" in s, "the shell dialog")
    tui.keys("Enter")
    tui.until(lambda s: "(exit the shell to come back)" in s and s.rstrip().endswith("$"), "a shell prompt in the container", 60)
    tui.type("hostname")
    tui.keys("Enter")
    screen = tui.until(lambda s: "hostname\nlab-worker-1\n" in s, "hostname answered by the worker")
    assert "StrictHostKeyChecking=yes" in screen  # the command shown before the shell starts
    tui.type("exit")
    tui.keys("Enter")
    back = tui.until(lambda s: f"shell in {worker_task}.1 on lab-worker-1 ended (exit 0)" in s, "the TUI back")
    assert "3 Tasks" in back and "h History" in back, back  # the same pane focused: its keys in the footer
    assert f"{worker_task}.1" in back


def test_an_unknown_host_key_is_refused_and_the_tui_stays(remote_lab, worker_task, tmux_session, tmp_path):
    """The worker's key is not in the known_hosts ssh reads: refused, nothing run, nothing added."""
    known = tmp_path / "known_hosts"
    known.write_text("")
    config = tmp_path / "ssh_config"
    config.write_text(remote_lab.ssh_config.read_text().replace(str(remote_lab.known_hosts), str(known)))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text(f"#!/bin/sh\nexec {shutil.which('ssh')} -F {config} \"$@\"\n")
    (bin_dir / "ssh").chmod(0o755)
    tui = tmux_session(tui_env(remote_lab, bin_dir, tmp_path))
    tui.start(SWARMTUI)
    open_tasks_of(tui, worker_task)
    before = tui.screen()
    tui.keys("e")
    tui.until(lambda s: "A shell in" in s, "the shell dialog")
    tui.keys("Enter")
    screen = tui.until(lambda s: "host key of" in s and "refused" in s, "the refusal (a notification)", 30)
    assert "3 Tasks" in screen and "(exit the shell" not in screen  # never left the TUI
    assert known.read_text() == ""  # nothing was added
    assert before.splitlines()[0].split("│")[0] == screen.splitlines()[0].split("│")[0]  # the same status line
