"""The feed's signals: merged over the coalescing window, and a node's new state handed on from its
event, so a pane can show it before the refresh lands."""

from swarmtui.cluster.feed import Feed, Signal


def node_event(node_id: str, new: str, old: str = "ready") -> dict:
    return {"Type": "node", "Action": "update", "timeNano": 1,
            "Actor": {"ID": node_id, "Attributes": {"name": "lab-worker-1", "state.old": old, "state.new": new}}}


def test_signals_merge_into_one():
    a = Signal(services=True, tasks=frozenset({"s1"}))
    b = Signal(nodes=True, tasks=frozenset({"n1"}), connected=False)
    merged = a.merge(b)
    assert merged.nodes and merged.services
    assert merged.tasks == {"s1", "n1"}
    assert merged.connected is False
    assert not Signal() and Signal(connected=True)


def test_node_state_changes_ride_on_the_signal_in_order():
    feed = Feed(None, on_signal=lambda signal: None)
    feed._on_event(node_event("n1", "down"))
    feed._on_event({"Type": "service", "Action": "update", "Actor": {"ID": "s1", "Attributes": {"name": "spider"}}})
    feed._on_event(node_event("n1", "ready", old="down"))
    pending = feed._pending
    assert pending.node_states == (("n1", "down"), ("n1", "ready"))
    assert pending.nodes and pending.services


def test_availability_changes_carry_no_state():
    feed = Feed(None, on_signal=lambda signal: None)
    feed._on_event({"Type": "node", "Action": "update",
                    "Actor": {"ID": "n1", "Attributes": {"availability.old": "active", "availability.new": "drain"}}})
    assert feed._pending.node_states == ()
    assert Signal(node_states=(("n", "down"),))
