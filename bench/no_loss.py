"""Does a spider lose work when swarm moves it around?  The seed's LPOP spider vs ours, side by side.

    python -m bench.no_loss            # against the test lab ("test", 10.89.0.0/24), brought up if needed

Scenario (also tests/integration/test_spider_no_loss.py), while the replicas work:
2,000 items, 3 replicas -> scale to 8 -> scale to 2 -> rolling update to tag 0.02
-> stop the lab worker running a replica -> start it again -> wait for the queue to drain.
Then count: items with no result (lost), extra results (duplicates), and what is
left in the queue and processing lists.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

from bench.spider_fleet import LPOP_SPIDER, Fleet, build_spider
from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.models import UpdatePolicy
from swarmtui.release.rollout import SwarmOps, follow

POLICY = UpdatePolicy(parallelism=1, delay_seconds=1.0, failure_action="rollback", order="start-first", monitor_seconds=2.0)


@dataclass
class Report:
    spider: str
    tally: dict = field(default_factory=dict)
    steps: list[tuple[float, str, dict]] = field(default_factory=list)  # (t, what, counts at that moment)
    seconds: float = 0.0

    def line(self) -> str:
        t = self.tally
        return (f"{self.spider:<14} lost {t['lost']:>4}  duplicates {t['duplicates']:>3}  results {t['results']:>5}/{t['seeded']}"
                f"  left in queue {t['queue']}  in processing {t['processing']}  ({self.seconds:.0f}s)")


def wait_results(fleet: Fleet, at_least: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while fleet.r.llen(fleet.results_key) < at_least and time.monotonic() < deadline:
        time.sleep(0.3)


def worker_with_a_replica(lab, fleet: Fleet) -> str:
    """A lab worker that runs a replica right now (the node stop then really interrupts work)."""
    with lab.client() as client:
        hostnames = {n.id: n.attrs["Description"]["Hostname"] for n in client.nodes.list()}
    workers = [n.hostname for n in lab.nodes if n.role == "worker"]
    busy = [hostnames.get(t["NodeID"]) for t in fleet.running_tasks()]
    for hostname in workers:
        if hostname in busy:
            return hostname
    return workers[0]


def node_id(fleet: Fleet, hostname: str) -> str | None:
    return next((n.id for n in fleet.client.nodes.list() if n.attrs["Description"]["Hostname"] == hostname), None)


def wait_down(fleet: Fleet, node: str | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while fleet.client.api.inspect_node(node)["Status"]["State"] != "down":
        if time.monotonic() > deadline:
            raise TimeoutError(f"node {node} not Down within {timeout:.0f}s of being stopped")
        time.sleep(0.5)


@contextlib.contextmanager
def lab_lock(lab):
    """Hold the lock the test fixture takes around `lab.up()` while a node is stopped on purpose.

    `up()` of a concurrent test session would otherwise see the stopped node, call the lab
    broken and rebuild it under everyone's feet.
    """
    from swarmtui.lab.lab import STATE_ROOT

    with open(STATE_ROOT / f".{lab.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def drain(fleet: Fleet, items: list[str], patient: bool, timeout: float) -> None:
    """Wait until every item has a result (patient) or until nothing moves any more."""
    deadline = time.monotonic() + timeout
    last, still_since = None, time.monotonic()
    while time.monotonic() < deadline:
        counts = fleet.counts()
        if counts["queue"] == 0 and counts["processing"] == 0 and counts["results"] >= len(items):
            return
        if counts != last:
            last, still_since = counts, time.monotonic()
        elif not patient and counts["queue"] == 0 and time.monotonic() - still_since > 5:
            return  # nothing left to take and nothing changed for 5 s: what is missing is lost
        time.sleep(0.5)


def run_scenario(lab, fleet: Fleet, images: tuple[str, str], items: int = 2000, patient: bool = True,
                 say: Callable[[str], None] = print, spider: str = "spider") -> Report:
    """The whole scenario; the caller removes the fleet afterwards."""
    report = Report(spider=spider)
    t0 = time.monotonic()

    def step(what: str) -> None:
        counts = fleet.counts()
        report.steps.append((round(time.monotonic() - t0, 1), what, counts))
        say(f"[{spider} {time.monotonic() - t0:5.1f}s] {what:<38} queue {counts['queue']:>4}  "
            f"processing {counts['processing']:>2}  results {counts['results']:>4}")

    seeded = fleet.seed(items)
    fleet.deploy(images[0], 3, POLICY)
    step("created with 3 replicas")
    fleet.wait_running(3, timeout=120)
    wait_results(fleet, 60)
    fleet.scale(8)
    step("scaled to 8")
    # Scale down once 8 run, or once a third of the work is done if starting 8 is slow (2 loaded cores).
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(fleet.running_tasks()) < 8 and fleet.r.llen(fleet.results_key) < items // 3:
        time.sleep(0.5)
    step(f"{len(fleet.running_tasks())} running")
    wait_results(fleet, min(fleet.r.llen(fleet.results_key) + 150, items // 3))
    fleet.scale(2)
    step("scaled to 2")
    fleet.wait_running(2, timeout=180)
    with SwarmClient(lab.docker_host, timeout=60) as swarm:
        ops = SwarmOps(swarm)
        before = ops.service(fleet.name)
        ops.update_image(fleet.name, images[1], POLICY)
        step(f"rolling update to {images[1].split('@')[0].rsplit('/', 1)[-1]}")
        followed = follow(ops, fleet.name, images[1], before, lambda line, state: None, timeout=180)
    step(f"update {followed.outcome} in {followed.seconds:.0f}s")
    fleet.wait_running(2, timeout=180)
    node = worker_with_a_replica(lab, fleet)
    with lab_lock(lab):
        try:
            step(f"stopping {node}")
            lab.stop_node(node)
            step(f"{node} stopped")
            gone = node_id(fleet, node)
            wait_down(fleet, gone, timeout=60)  # heartbeat 2 s: Down, then its tasks are re-created elsewhere
            fleet.wait_running(2, timeout=180, down_node=gone)
        finally:
            lab.start_node(node)
    step(f"{node} started again")
    fleet.scale(6)  # the disruptions are over: what is left only has to be done, and checked
    step("draining with 6 replicas")
    drain(fleet, seeded, patient, timeout=300)
    report.tally = fleet.tally(seeded)
    report.seconds = time.monotonic() - t0
    step("drained")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="items lost by the LPOP spider vs the reliable spider, same scenario")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args(argv)
    # SIGTERM unwinds like an exception, so the finally blocks restart the node and remove the service.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from swarmtui.lab.lab import Lab
    from tests.fixtures.lab import TEST_LAB_NAME, TEST_LAB_SUBNET

    lab = Lab(name=TEST_LAB_NAME, subnet=TEST_LAB_SUBNET, managers=1, workers=2)
    lab.up(say=lambda m: print(f"[lab] {m}"))
    reports = []
    with lab.client(timeout=120) as client:
        for spider, source, patient in (("lpop (seed)", LPOP_SPIDER, False), ("reliable", None, True)):
            repo = "bench-lpop-spider" if source else "bench-spider"
            images = tuple(build_spider(client, lab.registry, repo, tag, source) for tag in ("0.01", "0.02"))
            fleet = Fleet(client, lab.redis_url, f"{lab.redis.host}:{lab.redis.port}", delay=args.delay)
            try:
                reports.append(run_scenario(lab, fleet, images, args.items, patient, spider=spider))
            finally:
                fleet.remove()
    print()
    for report in reports:
        print(report.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
