"""tasklist.decode(): a refresh counts tasks by a few fields only; the snapshot it makes must be the
one whole tasks make (recorded lab payloads, tests/unit/fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swarmtui.cluster import assemble, tasklist
from swarmtui.cluster.errors import EngineRefused
from tests.unit.test_cluster_assemble import TAKEN_AT, load, raw_swarm

BODY = (Path(__file__).parent / "fixtures" / "cluster_tasks_caphost.json").read_bytes()
RESOURCES = {"Reservations": {"NanoCPUs": 250_000_000, "MemoryBytes": 64 << 20}, "Limits": {"MemoryBytes": 128 << 20}}


def with_resources() -> list[dict]:
    """The recorded tasks, each running one asking for CPU and memory (the lab's ask for none)."""
    tasks = load("tasks_caphost")
    for task in tasks:
        if task["DesiredState"] == "running":
            task["Spec"]["Resources"] = RESOURCES
    return tasks


def test_counted_tasks_keep_only_what_a_refresh_counts_by():
    whole, counted = tasklist.decode(BODY), tasklist.decode(BODY, counted=True)
    assert whole == load("tasks_caphost")
    assert len(counted) == len(whole)
    assert {key for task in counted for key in task} <= {"ID", "ServiceID", "NodeID", "DesiredState", "Status", "Spec"}
    assert all(set(t["Status"]) <= {"State"} for t in counted)
    assert [t["Status"]["State"] for t in counted] == [t["Status"]["State"] for t in whole]


def test_a_snapshot_from_counted_tasks_is_the_one_whole_tasks_make():
    tasks = with_resources()
    whole_raw = raw_swarm(running=[t for t in tasks if t["DesiredState"] == "running"])
    running_ids = {t["ID"] for t in whole_raw.running}
    counted = [t for t in tasklist.decode(json.dumps(tasks).encode(), counted=True) if t["ID"] in running_ids]
    # as the client does: the shown service's tasks whole (capweb: none here), every other one counted
    expected = assemble.snapshot(whole_raw, TAKEN_AT, "capweb")
    got = assemble.snapshot(raw_swarm(running=counted), TAKEN_AT, "capweb")
    assert got == expected and any(n.running_tasks for n in got.nodes)
    assert got.service_by_name("caphost").replicas_running
    assert any(n.reserved.cpus for n in got.nodes), "the resources placed on nodes were not counted"


@pytest.mark.parametrize("body", [b"{not json", b'{"message": "a map, not a list"}', b""])
def test_a_body_that_is_not_a_task_list_is_a_clear_error(body):
    with pytest.raises(EngineRefused, match="task list could not be read"):
        tasklist.decode(body, counted=True)
