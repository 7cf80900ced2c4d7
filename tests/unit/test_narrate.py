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


def test_a_replacement_first_listed_as_ready_is_a_restart_once_it_runs():
    """The engine lists a replacement with desired state "ready" (waiting out its restart delay)
    before it wants it running: the restart is told when it is wanted running, and only once."""
    narrate = Narrator()
    narrate(snap(tasks=[task("a", 1, WORKER), task("b", 2, MANAGER)]))
    assert narrate(snap(tasks=[task("c", 1, MANAGER, state="assigned", desired="ready"), task("b", 2, MANAGER)])) == []
    restarted = snap(tasks=[task("c", 1, MANAGER), task("b", 2, MANAGER)])
    assert narrate(restarted) == ["spider.1 restarted on lab-manager-1 (was on lab-worker-1)"]
    assert narrate(restarted) == []


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


def test_an_operation_and_the_narrator_write_one_line_per_event_in_either_order():
    from swarmtui.cluster.models import OperationResult

    narrate = Narrator()
    narrate(snap())
    barseed = Service("s2", "barseed", "reg:8003/spider:0.01", "replicated", replicas_running=0, replicas_desired=1)
    created = OperationResult("create", "barseed", "barseed created with 1 replica(s) of reg:8003/spider:0.01", "docker ...",
                              target_id="s2")
    assert narrate.operation_done(created)  # the operation reports first: its summary is the line...
    assert narrate(snap(services=(SPIDER, barseed))) == []  # ...and the narrator keeps quiet about it
    drained = replace(WORKER, availability="drain")
    assert narrate(snap(nodes=(MANAGER, drained), services=(SPIDER, barseed))) == ["lab-worker-1 availability active → drain"]
    drain = OperationResult("drain", "lab-worker-1", "lab-worker-1 set to drain", "docker ...", target_id="n2")
    assert not narrate.operation_done(drain)  # the narrator said it first: no second line
    scaled = OperationResult("scale", "barseed", "barseed scaled 1 → 2", "docker ...", target_id="s2")
    assert narrate.operation_done(scaled)  # a scale's intent is its own line; progress lines follow
    assert narrate(snap(nodes=(MANAGER, drained), services=(SPIDER, replace(barseed, replicas_desired=2)))) == [
        "barseed 0/1 → 0/2"]
    assert narrate.operation_done(OperationResult("remove", "a-secret", "a-secret removed", "docker ...", target_id="x9"))
    assert narrate(snap(nodes=(MANAGER, drained), services=(SPIDER,))) == ["service barseed removed"]
