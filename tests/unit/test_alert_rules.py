"""Alert rules on sequences of snapshots, task histories and queue polls (pure; models built by hand)."""

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from swarmtui.alerts.rules import Rules
from swarmtui.alerts.settings import AlertSettings, parse_alerts
from swarmtui.cluster import health
from swarmtui.cluster.models import Node, Service, Snapshot, SwarmInfo, Task, UpdateStatus
from swarmtui.queue.models import KeyStats, QueueSnapshot

SWARM = SwarmInfo(id="swarm1", managers=1, workers=1, heartbeat_seconds=2)
MANAGER = Node("n1", "lab-manager-1", "manager", "ready", "active", "reachable", True, "20.10", "10.0.0.11", 2, 1 << 30)
WORKER = Node("n2", "lab-worker-1", "worker", "ready", "active", None, False, "20.10", "10.0.0.12", 2, 1 << 30, running_tasks=3)
SPIDER = Service("s1", "spider", "reg:8003/spider:0.01", "replicated", 2, 2)


def snap(nodes=(MANAGER, WORKER), services=(SPIDER,)) -> Snapshot:
    return Snapshot(SWARM, tuple(nodes), tuple(services))


def failed(tid: str, at: float, service="s1") -> Task:
    return Task(tid, service, "spider", 1, "n2", "lab-worker-1", "shutdown", "failed",
                datetime.fromtimestamp(at, timezone.utc), error="task: non-zero exit (1)", exit_code=1)


def test_node_down_alerts_once_and_resolves_once():
    rules = Rules()
    assert rules.observe_swarm(snap(), 0) == []
    down = replace(WORKER, status="down")
    first = rules.observe_swarm(snap(nodes=(MANAGER, down)), 10)
    assert [(a.rule, a.severity, a.object, a.resolved) for a in first] == [("node_down", "critical", "lab-worker-1", False)]
    assert first[0].sentence == "lab-worker-1 is down (worker, 3 tasks were on it)"
    for t in range(11, 40):  # many snapshots while it stays down: nothing more
        assert rules.observe_swarm(snap(nodes=(MANAGER, down)), t) == []
    back = rules.observe_swarm(snap(), 70)
    assert [(a.rule, a.resolved) for a in back] == [("node_down", True)]
    assert back[0].sentence == "lab-worker-1 is ready again (after a minute)"
    assert back[0].incident == first[0].incident
    assert rules.observe_swarm(snap(), 71) == []


def test_a_down_node_that_is_removed_resolves():
    rules = Rules()
    rules.observe_swarm(snap(nodes=(MANAGER, replace(WORKER, status="down"))), 0)
    out = rules.observe_swarm(snap(nodes=(MANAGER,)), 5)
    assert [a.sentence for a in out] == ["lab-worker-1 left the swarm"]


def test_a_node_down_at_start_is_reported():
    rules = Rules()
    out = rules.observe_swarm(snap(nodes=(MANAGER, replace(WORKER, status="down"))), 0)
    assert [a.rule for a in out] == ["node_down"]


def test_manager_lost_quorum_at_risk_then_lost_then_back():
    managers = [replace(MANAGER, id=f"m{i}", hostname=f"mgr-{i}", leader=i == 1) for i in (1, 2, 3)]
    rules = Rules(AlertSettings(node_down=False))
    assert rules.observe_swarm(snap(nodes=managers), 0) == []
    one_lost = [managers[0], replace(managers[1], status="down", manager_reachability="unreachable"), managers[2]]
    out = rules.observe_swarm(snap(nodes=one_lost), 1)
    assert [(a.rule, a.severity) for a in out] == [("managers", "critical")]
    assert out[0].sentence == "quorum at risk: mgr-2 unreachable; 2 of 3 managers reachable, quorum needs 2 — losing one more stops the swarm"
    assert rules.observe_swarm(snap(nodes=one_lost), 2) == []
    two_lost = [one_lost[0], one_lost[1], replace(managers[2], manager_reachability="unreachable")]
    out = rules.observe_swarm(snap(nodes=two_lost), 3)
    assert out == []  # already critical: no second alert for the same incident
    assert rules.open["managers"].sentence.startswith("quorum at risk")
    out = rules.observe_swarm(snap(nodes=managers), 4)
    assert [(a.rule, a.resolved, a.sentence) for a in out] == [("managers", True, "all 3 managers reachable again")]


def test_one_of_five_managers_lost_is_a_warning_and_escalates():
    managers = [replace(MANAGER, id=f"m{i}", hostname=f"mgr-{i}") for i in range(5)]
    rules = Rules(AlertSettings(node_down=False))
    rules.observe_swarm(snap(nodes=managers), 0)
    def lose(n):  # the first n managers unreachable
        return [replace(m, manager_reachability="unreachable") if i < n else m for i, m in enumerate(managers)]
    assert [a.severity for a in rules.observe_swarm(snap(nodes=lose(1)), 1)] == ["warning"]
    assert [a.severity for a in rules.observe_swarm(snap(nodes=lose(2)), 2)] == ["critical"]  # worse: raised again
    assert rules.observe_swarm(snap(nodes=lose(1)), 3) == []  # better but not over: quiet


