"""The queue-driven autoscaler vs a fixed fleet on the same work, in one run.

    python -m bench.autoscale            # against the test lab (SWARMTUI_TEST_LAB), brought up if needed

Each run: a sample-spider service, N items seeded, then wait until the queue is drained (and, for
the autoscaler, until it is back at its minimum). Measured: time to drain, replica-seconds used
(running replicas integrated over the run: the cost), the most replicas run, the autoscaler's
changes, and the no-loss count. Also tests/integration/test_autoscale_lab.py.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bench.spider_fleet import Fleet, build_spider
from swarmtui.autoscale.policy import make_policy
from swarmtui.autoscale.runner import Autoscaler
from swarmtui.alerts.watch import Watcher
from swarmtui.cluster.models import UpdatePolicy
from swarmtui.config import Settings

POLICY = UpdatePolicy(parallelism=0, delay_seconds=0.0, failure_action="pause", order="stop-first", monitor_seconds=1.0)
RATE_WINDOW = 8.0  # seconds of queue samples per rate (and the autoscaler's settle time): short for a short run


@dataclass
class Run:
    label: str
    drained_s: float = 0.0  # seed -> queue and processing lists empty
    finished_s: float = 0.0  # seed -> drained and (autoscaler) back at min
    replica_seconds: float = 0.0  # running replicas integrated from the seed to drained
    peak: int = 0
    changes: list[tuple[float, str, int, int]] = field(default_factory=list)
    tally: dict = field(default_factory=dict)
    replicas: list[tuple[float, int, int]] = field(default_factory=list)  # (t, running, desired)
    said: list[str] = field(default_factory=list)
    audit: Path | None = None  # the autoscaler's JSON-lines audit log

    def line(self) -> str:
        t = self.tally
        return (f"{self.label:<24} drained in {self.drained_s:6.1f}s  replica-seconds {self.replica_seconds:7.0f}  "
                f"peak {self.peak}  changes {len(self.changes)}  lost {t.get('lost')}  duplicates {t.get('duplicates')}")


def _sample(fleet: Fleet) -> tuple[int, int]:
    svc = fleet.client.api.inspect_service(fleet.name)
    desired = svc["Spec"]["Mode"]["Replicated"]["Replicas"]
    return len(fleet.running_tasks()), desired


def run(lab, fleet: Fleet, image: str, items: int, replicas: int, policy_table: dict | None = None,
        timeout: float = 600.0, say: Callable[[str], None] = print, label: str = "") -> Run:
    """Deploy, seed, optionally autoscale, wait for the drain; the caller removes the fleet."""
    result = Run(label or (f"autoscaler {policy_table['min']}-{policy_table['max']}" if policy_table else f"fixed {replicas}"))
    fleet.deploy(image, replicas, POLICY)
    fleet.wait_running(replicas, timeout=180)
    watcher = scaler = None
    if policy_table is not None:
        policy = make_policy(fleet.name, {"queue": fleet.prefix, **policy_table})
        settings = Settings(docker_host=lab.docker_host, redis_url=lab.redis_url, queue_keys=(fleet.prefix,),
                            autoscale={fleet.name: policy})
        result.audit = Path(tempfile.mkdtemp(prefix="autoscale-audit-")) / "audit.jsonl"
        scaler = Autoscaler(settings, say=lambda line: (result.said.append(line), say(f"  [{result.label}] {line}")),
                            audit_path=result.audit, settle_seconds=RATE_WINDOW)
        watcher = Watcher(settings, on_alert=lambda a: say(f"  [{result.label}] {a.line()}"), autoscaler=scaler,
                          queue_window=RATE_WINDOW).start()
    seeded = fleet.seed(items)
    t0 = last = time.monotonic()
    drained_at = None
    try:
        while time.monotonic() - t0 < timeout:
            running, desired = _sample(fleet)
            now = time.monotonic()
            if drained_at is None:
                result.replica_seconds += running * (now - last)
            last = now
            result.replicas.append((round(now - t0, 1), running, desired))
            result.peak = max(result.peak, running)
            counts = fleet.counts()
            if drained_at is None and counts["queue"] == 0 and counts["processing"] == 0 and counts["results"] >= items:
                drained_at = now
                result.drained_s = now - t0
                say(f"  [{result.label}] drained after {result.drained_s:.1f}s, {running} replicas running")
            if drained_at is not None and (policy_table is None or (desired == policy_table["min"] and running == desired)):
                break
            time.sleep(0.5)
        else:
            raise TimeoutError(f"{result.label}: not drained (and back at min) within {timeout:.0f}s: {fleet.counts()}")
        result.finished_s = time.monotonic() - t0
    finally:
        if watcher is not None:
            watcher.stop()
        if scaler is not None:
            scaler.close()
            result.changes = list(scaler.changes)
    result.tally = fleet.tally(seeded)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="autoscaler vs a fixed fleet on the same items")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds each item takes a replica")
    parser.add_argument("--fixed", type=int, default=6, help="replicas of the fixed fleet (default: the autoscaler's max)")
    parser.add_argument("--target", type=float, default=60.0, help="the autoscaler's target drain time")
    parser.add_argument("--cooldown", type=float, default=15.0)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from swarmtui.lab.lab import Lab
    from tests.fixtures.lab import TEST_LAB_NAME, TEST_LAB_SUBNET

    lab = Lab(name=TEST_LAB_NAME, subnet=TEST_LAB_SUBNET, managers=1, workers=2)
    lab.up(say=lambda m: print(f"[lab] {m}"))
    table = {"min": 1, "max": args.fixed, "target_drain_seconds": args.target, "step_up": args.fixed, "step_down": args.fixed,
             "cooldown_up_seconds": args.cooldown, "cooldown_down_seconds": args.cooldown}
    runs = []
    with lab.client(timeout=120) as client:
        image = build_spider(client, lab.registry, "sample-spider", "0.01")
        for replicas, policy in ((args.fixed, None), (max(args.fixed // 2, 1), None), (1, table)):
            fleet = Fleet(client, lab.redis_url, f"{lab.redis.host}:{lab.redis.port}", delay=args.delay)
            try:
                runs.append(run(lab, fleet, image, args.items, replicas, policy, timeout=1200))
            finally:
                fleet.remove()
    print()
    for r in runs:
        print(r.line())
    base = runs[0]
    for r in runs[1:]:
        print(f"{r.label} vs {base.label}: time to drain ×{r.drained_s / base.drained_s:.2f}, replica-seconds ×{r.replica_seconds / base.replica_seconds:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
