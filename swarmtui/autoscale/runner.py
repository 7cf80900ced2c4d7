"""Autoscaler: applies the decisions of decide.py to the swarm, explains each one, keeps an audit log.

    scaler = Autoscaler(settings, say=timeline_or_stdout, audit_path=Path(...))
    scaler.tick(snapshot, queue_snapshot, now)   # from the thread that polls the queue
    scaler.status["spider"]                      # the next decision, in words (the services pane)

The same object runs in `swarmtui watch --autoscale` and in the TUI. Scaling goes through
SwarmClient.scale (an OperationResult with the docker CLI equivalent). Read-only mode pauses it;
a replica count someone else set (a confirmed manual scale) pauses it for the policy's
manual_pause_seconds, and it says so. Every change and every pause is a JSON line in the audit log.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Callable

from swarmtui.autoscale.decide import Decision, Observation, State, applied, decide, observe
from swarmtui.autoscale.policy import Policy
from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.errors import ClusterError
from swarmtui.cluster.models import Snapshot
from swarmtui.queue.models import QueueSnapshot
from swarmtui.queue.spark import fmt_duration

log = logging.getLogger(__name__)


def default_audit_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "swarmtui" / "autoscale.jsonl"


def observation(policy: Policy, running: int, desired: int, queue: QueueSnapshot) -> Observation | None:
    """Sum the policy's queues (a key may be a glob's match: compare with the row's pattern too); None if none is seen."""
    rows = [k for k in queue.keys if k.key in policy.queues or k.pattern in policy.queues]
    if not rows:
        return None
    def total(values):
        values = list(values)
        return None if any(v is None for v in values) else sum(values)
    return Observation(
        running=running,
        desired=desired,
        backlog=sum(k.backlog if k.backlog is not None else k.depth for k in rows),
        in_flight=sum(k.in_flight or 0 for k in rows),
        rate_in=total(k.rate_in for k in rows),
        rate_out=total(k.rate_out for k in rows),
    )


