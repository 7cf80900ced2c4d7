"""feed.py's pure parts: events in words for the timeline, and signal merging."""

from __future__ import annotations

import json
from pathlib import Path

from swarmtui.cluster.feed import Signal, summarize

FIXTURES = Path(__file__).parent / "fixtures"


def ev(kind: str, action: str, **attrs) -> dict:
    return {"Type": kind, "Action": action, "Actor": {"ID": "abc123", "Attributes": attrs}, "scope": "swarm"}


def test_captured_service_events_read_as_a_person_would_say_them():
    events = json.loads((FIXTURES / "cluster_events.json").read_text())
    lines = [s for s in map(summarize, events) if s]
    assert "service capweb created" in lines
    assert "caphost replicas 3 → 2" in lines
    assert "caphost image spider:0.01 → spider:0.02" in lines
    assert "update of caphost started" in lines
    # a bare "update" (spec touched, nothing we can name) is not timeline noise
    assert summarize(ev("service", "update", name="capweb")) is None


def test_node_events_in_words():
    assert summarize(ev("node", "update", name="lab-worker-2", **{"state.old": "ready", "state.new": "down"})) == "lab-worker-2 down"
    assert summarize(ev("node", "update", name="w", **{"availability.old": "active", "availability.new": "drain"})) == "w availability active → drain"
    assert summarize(ev("node", "update", name="w", **{"role.old": "worker", "role.new": "manager"})) == "w promoted to manager"
    assert summarize(ev("node", "update", name="m", **{"leader.old": "false", "leader.new": "true"})) == "m is the leader now"
    assert summarize(ev("node", "create", name="w3")) == "node w3 joined"
    assert summarize(ev("node", "remove", name="w3")) == "node w3 removed"


def test_update_and_rollback_states_in_words():
    assert summarize(ev("service", "update", name="spider", **{"updatestate.new": "completed"})) == "update of spider completed"
    assert summarize(ev("service", "update", name="spider", **{"updatestate.new": "rollback_completed"})) == "rollback of spider completed"
    assert summarize(ev("service", "update", name="spider", **{"updatestate.new": "paused"})) == "update of spider paused"


def test_signals_merge_into_one():
    a = Signal(services=True, tasks=frozenset({"s1"}), event_summaries=("x",))
    b = Signal(nodes=True, tasks=frozenset({"n1"}), event_summaries=("y",), connected=False)
    merged = a.merge(b)
    assert merged.nodes and merged.services
    assert merged.tasks == {"s1", "n1"}
    assert merged.event_summaries == ("x", "y")
    assert merged.connected is False
    assert not Signal() and Signal(connected=True)