def looking(settings: AlertSettings, history: list[Task], at: float, service: Service = SPIDER) -> Snapshot:
    """The snapshot the client assembles: the service marked failing by the [alerts] thresholds."""
    loop = health.failing(service, history, datetime.fromtimestamp(at, timezone.utc), settings.crash_thresholds)
    return snap(services=(replace(service, failing=loop),))


def test_crash_loop_is_one_alert_not_one_per_restart_and_resolves_when_failures_stop():
    settings = AlertSettings(crash_loop_failures=3, crash_loop_minutes=1)
    rules = Rules(settings)
    rules.observe_swarm(snap(), 0)
    history: list[Task] = []
    raised = []
    for i in range(10):  # a failure every 5 s, the engine keeping only the last 4 in history
        history = [*history, failed(f"t{i}", i * 5.0)][-4:]
        raised += rules.observe_swarm(looking(settings, history, i * 5.0 + 1), i * 5.0 + 1)
    assert [(a.rule, a.object, a.resolved) for a in raised] == [("crash_loop", "spider", False)]
    assert raised[0].sentence == "spider is crash-looping — failing: exit 1 ×3 in 10s (last: task: non-zero exit (1))"
    assert rules.observe_swarm(looking(settings, history, 80), 80) == []  # the last failure (45 s) is still within the minute
    out = rules.observe_swarm(looking(settings, history, 110), 110)
    assert [(a.resolved, a.sentence) for a in out] == [(True, "spider is no longer crash-looping (after 2 minutes)")]
    assert rules.observe_swarm(looking(settings, history, 115), 115) == []  # resolved once


def test_two_failures_are_not_a_loop_and_the_count_is_configurable():
    history = [failed("a", 0), failed("b", 10), failed("c", 20)]
    assert Rules().observe_swarm(looking(AlertSettings(), history[:2], 21), 21) == []
    assert Rules().observe_swarm(looking(AlertSettings(crash_loop_failures=4), history, 21), 21) == []
    assert [a.rule for a in Rules().observe_swarm(looking(AlertSettings(), history, 21), 21)] == ["crash_loop"]
    # the minutes too: three failures over 20 s are not within a quarter of a minute
    assert Rules().observe_swarm(looking(AlertSettings(crash_loop_minutes=0.25), history, 21), 21) == []


def test_a_crash_loop_ends_when_its_service_is_removed_and_is_silent_when_switched_off():
    settings = AlertSettings()
    history = [failed("a", 0), failed("b", 10), failed("c", 20)]
    rules = Rules(settings)
    assert len(rules.observe_swarm(looking(settings, history, 21), 21)) == 1
    out = rules.observe_swarm(snap(services=()), 25)
    assert [(a.rule, a.resolved, a.sentence) for a in out] == [("crash_loop", True, "the service was removed")]
    assert Rules(AlertSettings(crash_loop=False)).observe_swarm(looking(settings, history, 21), 21) == []


def test_update_paused_and_rolled_back_one_incident_resolved_by_a_completed_update():
    rules = Rules()
    rules.observe_swarm(snap(), 0)
    paused = replace(SPIDER, update_status=UpdateStatus("paused", "update paused due to failure or early termination of task x"))
    out = rules.observe_swarm(snap(services=(paused,)), 1)
    assert [(a.rule, a.severity, a.sentence) for a in out] == [
        ("updates", "warning", "update of spider paused: update paused due to failure or early termination of task x")]
    rolling = replace(SPIDER, update_status=UpdateStatus("rollback_started", "manually requested rollback"))
    assert rules.observe_swarm(snap(services=(rolling,)), 2) == []  # the same incident
    done = replace(SPIDER, update_status=UpdateStatus("rollback_completed", "rollback completed"))
    assert rules.observe_swarm(snap(services=(done,)), 3) == []
    ok = replace(SPIDER, update_status=UpdateStatus("completed", "update completed"))
    assert [(a.resolved, a.sentence) for a in rules.observe_swarm(snap(services=(ok,)), 9)] == [(True, "update of spider completed")]


def test_a_rollback_seen_as_it_happens_alerts_but_an_old_one_at_start_does_not():
    done = replace(SPIDER, update_status=UpdateStatus("rollback_completed", "rollback completed"))
    assert Rules().observe_swarm(snap(services=(done,)), 0) == []
    rules = Rules()
    rules.observe_swarm(snap(), 0)
    out = rules.observe_swarm(snap(services=(replace(SPIDER, update_status=UpdateStatus("rollback_started", "")),)), 1)
    assert [a.sentence for a in out] == ["update of spider rolled back"]


def row(depth: int, in_flight=0, rate_out=None, key="q", service="spider") -> KeyStats:
    return KeyStats(key, "list", depth, in_flight, 0.0, rate_out, None, "counters", service=service)


def qsnap(*rows, error=None) -> QueueSnapshot:
    return QueueSnapshot(0.0, tuple(rows), error, "10.0.0.1:7891 db 0")