class Autoscaler:
    def __init__(
        self,
        settings,
        say: Callable[[str], None],
        audit_path: Path | None = None,
        client_factory: Callable[[], SwarmClient] | None = None,
        settle_seconds: float = 30.0,
        clock=None,
    ) -> None:
        self.settings = settings
        self.say = say
        self.audit_path = audit_path
        self.settle_seconds = settle_seconds  # = the queue monitor's rate window
        self.policies: dict[str, Policy] = dict(settings.autoscale)
        self.states: dict[str, State] = {}
        self.status: dict[str, str] = {}  # service -> the next decision, in words
        self.changes: list[tuple[float, str, int, int]] = []  # (time, service, from, to)
        self.read_only = settings.read_only
        self._client_factory = client_factory or (lambda: SwarmClient(settings.endpoint, max_replicas=settings.max_replicas))
        self._client: SwarmClient | None = None
        self._lock = threading.Lock()
        self._said: dict[str, str] = {}  # service -> last hold/pause sentence said (said once, not every tick)

    # ---- policies (the TUI's dialog) ----------------------------------------------------
    def set_policy(self, policy: Policy) -> None:
        with self._lock:
            self.policies[policy.service] = policy
            state = self.states.get(policy.service)
            if state is not None:
                state.paused_until, state.paused_why = 0.0, ""
        self._audit({"service": policy.service, "event": "policy", "policy": policy.describe()})
        self.say(f"autoscaling {policy.service}: {policy.describe()}")

    def remove_policy(self, service: str) -> None:
        with self._lock:
            self.policies.pop(service, None)
            self.states.pop(service, None)
            self.status.pop(service, None)
        self._audit({"service": service, "event": "policy removed"})
        self.say(f"autoscaling {service}: off")

    def pause(self, service: str, why: str, now: float) -> None:
        """A manual scale confirmed in the TUI: it wins for the policy's manual_pause_seconds."""
        with self._lock:
            policy, state = self.policies.get(service), self.states.setdefault(service, State())
            if policy is None:
                return
            state.paused_until, state.paused_why = now + policy.manual_pause_seconds, why
        self._paused(service, why, policy)

    def _paused(self, service: str, why: str, policy: Policy) -> None:
        line = f"{service}: {why}: autoscaling paused for {fmt_duration(policy.manual_pause_seconds)} (a manual scale wins)"
        self._audit({"service": service, "event": "paused", "why": why})
        self._said[service] = f"{service}: autoscaling paused"
        self.say(line)

    # ---- the loop -----------------------------------------------------------------------
    def tick(self, snapshot: Snapshot, queue: QueueSnapshot, now: float) -> list[Decision]:
        out = []
        with self._lock:
            policies = list(self.policies.values())
        for policy in policies:
            decision = self._one(policy, snapshot, queue, now)
            if decision is not None:
                out.append(decision)
        return out

    def _one(self, policy: Policy, snapshot: Snapshot, queue: QueueSnapshot, now: float) -> Decision | None:
        svc = snapshot.service_by_name(policy.service)
        if svc is None:
            self._hold(policy.service, f"{policy.service}: no such service")
            return None
        if queue.error:
            self._hold(policy.service, f"{policy.service}: queue unreadable ({queue.error}), no decision")
            return None
        obs = observation(policy, svc.replicas_running, svc.replicas_desired, queue)
        if obs is None:
            self._hold(policy.service, f"{policy.service}: none of {', '.join(policy.queues)} is watched yet")
            return None
        with self._lock:
            state = self.states.setdefault(policy.service, State())
            manual = observe(state, obs, now)
            if manual:
                state.paused_until, state.paused_why = now + policy.manual_pause_seconds, manual
        if manual:
            self._paused(policy.service, manual, policy)
        decision = decide(policy, state, obs, now, cap=self.settings.max_replicas, settle_seconds=self.settle_seconds,
                          paused="read-only mode" if self.read_only else "")
        if decision.replicas is None or decision.replicas == obs.desired:
            self._hold(policy.service, decision.sentence, announce="autoscaling paused" in decision.sentence)
            return decision
        self._apply(policy, state, obs, decision, now)
        return decision

    def _hold(self, service: str, sentence: str, announce: bool = True) -> None:
        """Show the hold on the service's row; say it once (not every tick) when it is news: a pause, a problem."""
        self.status[service] = sentence
        kind = sentence.split(" for ")[0].split(" (")[0]  # without its countdown
        if announce and self._said.get(service) != kind:
            self._said[service] = kind
            self.say(sentence)

    def _apply(self, policy: Policy, state: State, obs: Observation, decision: Decision, now: float) -> None:
        assert decision.replicas is not None
        try:
            if self._client is None:
                self._client = self._client_factory()
            result = self._client.scale(policy.service, decision.replicas)
        except ClusterError as exc:
            line = f"{decision.sentence} — failed: {exc}"
            self.status[policy.service] = line
            self._audit({"service": policy.service, "event": "failed", "from": obs.desired, "to": decision.replicas,
                         "reason": decision.sentence, "error": str(exc)})
            self.say(line)
            return
        with self._lock:
            applied(state, decision.replicas, now)
        self.changes.append((now, policy.service, obs.desired, decision.replicas))
        self._said.pop(policy.service, None)
        self.status[policy.service] = decision.sentence
        self._audit({"service": policy.service, "event": "scaled", "from": obs.desired, "to": decision.replicas,
                     "reason": decision.sentence, "backlog": obs.backlog, "in_flight": obs.in_flight,
                     "rate_out": obs.rate_out, "rate_in": obs.rate_in, "cli": result.cli})
        self.say(f"{decision.sentence}  ({result.cli})")

    def _audit(self, record: dict) -> None:
        if self.audit_path is None:
            return
        import time

        try:
            self.audit_path.parent.mkdir(parents=True, exist_ok=True)
            with self.audit_path.open("a") as f:
                f.write(json.dumps({"time": round(time.time(), 3), **record}, ensure_ascii=False) + "\n")
        except OSError as exc:
            log.warning("autoscale audit log %s: %s", self.audit_path, exc)

    def attach(self, endpoint) -> None:
        """Scale through `endpoint` from now on (a manager failover or a context switch moved the app)."""
        old, self._client = self._client, None
        self._client_factory = lambda: SwarmClient(endpoint, max_replicas=self.settings.max_replicas)
        if old is not None:
            old.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
