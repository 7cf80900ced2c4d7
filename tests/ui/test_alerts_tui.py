"""Alerts and autoscaling in the TUI, on the real lab: a node loss seen as a person sees it, the policy dialog."""

from __future__ import annotations

import threading
import time

import pytest

from swarmtui.cluster.client import SwarmClient

from swarmtui.config import Settings
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.screens.alerts import AlertsScreen
from swarmtui.ui.screens.form import FormScreen
from swarmtui.ui.widgets.status import StatusLine
from swarmtui.ui.widgets.timeline import Timeline
from tests.ui.live import cells, select_service
from tests.ui.waiting import until

pytestmark = pytest.mark.lab


@pytest.fixture(autouse=True)
def audit_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))


def timeline_text(app) -> str:
    return "\n".join(app.query_one(Timeline).entries)  # the sentences, not the pane's wrapped lines


def status_text(app) -> str:
    return str(app.query_one(StatusLine).render())


async def test_a_node_loss_notifies_counts_and_lists_then_resolves(lab):
    app = SwarmApp(Settings(docker_host=lab.docker_host))
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: app.watcher is not None and app.watcher.snapshot is not None, what="the alert rules reading the swarm")
        lab.stop_node("lab-worker-1")
        try:
            await until(pilot, lambda: "⚠ 1 alert" in status_text(app), timeout=60, what="the alert count in the status line")
            assert "lab-worker-1 is down (worker" in timeline_text(app)
            assert any("lab-worker-1 is down" in n.message for n in app._notifications)
            await pilot.press("colon", *"alerts", "enter")
            await until(pilot, lambda: isinstance(app.screen, AlertsScreen), what="the alerts list")
            assert [a.sentence.split(" (")[0] for a in app.screen.alerts] == ["lab-worker-1 is down"]
            await pilot.press("escape")
        finally:
            lab.start_node("lab-worker-1")
        await until(pilot, lambda: "⚠" not in status_text(app), timeout=90, what="the count back to none")
        assert "resolved: lab-worker-1 is ready again" in timeline_text(app)
        assert [(a.rule, a.resolved) for a in app.alerts if a.object == "lab-worker-1"] == [("node_down", False), ("node_down", True)]


async def test_the_alert_rules_read_the_apps_snapshots_and_take_none_of_their_own(lab, monkeypatch):
    """Counted: snapshots taken, by thread.  The watcher took one of its own every 2 s (at 500 nodes
    the largest part of the TUI's idle CPU); now it is handed each one the app's refresh takes."""
    taken = []
    snapshot = SwarmClient.snapshot

    def counted(self, *a, **k):
        taken.append(threading.current_thread().name)
        return snapshot(self, *a, **k)

    monkeypatch.setattr(SwarmClient, "snapshot", counted)
    app = SwarmApp(Settings(docker_host=lab.docker_host))
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: app.watcher is not None and app.watcher.snapshot is not None, what="the alert rules reading the swarm")
        taken.clear()
        started = time.monotonic()
        await pilot.pause(6.0)  # the idle window counted (the watcher's own loop took one every 2 s)
        await until(pilot, lambda: not app._refreshing, what="the last refresh handled")
        assert app.watcher.snapshot is app.snapshot  # the one the screen shows
        assert not [name for name in taken if name.startswith("swarmtui-watch")], taken
        assert len(taken) <= 2 + (time.monotonic() - started) / 10, taken  # the app's own: events, the 10 s safety refresh


async def test_policy_dialog_sets_the_policy_shown_on_the_row_and_read_only_refuses_it(lab, service):
    app = SwarmApp(Settings(docker_host=lab.docker_host, redis_url=lab.redis_url))
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: any(r[0] == service for r in cells(app.query_one("#services"))), what="the service row")
        select_service(app, service)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, FormScreen), what="the policy dialog")
        app.screen.query_one("#queues").value = f"{service}:queue"
        app.screen.query_one("#max").value = "3"
        app.screen.query_one("#target").value = "90"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: service in app.autoscaler.policies, what="the policy set")
        policy = app.autoscaler.policies[service]
        assert (policy.queues, policy.min, policy.max, policy.target_drain_seconds) == ((f"{service}:queue",), 1, 3, 90.0)
        await until(pilot, lambda: f"autoscaling {service}: 1–3 replicas, drain within 1m 30s" in timeline_text(app), what="the timeline line")
        app.request_refresh()
        await until(pilot, lambda: any(r[0] == service and r[3].startswith("1–3 ") for r in cells(app.query_one("#services"))),
                    what="the policy on the service's row")
        # a bad value is an error in the dialog, nothing is set
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, FormScreen), what="the policy dialog again")
        app.screen.query_one("#min").value = "5"
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert "min (5) is above max (3)" in str(app.screen.query_one("#error").render())
        await pilot.press("escape")
        assert app.autoscaler.policies[service].min == 1

    read_only = SwarmApp(Settings(docker_host=lab.docker_host, read_only=True))
    async with read_only.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: any(r[0] == service for r in cells(read_only.query_one("#services"))), what="the service row")
        select_service(read_only, service)
        await pilot.press("A")
        await pilot.pause(0.3)
        assert not isinstance(read_only.screen, FormScreen)
        assert read_only.read_only_gate.refused == ["services.autoscale"]
        assert read_only.autoscaler.read_only
