"""Autoscaling decisions on sequences of observations (pure)."""

from swarmtui.autoscale.decide import Observation, State, applied, decide, observe
from swarmtui.autoscale.policy import make_policy

POLICY = make_policy("spider", {"queue": "q", "min": 1, "max": 6, "target_drain_seconds": 180,
                                "step_up": 4, "step_down": 2, "cooldown_up_seconds": 60, "cooldown_down_seconds": 120})


def settled(state: State, obs: Observation, now: float = 1000.0) -> State:
    observe(state, obs, now - 100)
    return state


def test_scale_up_to_meet_the_drain_target_with_the_reason():
    obs = Observation(running=3, desired=3, backlog=1432, rate_in=0.0, rate_out=3.0)
    d = decide(POLICY, settled(State(), obs), obs, 1000.0)
    # 1,432 items at 1.0/s per replica within 180 s needs 8 -> max 6 -> at most +4 -> wait: 3 + 4 = 7 > 6 -> 6
    assert d.replicas == 6
    assert d.sentence == "spider 3 → 6: 1,432 items, 3.0/s, drains in 7m 57s > target 3m 00s"


def test_no_rate_no_decision():
    obs = Observation(running=2, desired=2, backlog=500, rate_in=None, rate_out=None)
    d = decide(POLICY, settled(State(), obs), obs, 1000.0)
    assert d.replicas is None and "no consumption measured" in d.sentence


def test_the_rate_is_only_trusted_once_the_new_fleet_ran_a_whole_window():
    state = State()
    obs = Observation(running=3, desired=3, backlog=1432, rate_in=0.0, rate_out=3.0)
    observe(state, obs, 990.0)
    d = decide(POLICY, state, obs, 1000.0, settle_seconds=30)
    assert d.replicas is None and "measuring the rate at 3 replicas (20s to go)" in d.sentence
    assert decide(POLICY, state, obs, 1021.0, settle_seconds=30).replicas == 6


def test_waits_while_replicas_are_starting():
    obs = Observation(running=4, desired=6, backlog=1000, rate_in=0.0, rate_out=4.0)
    d = decide(POLICY, settled(State(), obs), obs, 1000.0)
    assert d.replicas is None and "4/6 replicas" in d.sentence


def test_one_change_per_cooldown():
    state = State()
    obs = Observation(running=2, desired=2, backlog=5000, rate_in=0.0, rate_out=2.0)
    observe(state, obs, 0.0)
    applied(state, 2, 950.0)  # the last change 50 s ago
    observe(state, obs, 950.0)
    d = decide(POLICY, state, obs, 1000.0, settle_seconds=0)
    assert d.replicas is None and "next 2 → 6 in 10s (cooldown)" in d.sentence
    assert decide(POLICY, state, obs, 1011.0, settle_seconds=0).replicas == 6


def test_step_limits():
    p = make_policy("spider", {"queue": "q", "min": 1, "max": 50, "target_drain_seconds": 10, "step_up": 3})
    obs = Observation(running=2, desired=2, backlog=5000, rate_in=0.0, rate_out=2.0)
    assert decide(p, settled(State(), obs), obs, 1000.0).replicas == 5


def test_never_above_max_or_the_global_cap_never_below_min():
    obs = Observation(running=4, desired=4, backlog=100000, rate_in=0.0, rate_out=4.0)
    assert decide(POLICY, settled(State(), obs), obs, 1000.0, cap=5).replicas == 5
    over = Observation(running=9, desired=9, backlog=10, rate_in=0.0, rate_out=9.0)
    assert decide(POLICY, settled(State(), over), over, 1000.0).replicas == 6
    zero = Observation(running=0, desired=0, backlog=0)
    d = decide(POLICY, settled(State(), zero), zero, 1000.0)
    assert d.replicas == 1 and "below the policy's minimum" in d.sentence


