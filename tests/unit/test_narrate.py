"""The timeline's sentences from successive snapshots (pure; models built by hand)."""

from dataclasses import replace

from swarmtui.cluster.models import Node, Service, Snapshot, SwarmInfo, Task, UpdateStatus
from swarmtui.cluster.narrate import Narrator

SWARM = SwarmInfo(id="swarm1", managers=1, workers=1, heartbeat_seconds=2)
MANAGER = Node("n1", "lab-manager-1", "manager", "ready", "active", "reachable", True, "20.10", "10.0.0.11", 2, 1 << 30)
WORKER = Node("n2", "lab-worker-1", "worker", "ready", "active", None, False, "20.10", "10.0.0.12", 2, 1 << 30)
SPIDER = Service("s1", "spider", "reg:8003/spider:0.01", "replicated", 2, 2)


def task(tid: str, slot: int, node: Node, state: str = "running", desired: str = "running") -> Task:
    return Task(tid, "s1", "spider", slot, node.id, node.hostname, desired, state, None)


def snap(nodes=(MANAGER, WORKER), services=(SPIDER,), tasks=()) -> Snapshot:
    return Snapshot(SWARM, tuple(nodes), tuple(services), tuple(tasks))


def test_first_snapshot_says_nothing_then_changes_are_narrated():
    narrate = Narrator()
    assert narrate(snap()) == []
    down = replace(WORKER, status="down")
    scaled = replace(SPIDER, replicas_running=1, replicas_desired=3)
    assert narrate(snap(nodes=(MANAGER, down), services=(scaled,))) == ["lab-worker-1 down", "spider 2/2 → 1/3"]


def test_failover_restart_is_recognised_across_an_empty_slot():
    narrate = Narrator()
    narrate(snap(tasks=[task("a", 1, WORKER), task("b", 2, MANAGER)]))
    assert narrate(snap(tasks=[task("b", 2, MANAGER)])) == []  # the gap: slot 1 empty
    assert narrate(snap(tasks=[task("c", 1, MANAGER), task("b", 2, MANAGER)])) == [
        "spider.1 restarted on lab-manager-1 (was on lab-worker-1)"
    ]


def test_scale_up_into_a_new_slot_is_not_a_restart():
    narrate = Narrator()
    narrate(snap(tasks=[task("a", 1, WORKER), task("b", 2, MANAGER)]))
    three = replace(SPIDER, replicas_desired=3, replicas_running=3)
    assert narrate(snap(services=(three,), tasks=[task("a", 1, WORKER), task("b", 2, MANAGER), task("c", 3, WORKER)])) == [
        "spider 2/2 → 3/3"
    ]


def test_scaled_away_slot_coming_back_is_not_a_restart():
    narrate = Narrator()
    narrate(snap(tasks=[task("a", 1, WORKER), task("b", 2, MANAGER)]))
    one = replace(SPIDER, replicas_desired=1, replicas_running=1)
    narrate(snap(services=(one,), tasks=[task("a", 1, WORKER)]))
    assert narrate(snap(tasks=[task("a", 1, WORKER), task("z", 2, WORKER)])) == ["spider 1/1 → 2/2"]


def test_update_states_and_failures_in_words():
    narrate = Narrator()
    narrate(snap(tasks=[task("a", 1, WORKER)]))
    updating = replace(SPIDER, image="reg:8003/spider:0.03", update_status=UpdateStatus("rollback_started", "update paused due to failure"))
    out = narrate(snap(services=(updating,), tasks=[task("a", 1, WORKER, state="failed")]))
    assert out == [
        "spider image 0.01 → 0.03",
        "update of spider rollback started: update paused due to failure",
        "spider.1 failed",
    ]


def test_node_role_availability_and_leadership():
    narrate = Narrator()
    narrate(snap())
    promoted = replace(WORKER, role="manager", availability="drain", leader=True)
    deposed = replace(MANAGER, leader=False)
    assert narrate(snap(nodes=(deposed, promoted))) == [
        "lab-worker-1 availability active → drain",
        "lab-worker-1 promoted to manager",
        "lab-worker-1 is the new leader",
    ]
