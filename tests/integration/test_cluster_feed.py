"""The change feed on the real test lab: coalesced signals for a scale and a node going down, reconnects."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time


from swarmtui.cluster.feed import Feed, Signal
from tests.integration.cluster_helpers import SLEEPER, wait_for


class Recorder:
    def __init__(self) -> None:
        self.signals: list[tuple[float, Signal]] = []
        self.lock = threading.Lock()

    def __call__(self, signal: Signal) -> None:
        with self.lock:
            self.signals.append((time.monotonic(), signal))

    def node_states(self) -> list[tuple[str, str]]:
        with self.lock:
            return [state for _, sig in self.signals for state in sig.node_states]

    def any(self, pred) -> bool:
        with self.lock:
            return any(pred(sig) for _, sig in self.signals)


class SocketProxy:
    """A unix-socket forwarder to the manager, so a test can cut connections from the daemon's side."""

    def __init__(self, target: str, path: str) -> None:
        self.target, self.path = target, path
        self.conns: list[socket.socket] = []
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(path)
        self.server.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        """Drop every open connection, as a daemon restart or network drop would."""
        for conn in self.conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.conns.clear()

    def close(self) -> None:
        self.cut()
        self.server.close()
        os.unlink(self.path)


def test_a_scale_arrives_as_few_coalesced_signals(swarm, lab, unique_name):
    rec = Recorder()
    feed = Feed(lab.docker_host, rec, interval=0.1, poll_seconds=0.5).start()
    try:
        wait_for(lambda: feed.connected, what="the feed to connect")
        created = swarm.create_service(unique_name, f"{lab.registry}/spider:0.01", 1, command=SLEEPER)
        feed.watch(services={created.target_id})
        wait_for(lambda: sum(t.state == "running" for t in swarm.tasks(service=unique_name)) == 1, what="1 replica")
        time.sleep(1)
        start = len(rec.signals)
        swarm.scale(unique_name, 4)
        wait_for(lambda: any(sig.services for _, sig in rec.signals[start:]), what="the scale signalled")
        wait_for(lambda: sum(t.state == "running" for t in swarm.tasks(service=unique_name)) == 4, what="4 replicas")
        time.sleep(1.5)  # let the poller see the last task state
        after = [sig for _, sig in rec.signals[start:]]
        assert any(sig.services for sig in after), "the services table is told to refresh"
        assert any(created.target_id in sig.tasks for sig in after), "the watched service's tasks are refreshed"
        # 4 new tasks x ~5 state changes each + events would be dozens of signals if not coalesced
        assert len(after) <= 12, [s for s in after]
        times = [t for t, _ in rec.signals]
        assert all(b - a >= 0.09 for a, b in zip(times, times[1:])), "never more often than every ~100 ms"
    finally:
        feed.stop()
        swarm.remove_service(unique_name)
    assert not any(t.is_alive() for t in threading.enumerate() if t.name.startswith("swarmtui-feed"))


def test_a_worker_going_down_and_back_is_signalled(swarm, lab):
    # other test runs stop lab-worker-2 for their failover tests; this one uses lab-worker-1
    name = "lab-worker-1"
    wait_for(lambda: swarm.node(name).status == "ready", timeout=60, what=f"{name} ready before the test")
    rec = Recorder()
    feed = Feed(lab.docker_host, rec, interval=0.1, poll_seconds=0.5).start()
    node_id = swarm.node(name).id
    feed.watch(nodes={node_id})
    try:
        wait_for(lambda: feed.connected, what="the feed to connect")
        lab.stop_node(name)
        wait_for(lambda: (node_id, "down") in rec.node_states(), timeout=40, what=f"{name} down")
        assert rec.any(lambda s: s.nodes), "the nodes table is told to refresh"
        assert swarm.node(name).status == "down"
    finally:
        lab.start_node(name)
        try:
            wait_for(lambda: (node_id, "ready") in rec.node_states(), timeout=60, what=f"{name} ready again")
        finally:
            feed.stop()
    assert swarm.node(name).status == "ready"


def test_feed_reconnects_after_a_drop_and_replays_missed_events(swarm, lab, unique_name, tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="swarmtui.cluster.feed")  # the feed logs each event it takes
    target = lab.docker_host.removeprefix("unix://")
    proxy = SocketProxy(target, str(tmp_path / "proxy.sock"))
    rec = Recorder()
    feed = Feed(f"unix://{proxy.path}", rec, interval=0.1, poll_seconds=0.5, reconnect_seconds=2.0).start()
    try:
        wait_for(lambda: feed.connected, what="the feed to connect")
        proxy.cut()
        wait_for(lambda: rec.any(lambda s: s.connected is False), what="the drop to be noticed")
        # while the feed waits to reconnect, something happens in the swarm
        created = swarm.create_service(unique_name, f"{lab.registry}/spider:0.01", 0, command=SLEEPER)
        wait_for(lambda: feed.reconnects == 1, what="a reconnect")
        replayed = f"event service create {created.target_id}"
        wait_for(lambda: replayed in caplog.messages, what="the missed event replayed")
        wait_for(lambda: rec.any(lambda s: s.connected is True and s.nodes and s.services), what="a full re-list")
    finally:
        stopped_at = time.monotonic()
        feed.stop()
        assert time.monotonic() - stopped_at < 3, "stop() closes the stream and joins quickly"
        proxy.close()
        swarm.remove_service(unique_name)


def test_feed_to_an_unreachable_daemon_keeps_retrying_and_stops_cleanly(tmp_path):
    rec = Recorder()
    feed = Feed(f"unix://{tmp_path}/nobody.sock", rec, reconnect_seconds=0.2, poll_seconds=0.2).start()
    time.sleep(1)
    assert not feed.connected and feed.last_error
    feed.stop()
    assert not any(t.is_alive() for t in threading.enumerate() if t.name.startswith("swarmtui-feed"))