def test_drained_goes_to_min_after_the_down_cooldown():
    state = State()
    obs = Observation(running=6, desired=6, backlog=0, in_flight=0, rate_in=0.0, rate_out=0.0)
    observe(state, obs, 0.0)
    applied(state, 6, 900.0)
    d = decide(POLICY, state, obs, 1000.0)
    assert d.replicas is None and "next 6 → 1 in 20s (cooldown): queue drained" in d.sentence
    d = decide(POLICY, state, obs, 1021.0)
    assert d.replicas == 1 and d.sentence == "spider 6 → 1: queue drained (nothing waiting or in flight)"


def test_items_still_in_flight_are_not_drained():
    obs = Observation(running=6, desired=6, backlog=0, in_flight=6, rate_in=0.0, rate_out=6.0)
    d = decide(POLICY, settled(State(), obs), obs, 1000.0)
    assert d.replicas is None


def test_hysteresis_no_flapping_on_a_noisy_rate():
    # 6 replicas, 600 items at 1.0/s each: drains in 100 s; 4 replicas would take 150 s, within 180 s but
    # not within 180 × 0.75 = 135 s: hold
    state = State()
    decisions = []
    for n, rate in enumerate([6.0, 6.6, 5.4, 6.3, 5.7]):
        obs = Observation(running=6, desired=6, backlog=600, rate_in=0.0, rate_out=rate)
        observe(state, obs, 1000.0 + n)
        decisions.append(decide(POLICY, state, obs, 1100.0 + n, settle_seconds=0).replicas)
    assert decisions == [None] * 5
    # much less work: down by at most step_down
    obs = Observation(running=6, desired=6, backlog=100, rate_in=0.0, rate_out=6.0)
    d = decide(POLICY, state, obs, 2000.0, settle_seconds=0)
    assert d.replicas == 4 and d.sentence == "spider 6 → 4: 100 items, 6.0/s, drains in 17s < target 3m 00s"


def test_items_per_replica_target():
    p = make_policy("spider", {"queue": "q", "min": 1, "max": 10, "items_per_replica": 100})
    assert p.target_drain_seconds is None
    obs = Observation(running=2, desired=2, backlog=450, rate_in=0.0, rate_out=2.0)
    d = decide(p, settled(State(), obs), obs, 1000.0)
    assert d.replicas == 5 and "225/replica > target 100/replica" in d.sentence


def test_a_manual_scale_pauses_it():
    state = State()
    observe(state, Observation(running=3, desired=3, backlog=900), 0.0)
    why = observe(state, Observation(running=3, desired=5, backlog=900), 10.0)
    assert why == "scaled to 5 by hand"
    assert observe(state, Observation(running=5, desired=5, backlog=900), 20.0) is None  # it is the new baseline
    state.paused_until, state.paused_why = 610.0, why
    obs = Observation(running=5, desired=5, backlog=90000, rate_in=0.0, rate_out=5.0)
    d = decide(POLICY, state, obs, 100.0)
    assert d.replicas is None and d.sentence == "spider: autoscaling paused for 8m 30s (scaled to 5 by hand)"


def test_read_only_pauses_it():
    obs = Observation(running=1, desired=1, backlog=90000, rate_in=0.0, rate_out=1.0)
    d = decide(POLICY, settled(State(), obs), obs, 1000.0, paused="read-only mode")
    assert d.replicas is None and d.sentence == "spider: autoscaling paused (read-only mode)"


def test_work_waiting_and_nothing_running_at_min_zero_starts_one():
    p = make_policy("spider", {"queue": "q", "min": 0, "max": 4})
    obs = Observation(running=0, desired=0, backlog=10)
    assert decide(p, settled(State(), obs), obs, 1000.0).replicas == 1


def test_decisions_in_a_word_for_the_services_row():
    from swarmtui.autoscale.decide import short

    assert short("spider 3 → 6: 1,432 items, 3.0/s, drains in 7m 57s > target 3m 00s", "spider") == "→ 6"
    assert short("spider: next 6 → 1 in 20s (cooldown): queue drained", "spider") == "→ 1 in 20s"
    assert short("spider: hold at 6 (600 items, 6.0/s, drains in 1m 40s, target 3m 00s)", "spider") == "hold"
    assert short("spider: autoscaling paused for 8m 30s (scaled to 5 by hand)", "spider") == "paused"
    assert short("spider: measuring the rate at 3 replicas (20s to go)", "spider") == "measuring"
