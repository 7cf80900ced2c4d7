"""The TUI's watcher is fed the app's snapshots: it opens no events stream and takes no snapshot of
its own (counted), and the rules still raise and resolve from what it is handed."""

from dataclasses import replace

from swarmtui.alerts.watch import Watcher
from swarmtui.cluster.errors import DaemonUnreachable
from swarmtui.config import Settings
from tests.unit.test_alert_rules import MANAGER, WORKER, snap


def test_a_fed_watcher_takes_nothing_of_its_own_and_alerts_from_what_it_is_handed():
    alerts = []

    def no_client():
        raise AssertionError("a fed watcher made a client of its own")

    watcher = Watcher(Settings(docker_host="unix:///nonexistent.sock"), on_alert=alerts.append, fed=True,
                      client_factory=no_client).start()
    try:
        assert watcher._threads == [] and watcher._feed is None  # no snapshot loop, no events stream
        watcher.observe(snap(), now=0)
        watcher.observe(snap(nodes=(MANAGER, replace(WORKER, status="down"))), now=10)
        watcher.unreachable(DaemonUnreachable("cannot reach the manager"), now=20)
        watcher.observe(snap(), now=30)
    finally:
        watcher.stop()
    assert [(a.rule, a.resolved) for a in alerts] == [
        ("node_down", False), ("docker_unreachable", False), ("docker_unreachable", True), ("node_down", True)]
    assert watcher.snapshot == snap()