def test_queue_stalled_while_replicas_run_then_moving_again():
    rules = Rules(AlertSettings(queue_stalled_minutes=1))
    out = []
    for t in range(0, 121, 10):
        out += rules.observe_queue(qsnap(row(500, rate_out=0.0)), {"spider": 2}, t)
    assert [(a.rule, a.object, a.resolved) for a in out] == [("queue_stalled", "q", False)]
    assert out[0].sentence == "q stalled: 500 items waiting, none taken for a minute while 2 replicas of spider run"
    out = rules.observe_queue(qsnap(row(480, rate_out=2.0)), {"spider": 2}, 130)
    assert [(a.resolved, a.sentence) for a in out] == [(True, "q moving again (480 items left)")]


def test_a_queue_with_no_replicas_running_is_not_stalled():
    rules = Rules(AlertSettings(queue_stalled_minutes=1))
    out = [a for t in range(0, 300, 10) for a in rules.observe_queue(qsnap(row(500)), {"spider": 0}, t)]
    assert out == []


def test_queue_drained_once_per_fill_and_not_at_start():
    rules = Rules()
    assert rules.observe_queue(qsnap(row(0)), {"spider": 1}, 0) == []  # empty from the start: no news
    assert rules.observe_queue(qsnap(row(2000)), {"spider": 1}, 1) == []
    assert rules.observe_queue(qsnap(row(0, in_flight=3, rate_out=1.0)), {"spider": 1}, 60) == []  # still in flight
    out = rules.observe_queue(qsnap(row(0)), {"spider": 1}, 61)
    assert [(a.rule, a.severity, a.sentence) for a in out] == [
        ("queue_drained", "info", "q drained: nothing waiting or in flight (peak 2,000 items, a minute after it filled)")]
    assert rules.observe_queue(qsnap(row(0)), {"spider": 1}, 62) == []
    rules.observe_queue(qsnap(row(5)), {"spider": 1}, 70)
    assert [a.rule for a in rules.observe_queue(qsnap(row(0)), {"spider": 1}, 80)] == ["queue_drained"]


def test_keys_nobody_consumes_have_no_queue_alerts():
    rules = Rules()
    rules.observe_queue(qsnap(KeyStats("q:results", "list", 10, None, 1.0, 0.0, None, "net")), {}, 0)
    assert rules.observe_queue(qsnap(KeyStats("q:results", "list", 0, None, 0.0, 1.0, 0, "net")), {}, 1) == []


def test_redis_unreachable_once_then_back():
    rules = Rules()
    out = [a for t in range(5) for a in rules.observe_queue(qsnap(error="cannot reach Redis at 10.0.0.1:7891 (refused)"), {}, t)]
    assert [(a.rule, a.severity, a.object) for a in out] == [("redis_unreachable", "critical", "10.0.0.1:7891 db 0")]
    back = rules.observe_queue(qsnap(), {}, 30)
    assert [(a.resolved, a.sentence) for a in back] == [(True, "Redis answers again (after 30 seconds)")]


def test_swarm_api_unreachable_then_back():
    rules = Rules()
    assert len(rules.swarm_unreachable("connection refused", 0)) == 1
    assert rules.swarm_unreachable("connection refused", 1) == []
    assert [a.resolved for a in rules.observe_swarm(snap(), 5)] == [True]


def test_rules_switched_off_say_nothing():
    rules = Rules(AlertSettings(node_down=False, redis_unreachable=False))
    assert rules.observe_swarm(snap(), 0) == []
    assert rules.observe_swarm(snap(nodes=(MANAGER, replace(WORKER, status="down"))), 1) == []
    assert rules.observe_queue(qsnap(error="down"), {}, 2) == []


def test_alert_line_json_and_env():
    rules = Rules()
    rules.observe_swarm(snap(), 0)
    [alert] = rules.observe_swarm(snap(nodes=(MANAGER, replace(WORKER, status="down"))), 1_764_612_000)
    assert alert.line() == "2025-12-01T18:00:00Z CRITICAL lab-worker-1: lab-worker-1 is down (worker, 3 tasks were on it)"
    assert alert.env()["SWARMTUI_ALERT_TEXT"] == "lab-worker-1 is down (worker, 3 tasks were on it)"
    assert '"status": "CRITICAL"' in alert.to_json()


def test_alert_settings_from_the_config_table():
    s = parse_alerts({"crash_loop_failures": 5, "queue_stalled_minutes": 2, "node_down": False, "webhook": "http://127.0.0.1:9/x"})
    assert (s.crash_loop_failures, s.queue_stalled_minutes, s.node_down, s.webhook) == (5, 2.0, False, "http://127.0.0.1:9/x")
    with pytest.raises(ValueError, match="unknown key.*node_dwn"):
        parse_alerts({"node_dwn": True})
    with pytest.raises(ValueError, match="crash_loop_minutes must be a number > 0"):
        parse_alerts({"crash_loop_minutes": -1})
    with pytest.raises(ValueError, match="node_down must be true or false"):
        parse_alerts({"node_down": "yes"})
