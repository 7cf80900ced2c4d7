"""assemble.snapshot(): the payloads of one refresh -> the Snapshot every pane shows (recorded lab payloads)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

from swarmtui.cluster import assemble, convert

FIXTURES = Path(__file__).parent / "fixtures"
TAKEN_AT = datetime(2026, 11, 26, 23, 46, 41, tzinfo=timezone.utc)


def load(name: str):
    return json.loads((FIXTURES / f"cluster_{name}.json").read_text())


def raw_swarm(history: bool = False, nodes=None, running=None) -> assemble.RawSwarm:
    tasks = load("tasks_caphost")
    running = [t for t in tasks if t["DesiredState"] == "running"] if running is None else running
    # swarm's "host" network has a swarm-scope ID the list does not show: the client looks it up
    names = {**convert.network_names(load("networks")), "v12bohetjbjj1zrh2v6jgxya0": "host"}
    return assemble.RawSwarm(load("swarm"), nodes or load("nodes"), load("services"), running,
                             names, tasks if history else None)


def test_managers_come_first_and_services_by_name_with_network_names():
    snap = assemble.snapshot(raw_swarm(), TAKEN_AT)
    assert [n.hostname for n in snap.nodes] == ["lab-manager-1", "lab-worker-1", "lab-worker-2"]
    names = [s.name for s in snap.services]
    assert names == sorted(names) and "caphost" in names
    assert snap.service_by_name("caphost").network_mode == "host"
    assert snap.swarm.managers == 1 and snap.swarm.workers == 2
    assert snap.taken_at == TAKEN_AT and snap.tasks == ()


def test_tasks_of_a_service_by_name_or_id_running_only_or_with_history():
    caphost = next(s["ID"] for s in load("services") if s["Spec"]["Name"] == "caphost")
    running = assemble.snapshot(raw_swarm(), TAKEN_AT, "caphost").tasks
    assert [t.desired_state for t in running] == ["running"]
    assert assemble.snapshot(raw_swarm(), TAKEN_AT, caphost).tasks == running
    history = assemble.snapshot(raw_swarm(history=True), TAKEN_AT, "caphost").tasks
    assert len(history) == 5 and {t.service_name for t in history} == {"caphost"}
    assert {t.node_hostname for t in history} == {"lab-manager-1", "lab-worker-1", "lab-worker-2"}


def test_tasks_of_a_node_by_hostname():
    tasks = assemble.snapshot(raw_swarm(history=True), TAKEN_AT, "lab-worker-1").tasks
    assert tasks and {t.node_hostname for t in tasks} == {"lab-worker-1"}


def test_a_vanished_scope_shows_no_tasks_and_the_rest_of_the_swarm():
    # the selected service was just removed: the snapshot must still come (the TUI froze on an error)
    snap = assemble.snapshot(raw_swarm(), TAKEN_AT, "nope")
    assert snap.tasks == () and snap.services == assemble.snapshot(raw_swarm(), TAKEN_AT).services and snap.nodes


def test_running_tasks_on_a_down_node_do_not_count_as_running_replicas():
    up = assemble.snapshot(raw_swarm(), TAKEN_AT).service_by_name("caphost")
    nodes = copy.deepcopy(load("nodes"))
    worker = next(n for n in nodes if n["Description"]["Hostname"] == "lab-worker-1")  # runs caphost's one running task
    worker["Status"]["State"] = "down"
    down = assemble.snapshot(raw_swarm(nodes=nodes), TAKEN_AT)
    assert down.service_by_name("caphost").replicas_running == up.replicas_running - 1
    assert next(n for n in down.nodes if n.hostname == "lab-worker-1").status == "down"
