"""Alerts on the real lab, delivered to a real webhook receiver on loopback."""

from __future__ import annotations

import threading
import time

import pytest
from docker.types import RestartPolicy, ServiceMode

from swarmtui.alerts.delivery import Delivery, WebhookSink
from swarmtui.alerts.settings import AlertSettings
from swarmtui.alerts.watch import Watcher
from swarmtui.config import Settings

NS = 1_000_000_000


@pytest.fixture
def watching(lab, webhook):
    """A Watcher on the lab posting to the receiver; yields a function that starts it with given alert settings."""
    started: list[tuple[Watcher, Delivery]] = []

    def start(**alert_settings) -> Watcher:
        settings = Settings(docker_host=lab.docker_host, alerts=AlertSettings(**alert_settings))
        delivery = Delivery([WebhookSink(webhook.url)])
        watcher = Watcher(settings, on_alert=delivery.send).start()
        started.append((watcher, delivery))
        return watcher

    yield start
    for watcher, delivery in started:
        watcher.stop()
        delivery.close()


def _when_node_is(lab, hostname: str, state: str, found: dict, stop: threading.Event) -> None:
    """Record when the swarm API itself first reports `hostname` in `state` (the detection time)."""
    with lab.client() as client:
        while not stop.is_set():
            try:
                node = next(n for n in client.api.nodes() if n["Description"]["Hostname"] == hostname)
                if node["Status"]["State"] == state:
                    found.setdefault(state, time.time())
                    return
            except Exception:  # noqa: BLE001 - the manager is busy during a failover: ask again
                pass
            time.sleep(0.1)


def test_stopping_a_worker_gives_one_node_down_alert_and_one_resolved(lab, watching, webhook):
    watcher = watching()
    deadline = time.monotonic() + 30
    while watcher.snapshot is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert watcher.snapshot is not None, "the watcher never read the swarm"
    node = lab.node("lab-worker-2").hostname
    seen: dict[str, float] = {}
    stop = threading.Event()
    observer = threading.Thread(target=_when_node_is, args=(lab, node, "down", seen, stop), daemon=True)
    observer.start()
    lab.stop_node(node)
    try:
        [down] = webhook.wait_for(lambda a: a["rule"] == "node_down" and a["object"] == node, timeout=60)
        received = next(t for t, s, b in webhook.posts if b.get("alert") == down)
        observer.join(30)
        assert "down" in seen, "the swarm never reported the node down"
        assert down["severity"] == "critical" and down["sentence"].startswith(f"{node} is down")
        # delivered within 3 s of the swarm marking the node Down (its detection time)
        assert received - seen["down"] <= 3.0, (received - seen["down"])
    finally:
        stop.set()
        lab.start_node(node)
    [resolved] = webhook.wait_for(lambda a: a["rule"] == "node_down" and a["resolved"], timeout=90)
    assert resolved["sentence"].startswith(f"{node} is ready again")
    time.sleep(3)  # a few more snapshots: nothing else about that node
    about_node = [a for a in webhook.accepted() if a["object"] == node]
    assert [(a["rule"], a["resolved"]) for a in about_node] == [("node_down", False), ("node_down", True)]


def test_a_crash_looping_service_gives_one_alert_not_one_per_restart(lab, watching, webhook, docker_client, unique_name):
    image = f"{lab.registry}/spider:0.01"
    watching(crash_loop_failures=3, crash_loop_minutes=2)
    service = docker_client.services.create(
        image, command=["python3", "-c", "import time, sys; time.sleep(0.5); sys.exit(3)"], name=unique_name,
        mode=ServiceMode("replicated", replicas=1),
        restart_policy=RestartPolicy(condition="any", delay=NS // 2, max_attempts=0),
    )
    try:
        webhook.wait_for(lambda a: a["rule"] == "crash_loop" and a["object"] == unique_name, timeout=90)
        # let it fail a few more times than the 3 that make the alert (count the distinct tasks seen)
        deadline = time.monotonic() + 90
        failed: set[str] = set()
        while time.monotonic() < deadline and len(failed) < 6:
            failed |= {t["ID"] for t in docker_client.api.tasks(filters={"service": unique_name}) if t["Status"]["State"] == "failed"}
            time.sleep(0.5)
        assert len(failed) >= 6, f"only {len(failed)} failed tasks"
        time.sleep(3)  # a snapshot every 2 s: the watcher has seen them
    finally:
        service.remove()
    webhook.wait_for(lambda a: a["rule"] == "crash_loop" and a["object"] == unique_name and a["resolved"], timeout=60)
    time.sleep(3)  # a few more snapshots: nothing else about that service
    loops = [a for a in webhook.accepted() if a["rule"] == "crash_loop" and a["object"] == unique_name]
    assert [a["resolved"] for a in loops] == [False, True], loops
    assert "crash-looping" in loops[0]["sentence"] and "exit 3" in loops[0]["sentence"]
    assert loops[1]["sentence"] == "the service was removed"
