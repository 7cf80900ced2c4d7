"""guards.py: bad input and unsafe operations are refused before anything is sent."""

from __future__ import annotations

import pytest

from swarmtui.cluster import guards
from swarmtui.cluster.errors import (
    BadReplicaCount, ClusterError, InvalidImage, InvalidInput, LastActiveNode, NodeNotDown, QuorumRisk,
)
from swarmtui.cluster.models import Node


def node(id_, role="worker", status="ready", availability="active", reach=None, leader=False) -> Node:
    return Node(id=id_, hostname=f"n-{id_}", role=role, status=status, availability=availability,
                manager_reachability=reach, leader=leader, engine_version="", address="", cpus=1, memory_bytes=1)


@pytest.mark.parametrize("value, expected", [(0, 0), (3, 3), ("5", 5), (" 7 ", 7), (1000, 1000)])
def test_replica_counts_accepted(value, expected):
    assert guards.check_replicas(value, cap=1000) == expected


@pytest.mark.parametrize("value, words", [(-1, "negative"), ("-3", "negative"), ("three", "not a whole number"),
                                          (2.5, "not a whole number"), (True, "not a number"), (None, "not a whole number"),
                                          (1001, "over the cap of 1000"), ("99999999", "over the cap")])
def test_bad_replica_counts_are_refused_with_the_reason(value, words):
    with pytest.raises(BadReplicaCount) as info:
        guards.check_replicas(value, cap=1000)
    assert words in str(info.value)
    assert isinstance(info.value, ClusterError)


@pytest.mark.parametrize("ref", ["10.89.0.1:8003/spider:0.02", "spider", "localhost:8003/spider:0.01", "library/redis:7",
                                 "reg.example.com/team/spider@sha256:" + "a" * 64, "spider:latest"])
def test_valid_image_references(ref):
    assert guards.check_image(ref) == ref


@pytest.mark.parametrize("ref", ["", "   ", "Spider:0.1", "spider:", "spider::1", "reg:8003/spider:0.1 extra", "spider:tag/with",
                                 ":0.02", "spider@sha256:short", None])
def test_invalid_image_references(ref):
    with pytest.raises(InvalidImage):
        guards.check_image(ref)


def test_service_names_and_label_keys():
    assert guards.check_service_name("spider-2") == "spider-2"
    for bad in ("", "-x", "has space", "a" * 70):
        with pytest.raises(InvalidInput):
            guards.check_service_name(bad)
    with pytest.raises(InvalidInput):
        guards.check_label_keys(["ok", "bad=key"])
    with pytest.raises(InvalidInput):
        guards.check_availability("sleep")


def test_demoting_the_only_manager_is_refused():
    m = node("m", role="manager", reach="reachable", leader=True)
    with pytest.raises(QuorumRisk, match="without a manager"):
        guards.check_demote([m, node("w")], m)


def test_demote_that_loses_quorum_is_refused_and_a_safe_one_allowed():
    m1 = node("1", role="manager", reach="reachable", leader=True)
    m2 = node("2", role="manager", reach="reachable")
    m3 = node("3", role="manager", status="down", reach="unreachable")
    with pytest.raises(QuorumRisk, match="quorum"):
        guards.check_demote([m1, m2, m3], m2)  # left: m1 + unreachable m3 -> 1 of 2, need 2
    guards.check_demote([m1, m2, m3], m3)  # demoting the unreachable one keeps 2 of 2
    guards.check_demote([m1, m2], m2)  # 2 -> 1 manager is fine
    guards.check_demote([m1, node("w")], node("w"))  # a worker: nothing to guard


def test_removing_a_ready_node_needs_force_and_a_manager_must_be_demoted_first():
    with pytest.raises(NodeNotDown, match="still Ready"):
        guards.check_remove_node(node("w"), force=False)
    guards.check_remove_node(node("w", status="down"), force=False)
    guards.check_remove_node(node("w"), force=True)
    with pytest.raises(QuorumRisk, match="Demote it first"):
        guards.check_remove_node(node("m", role="manager", status="down"), force=True)


def test_draining_or_pausing_the_last_active_ready_node_is_refused():
    last = node("a")
    others = [node("b", availability="drain"), node("c", status="down")]
    with pytest.raises(LastActiveNode, match="draining n-a"):
        guards.check_availability_change([last, *others], last, "drain")
    with pytest.raises(LastActiveNode, match="pausing"):
        guards.check_availability_change([last, *others], last, "pause")
    guards.check_availability_change([last, node("b")], last, "drain")
    guards.check_availability_change([last, *others], others[0], "active")
