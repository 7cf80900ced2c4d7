"""`:ctx` between two real swarms (two labs) in one session: contexts made with the real docker CLI,
one over the local socket of the first lab, one over ssh:// to the second; nothing of the first
remains after switching (streams, threads, sockets, timeline)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import traceback
from pathlib import Path

import pytest

from swarmtui.config import load_settings
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.screens.contexts import ContextsScreen
from tests.fixtures.parts import missing
from tests.fixtures.sshd import ssh_sockets_to
from tests.ui.live import cells
from tests.ui.waiting import until

pytestmark = pytest.mark.lab


def thread_stacks() -> str:
    """Where every other thread is (what holds a leaked connection open)."""
    frames = sys._current_frames()
    return "\n".join(
        t.name + ": " + " < ".join(f"{f.name}@{Path(f.filename).name}:{f.lineno}" for f in traceback.extract_stack(frames[t.ident])[-5:])
        for t in threading.enumerate() if t.ident in frames and t is not threading.current_thread())


def feed_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("swarmtui-feed-"))


async def test_ctx_switches_between_two_swarms_and_leaves_nothing_of_the_first(lab, remote_lab, tmp_path, monkeypatch):
    cli = shutil.which("docker") or missing("docker CLI", "install docker.io or docker-ce-cli")
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    shutil.copyfile(remote_lab.ssh_config, home / ".ssh" / "config")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    docker = lambda *a: subprocess.run([cli, *a], capture_output=True, text=True, timeout=60, check=True)  # noqa: E731
    docker("context", "create", "one", "--docker", f"host={lab.docker_host}")
    docker("context", "create", "two", "--docker", f"host={remote_lab.ssh_url()}")
    docker("context", "use", "one")
    (tmp_path / "config.toml").write_text('[contexts.two]\nredis_url = "redis://default:x@127.0.0.1:1/0"\n')
    app = SwarmApp(load_settings({}, path=tmp_path / "config.toml"))
    hostnames = lambda: {r[0] for r in cells(app.query_one("#nodes"))}  # noqa: E731
    sockets_before = ssh_sockets_to(str(remote_lab.subnet))  # another test's may still be closing
    async with app.run_test(size=(160, 48)) as pilot:
        status = app.query_one("#status")
        await until(pilot, lambda: "lab-worker-2" in hostnames(), 60, "the first swarm (context one)")
        assert status.manager == "one"
        feeds_before = feed_threads()
        await pilot.press("colon", *"ctx", "enter")
        await until(pilot, lambda: isinstance(app.screen, ContextsScreen) and len(app.screen.items) >= 3, 30, "the contexts list")
        rows = cells(app.screen.query_one("#view-table"))
        assert any(r[0].startswith("one ◀ open") and r[3] == "manager" for r in rows), rows
        two = next(i for i, r in enumerate(rows) if r[0].startswith("two"))
        app.screen.query_one("#view-table").move_cursor(row=two)
        await pilot.press("enter")
        timeline = app.query_one("#timeline")
        await until(pilot, lambda: "lab-manager-3" in hostnames(), 60, "the second swarm's nodes")
        assert "lab-worker-2" not in hostnames()
        await until(pilot, lambda: any(e.startswith("switched to two: 4 nodes") for e in timeline.entries), 30, "the timeline")
        assert not any("connected to the manager: 3 nodes" in e for e in timeline.entries)  # the first swarm's entries went
        assert status.manager == "two"
        assert app.settings.redis_url == "redis://default:x@127.0.0.1:1/0"  # [contexts.two] redis_url
        assert ssh_sockets_to(str(remote_lab.subnet)) > sockets_before
        await until(pilot, lambda: feed_threads() == feeds_before, 30, "the first swarm's feed threads to end")
        app.switch_context("one")
        await until(pilot, lambda: "lab-worker-2" in hostnames() and "lab-manager-3" not in hostnames(), 60, "back to one")
        try:
            await until(pilot, lambda: ssh_sockets_to(str(remote_lab.subnet)) <= sockets_before, 30, "no ssh connection to the second swarm")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; threads still running:\n{thread_stacks()}") from None
        await until(pilot, lambda: feed_threads() == feeds_before, 30, "one feed's threads only")
        assert status.manager == "one"
