"""The autoscaler on the lab with the sample spider: rises to meet the target, back to min after the drain, nothing lost."""

from __future__ import annotations

import json
import math

import pytest

from bench.autoscale import POLICY, run
from bench.spider_fleet import Fleet, build_spider
from swarmtui.queue.spark import fmt_duration

COOLDOWN = 10.0
ITEMS = 600
TARGET = 30  # seconds: one replica needs ~60 s for the items, twice the target


@pytest.fixture(scope="module")
def spider_image(lab):
    with lab.client(timeout=120) as client:
        return build_spider(client, lab.registry, "sample-spider", "0.01")


def test_autoscaler_rises_to_the_target_and_falls_back_to_min_with_nothing_lost(lab, spider_image):
    table = {"min": 1, "max": 6, "target_drain_seconds": TARGET, "step_up": 5, "step_down": 5,
             "cooldown_up_seconds": COOLDOWN, "cooldown_down_seconds": COOLDOWN}
    with lab.client(timeout=120) as client:
        # 600 items of 0.1 s: one replica would take ~1 min, past the 30 s target, so it must rise
        fleet = Fleet(client, lab.redis_url, f"{lab.redis.host}:{lab.redis.port}", delay=0.1)
        lines: list[str] = []
        try:
            result = run(lab, fleet, spider_image, ITEMS, 1, table, timeout=600, say=lines.append)
        finally:
            fleet.remove()
    report = "\n".join(lines + [result.line(), *(f"  {c}" for c in result.changes)])
    ups = [c for c in result.changes if c[3] > c[2]]
    assert ups, report  # it rose ...
    assert max(d for _, _, d in result.replicas) <= 6, report  # ... never above max ...
    assert min(d for _, _, d in result.replicas) >= 1, report  # ... never below min ...
    assert result.replicas[-1][2] == 1, report  # ... and came back to min after the drain
    assert result.peak > 1, report
    assert len(result.changes) <= math.ceil(result.finished_s / COOLDOWN), report
    assert result.tally["lost"] == 0 and result.tally["distinct"] == ITEMS, (result.tally, report)
    # every change is explained in words and in the audit log
    audit = [json.loads(line) for line in result.audit.read_text().splitlines()]
    scaled = [a for a in audit if a["event"] == "scaled"]
    assert len(scaled) == len(result.changes), report
    assert all("→" in a["reason"] and a["cli"].startswith("docker service scale ") for a in scaled), scaled
    assert any("drains in" in line and f"> target {fmt_duration(TARGET)}" in line for line in result.said), report
    downs = [c for c in result.changes if c[3] < c[2]]
    assert downs and downs[-1][3] == 1, report  # the way down was the autoscaler's (sized to the target, or drained)


def test_read_only_and_a_manual_scale_pause_it_and_it_says_so(lab, spider_image, tmp_path):
    from dataclasses import replace

    from swarmtui.autoscale.policy import make_policy
    from swarmtui.autoscale.runner import Autoscaler
    from swarmtui.cluster.client import SwarmClient
    from swarmtui.config import Settings
    from swarmtui.queue.monitor import QueueMonitor
    import time

    with lab.client(timeout=120) as client:
        fleet = Fleet(client, lab.redis_url, f"{lab.redis.host}:{lab.redis.port}", delay=0.2)
        try:
            fleet.deploy(spider_image, 2, POLICY)
            fleet.wait_running(2, timeout=120)
            policy = make_policy(fleet.name, {"queue": fleet.prefix, "min": 1, "max": 4, "cooldown_down_seconds": 0})
            settings = Settings(docker_host=lab.docker_host, redis_url=lab.redis_url, autoscale={fleet.name: policy}, read_only=True)
            said: list[str] = []
            scaler = Autoscaler(settings, say=said.append, audit_path=tmp_path / "audit.jsonl", settle_seconds=0)
            monitor = QueueMonitor(lab.redis_url, (fleet.prefix,))
            with SwarmClient(lab.docker_host) as swarm:
                def tick():
                    scaler.tick(swarm.snapshot(), monitor.poll(), time.time())
                for _ in range(3):  # the queue is empty: it would go to 1, but read-only pauses it
                    tick()
                assert said == [f"{fleet.name}: autoscaling paused (read-only mode)"]
                assert swarm.service(fleet.name).replicas_desired == 2
                scaler.read_only = False
                fleet.scale(3)  # someone scales by hand
                tick()
                assert any(line == f"{fleet.name}: scaled to 3 by hand: autoscaling paused for 10m 00s (a manual scale wins)" for line in said), said
                for _ in range(3):
                    tick()
                assert swarm.service(fleet.name).replicas_desired == 3  # the manual scale won
                scaler.set_policy(replace(policy, manual_pause_seconds=0))  # a new policy resumes it
                deadline = time.monotonic() + 60
                while swarm.service(fleet.name).replicas_desired != 1 and time.monotonic() < deadline:
                    tick()
                    time.sleep(0.5)
                assert swarm.service(fleet.name).replicas_desired == 1, said
                assert any("queue drained" in line and "(docker service scale" in line for line in said), said
            events = [json.loads(line)["event"] for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
            assert events == ["paused", "policy", "scaled"], events
            scaler.close()
            monitor.close()
        finally:
            fleet.remove()
