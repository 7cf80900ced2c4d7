"""One autoscaling decision: a policy, what the queue and the swarm look like now, and what was done before.

Pure (no Docker, no Redis, no clock). The rate per replica is measured (the queue's rate out over
its window divided by the replicas that were running through it): no rate, no decision. After a
change the rate is only trusted once the new replicas have all run for a whole rate window
(`settle_seconds`), so a fleet that just doubled is not judged on the old fleet's rate.

Rules, in order: paused (manual scale, read-only) → hold; below min → min; drained → min (after the
down cooldown); else size the fleet for the target (drain time or items per replica), clamp to
[min, max, global cap], move at most step_up/step_down, at most one change per cooldown, and only
go down when the smaller fleet still beats the target by the hysteresis margin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from swarmtui.autoscale.policy import Policy
from swarmtui.queue.rates import time_to_drain
from swarmtui.queue.scaling import eta_at, replicas_needed
from swarmtui.queue.spark import fmt_duration, fmt_rate


@dataclass(frozen=True)
class Observation:
    """What the autoscaler sees of one service and its queue(s) at one moment."""

    running: int  # replicas running
    desired: int  # replicas asked for
    backlog: int  # items waiting, over the policy's queues
    in_flight: int = 0  # items being worked on
    rate_in: float | None = None  # items/s pushed (None: not measured yet)
    rate_out: float | None = None  # items/s taken


@dataclass
class State:
    """What the autoscaler remembers of one service between decisions."""

    last_change_at: float | None = None
    last_set: int | None = None  # the replica count it asked for last (None: not yet)
    converged_at: float | None = None  # when running first equalled desired after the last change
    paused_until: float = 0.0
    paused_why: str = ""


@dataclass(frozen=True)
class Decision:
    replicas: int | None  # the new replica count, or None to hold
    sentence: str  # "spider 3 → 6: 1,432 items, 3.0/s, drains in 7m 51s > target 3m 00s", or why it holds
    per_replica: float | None = None
    eta: float | None = None


def _items(n: int) -> str:
    return f"{n:,} item{'' if n == 1 else 's'}"


def _cooldown_left(policy: Policy, state: State, up: bool, now: float) -> float:
    if state.last_change_at is None:
        return 0.0
    wait = policy.cooldown_up_seconds if up else policy.cooldown_down_seconds
    return max(0.0, state.last_change_at + wait - now)


def decide(policy: Policy, state: State, obs: Observation, now: float, *, cap: int = 1000,
           settle_seconds: float = 30.0, paused: str = "") -> Decision:
    name, have = policy.service, obs.desired
    top = min(policy.max, cap)
    if paused:
        return Decision(None, f"{name}: autoscaling paused ({paused})")
    if now < state.paused_until:
        return Decision(None, f"{name}: autoscaling paused for {fmt_duration(state.paused_until - now)} ({state.paused_why})")

    def change(to: int, why: str, up: bool) -> Decision:
        left = _cooldown_left(policy, state, up, now)
        if left > 0:
            return Decision(None, f"{name}: next {have} → {to} in {fmt_duration(left)} (cooldown): {why}")
        return Decision(to, f"{name} {have} → {to}: {why}")

    if have < policy.min:
        return Decision(policy.min, f"{name} {have} → {policy.min}: below the policy's minimum")
    if have > top:
        return Decision(top, f"{name} {have} → {top}: above the policy's maximum" + (" (the global replica cap)" if top < policy.max else ""))
    if obs.backlog == 0 and obs.in_flight == 0:
        if have > policy.min:
            return change(policy.min, "queue drained (nothing waiting or in flight)", up=False)
        return Decision(None, f"{name}: queue empty, at the minimum ({have})")
    if obs.backlog == 0:
        return Decision(None, f"{name}: nothing waiting, {_items(obs.in_flight)} in flight: hold at {have} until they finish")
    if obs.running <= 0:
        if obs.backlog > 0 and have == 0 and top >= 1:
            return change(1, f"{_items(obs.backlog)} waiting and no replica running", up=True)
        return Decision(None, f"{name}: no replica running yet, no rate to judge by")
    if obs.running != obs.desired:
        return Decision(None, f"{name}: waiting for {obs.running}/{obs.desired} replicas to run before judging the rate")
    if state.converged_at is None or now - state.converged_at < settle_seconds:
        since = 0.0 if state.converged_at is None else now - state.converged_at
        return Decision(None, f"{name}: measuring the rate at {have} replicas ({fmt_duration(max(settle_seconds - since, 0))} to go)")
    if obs.rate_out is None or obs.rate_in is None or obs.rate_out <= 0:
        return Decision(None, f"{name}: no consumption measured yet, no decision")
    per = obs.rate_out / obs.running
    eta = time_to_drain(obs.backlog, obs.rate_in, obs.rate_out)
    head = f"{_items(obs.backlog)}, {fmt_rate(obs.rate_out)}"

    if policy.items_per_replica:
        needed = max(1, math.ceil(obs.backlog / policy.items_per_replica))
        target_words = f"target {policy.items_per_replica:,}/replica"
        now_words = f"{obs.backlog / have:,.0f}/replica"
    else:
        target = policy.target_drain_seconds or 0.0
        needed = replicas_needed(obs.backlog, obs.rate_in, per, target) or have
        target_words = f"target {fmt_duration(target)}"
        now_words = f"drains in {fmt_duration(eta, empty='0s')}"
    needed = max(policy.min, min(top, needed))

    if needed > have:
        to = min(needed, have + policy.step_up)
        return change(to, f"{head}, {now_words} > {target_words}", up=True)
    if needed < have:
        to = max(needed, have - policy.step_down)
        margin = 1 - policy.hysteresis
        if policy.items_per_replica:
            fits = obs.backlog / to <= policy.items_per_replica * margin
        else:
            smaller = eta_at(obs.backlog, obs.rate_in, per, to)
            fits = smaller is not None and smaller <= (policy.target_drain_seconds or 0) * margin
        if fits:
            return change(to, f"{head}, {now_words} < {target_words}", up=False)
        return Decision(None, f"{name}: hold at {have} ({head}, {now_words}; {to} would be too close to the {target_words})", per, eta)
    return Decision(None, f"{name}: hold at {have} ({head}, {now_words}, {target_words})", per, eta)


def observe(state: State, obs: Observation, now: float) -> str | None:
    """Update the memory from one observation; returns why autoscaling pauses when someone else scaled."""
    if obs.running == obs.desired:
        if state.converged_at is None:
            state.converged_at = now
    else:
        state.converged_at = None
    if state.last_set is None:
        state.last_set = obs.desired
        return None
    if obs.desired != state.last_set:
        state.last_set = obs.desired
        state.last_change_at = now
        return f"scaled to {obs.desired} by hand"
    return None


def applied(state: State, replicas: int, now: float) -> None:
    """Remember a change the autoscaler made."""
    state.last_set = replicas
    state.last_change_at = now
    state.converged_at = None


_SHORT = (("autoscaling paused", "paused"), ("hold at", "hold"), ("measuring the rate", "measuring"),
          ("waiting for", "starting"), ("no consumption", "no rate"), ("no replica running yet", "no rate"),
          ("queue empty", "idle"), ("nothing waiting", "finishing"), ("no such service", "no service"),
          ("unreadable", "no queue"), ("is watched yet", "no queue"), ("failed", "failed"))


def short(sentence: str, service: str) -> str:
    """A decision in a word or two, for a table cell: 'hold', '→ 6', '→ 1 in 12s', 'paused' ..."""
    body = sentence.removeprefix(f"{service}: ").removeprefix(f"{service} ")
    if body.startswith("next "):  # "next 6 → 1 in 20s (cooldown): ..."
        return "→" + body.split("→", 1)[1].split(" (cooldown)")[0]
    if "→" in body.split(":")[0] and "failed" not in body:  # "3 → 6: 1,432 items ..."
        return "→" + body.split(":")[0].split("→", 1)[1]
    return next((word for key, word in _SHORT if key in body), body[:20])
