"""Crash loops from task history, said once in the timeline; node capacity from task resources (pure)."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from swarmtui.cluster import convert, health
from swarmtui.cluster.models import Node, Resources, Service, Snapshot, SwarmInfo, Task
from swarmtui.cluster.narrate import Narrator

NOW = datetime(2026, 12, 1, 18, 10, tzinfo=timezone.utc)
SWARM = SwarmInfo(id="swarm1", managers=1, workers=0, heartbeat_seconds=2)
NODE = Node("n1", "lab-manager-1", "manager", "ready", "active", "reachable", True, "20.10", "10.0.0.11", 2, 1 << 30)
CRASH = Service("s1", "crash", "reg/spider:0.01", "replicated", 0, 1, updated=NOW - timedelta(minutes=10))


def failed(tid: str, seconds_ago: float, code: int | None = 3, state: str = "failed") -> Task:
    return Task(tid, "s1", "crash", 1, "n1", "lab-manager-1", "shutdown", state, NOW - timedelta(seconds=seconds_ago),
                error=f"task: non-zero exit ({code})" if code is not None else "No such image: reg/spider:0.09",
                exit_code=code)


def test_three_failures_within_the_window_are_a_crash_loop():
    history = [failed("a", 40), failed("b", 25), failed("c", 10)]
    loop = health.failing(CRASH, history, NOW)
    assert loop is not None and loop.count == 3 and loop.exit_code == 3
    assert loop.error == "task: non-zero exit (3)"
    assert health.describe(loop) == "failing: exit 3 ×3 in 30s"
    assert health.failing(CRASH, history[:2], NOW) is None  # two are not a loop yet


def test_a_loop_is_over_after_a_quiet_spell_or_when_the_service_is_changed():
    history = [failed("a", 400), failed("b", 250), failed("c", 200), failed("d", 130)]
    assert health.failing(CRASH, history, NOW) is None  # the latest is older than QUIET
    recent = [failed("a", 50), failed("b", 30), failed("c", 10)]
    fixed = replace(CRASH, updated=NOW - timedelta(seconds=20))  # updated or rolled back since
    assert health.failing(fixed, recent, NOW) is None


def test_the_thresholds_are_the_callers():
    history = [failed("a", 100), failed("b", 60), failed("c", 10)]
    assert health.failing(CRASH, history, NOW) is not None  # the defaults: 3 within 5 minutes
    assert health.failing(CRASH, history, NOW, health.Thresholds(failures=4)) is None
    assert health.failing(CRASH, history, NOW, health.Thresholds(window=timedelta(minutes=1))) is None  # "a" is older
    assert health.failing(CRASH, history, NOW, health.Thresholds(quiet=timedelta(seconds=5))) is None
    assert health.recheck([CRASH, replace(CRASH, id="s9", failing=health.failing(CRASH, history, NOW))]) == ["s9"]


def test_rejected_tasks_say_rejected_not_an_exit_code():
    loop = health.failing(CRASH, [failed(t, s, code=None, state="rejected") for t, s in (("a", 30), ("b", 20), ("c", 5))], NOW)
    assert health.describe(loop) == "failing: rejected ×3 in 25s"


def test_only_unwell_services_cost_a_history_call():
    healthy = Service("s2", "spider", "reg/spider:0.01", "replicated", 3, 3)
    unplaced = Service("s3", "huge", "reg/spider:0.01", "replicated", 0, 1)
    listed = [("running", "s2"), ("running", "s2"), ("running", "s2"), ("pending", "s3"), ("ready", "s1")]
    assert health.candidates([CRASH, healthy, unplaced], listed) == {"s1"}
    assert health.candidates([CRASH, healthy], [("running", "s2")] * 3) == {"s1"}  # between two of its tasks
    assert health.candidates([healthy], listed, recheck={"s2", "gone"}) == {"s2"}  # failing last time: followed


def test_the_timeline_says_a_crash_loop_once_not_once_per_restart():
    narrate = Narrator()
    running = Task("r1", "s1", "crash", 1, "n1", "lab-manager-1", "running", "running", NOW)
    narrate(Snapshot(SWARM, (NODE,), (replace(CRASH, replicas_running=1),), (running,)))
    loop = health.failing(CRASH, [failed("a", 40), failed("b", 25), failed("c", 10)], NOW)
    sick = replace(CRASH, failing=loop)
    said, task = [], running
    for i in range(5):  # restarts: a new task in slot 1 each time, the replica count flickering
        task = replace(running, id=f"r{i + 2}", state="starting" if i % 2 else "running")
        said += narrate(Snapshot(SWARM, (NODE,), (replace(sick, replicas_running=i % 2),), (task,)))
    assert said == ["crash failing: exit 3 ×3 in 30s (task: non-zero exit (3))"]
    assert narrate(Snapshot(SWARM, (NODE,), (replace(CRASH, replicas_running=1),), (task,))) == ["crash is no longer failing"]


def test_node_capacity_sums_what_the_tasks_placed_there_ask_for():
    def raw(node: str, desired: str, cpus: float, mem: int, limit_mem: int = 0) -> dict:
        return {"NodeID": node, "DesiredState": desired,
                "Spec": {"Resources": {"Reservations": {"NanoCPUs": int(cpus * 1e9), "MemoryBytes": mem},
                                       "Limits": {"MemoryBytes": limit_mem} if limit_mem else {}}}}

    placed = convert.placed_resources([raw("n1", "running", 0.5, 100, 300), raw("n1", "ready", 0.25, 50),
                                       raw("n1", "shutdown", 1, 1000), raw("n2", "running", 0, 0), {"DesiredState": "running"}])
    assert placed["n1"] == (Resources(0.75, 150), Resources(0.0, 300))
    assert placed["n2"] == (Resources(), Resources())
