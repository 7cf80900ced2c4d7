"""diff.py: rows added / changed (which fields) / removed, keyed by Docker IDs."""

from __future__ import annotations

from dataclasses import replace

from swarmtui.cluster.diff import diff, diff_snapshots
from swarmtui.cluster.models import Node, Service, Snapshot, SwarmInfo


def node(id_: str, **kw) -> Node:
    base = dict(id=id_, hostname=f"h-{id_}", role="worker", status="ready", availability="active",
                manager_reachability=None, leader=False, engine_version="20.10", address="10.0.0.1",
                cpus=2.0, memory_bytes=1 << 30)
    return Node(**{**base, **kw})


def service(id_: str, **kw) -> Service:
    base = dict(id=id_, name=f"s-{id_}", image="reg/spider:0.01", mode="replicated", replicas_running=3, replicas_desired=3)
    return Service(**{**base, **kw})


def test_nothing_changed_is_an_empty_falsy_diff():
    rows = (node("a"), node("b"))
    d = diff(rows, tuple(rows))
    assert not d and d.added == d.changed == d.removed == ()


def test_added_changed_removed_are_keyed_by_id_and_name_the_fields():
    old = (node("a"), node("b"), node("c"))
    new = (node("a"), node("b", status="down", running_tasks=0), node("d"))
    d = diff(old, new)
    assert [r.id for r in d.added] == ["d"]
    assert [r.id for r in d.removed] == ["c"]
    assert len(d.changed) == 1
    change = d.changed[0]
    assert change.id == "b" and change.fields == ("status",)
    assert change.old.status == "ready" and change.new.status == "down"


def test_a_renamed_row_with_the_same_id_is_a_change_not_add_and_remove():
    d = diff((service("x", name="spider"),), (service("x", name="spider2", replicas_desired=5),))
    assert not d.added and not d.removed
    assert d.changed[0].fields == ("name", "replicas_desired")


def test_ignored_fields_do_not_count_as_changes():
    d = diff((service("x", version=1),), (service("x", version=2),), ignore=("version",))
    assert not d


def test_labels_mapping_changes_are_seen():
    d = diff((node("a", labels={"disk": "ssd"}),), (node("a", labels={"disk": "hdd"}),))
    assert d.changed[0].fields == ("labels",)


def test_first_snapshot_diff_adds_everything():
    swarm = SwarmInfo(id="s", managers=1, workers=1, heartbeat_seconds=5)
    snap = Snapshot(swarm=swarm, nodes=(node("a"),), services=(service("x"),))
    d = diff_snapshots(None, snap)
    assert d and len(d.nodes.added) == 1 and len(d.services.added) == 1 and not d.tasks
    later = replace(snap, services=(service("x", replicas_running=2),))
    d2 = diff_snapshots(snap, later)
    assert not d2.nodes and d2.services.changed[0].fields == ("replicas_running",)
