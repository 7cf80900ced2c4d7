"""LogStream against the real lab: every line once, attributed, no leaks, resumes after a cut."""

from __future__ import annotations

import collections
import os
import threading
import time

import pytest
from docker.types import ServiceMode

from swarmtui.cluster.logs import LogStream, since_param

pytestmark = pytest.mark.lab

# Each replica prints `SLOT i` for i in 0..COUNT-1 (one python loop, no fork per line),
# then a line with invalid UTF-8 and ANSI colour, then idles (or keeps counting when FOREVER).
WRITER = """
import os, sys, time
slot = os.environ["SLOT"]
count, pause, forever = int(os.environ["COUNT"]), float(os.environ["PAUSE"]), os.environ.get("FOREVER") == "1"
i = 0
while i < count or forever:
    sys.stdout.write(f"{slot} {i}\\n"); sys.stdout.flush()
    i += 1
    time.sleep(pause)
sys.stdout.buffer.write(b"bad \\xff\\xfe \\x1b[31mred\\x1b[0m\\n"); sys.stdout.flush()
time.sleep(100000)
"""


def create_writer(client, lab, name, replicas, count, pause, forever=False, spread=False):
    return client.services.create(
        f"{lab.registry}/spider:0.01", ["python3", "-c", WRITER], name=name,
        env=["SLOT={{.Task.Slot}}", f"COUNT={count}", f"PAUSE={pause}", f"FOREVER={int(forever)}"],
        mode=ServiceMode("replicated", replicas=replicas), maxreplicas=1 if spread else None,
        stop_grace_period=1_000_000_000,
    )


def wait_running(client, service, replicas, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks = [t for t in client.api.tasks(filters={"service": service.id, "desired-state": "running"})
                 if t["Status"]["State"] == "running"]
        if len(tasks) >= replicas:
            return tasks
        time.sleep(0.5)
    raise AssertionError(f"{service.name}: {replicas} replicas not running within {timeout:.0f}s")


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class Collector:
    def __init__(self):
        self.lines = []
        self.batches = 0
        self.lock = threading.Lock()

    def __call__(self, batch):
        with self.lock:
            self.lines.extend(batch)
            self.batches += 1


def complete_tasks(lines, count):
    """Task ids that delivered all their numbered lines and the final one."""
    per_task = collections.Counter(line.task_id for line in lines)
    return {task for task, n in per_task.items() if n >= count + 1}


def test_every_line_arrives_once_attributed_to_its_replica(lab, docker_client, unique_name):
    replicas, count = 4, 300
    service = create_writer(docker_client, lab, unique_name, replicas, count, pause=0.005)
    try:
        wait_running(docker_client, service, replicas)
        got = Collector()
        with LogStream(lab.docker_host, unique_name, got, tail="all") as stream:
            wait_for(lambda: len({line.slot for line in got.lines if line.task_id in complete_tasks(got.lines, count)})
                     == replicas, 60, "every line of every replica")
            time.sleep(1.0)  # nothing more may come
        # Where each task ran, per the manager (history included: another test may have restarted a node).
        nodes = {n["ID"]: n["Description"]["Hostname"] for n in docker_client.api.nodes()}
        where = {t["ID"]: (t["Slot"], nodes.get(t["NodeID"], "")) for t in docker_client.api.tasks(filters={"service": service.id})}
        per_task = collections.defaultdict(list)
        for line in got.lines:
            assert line.service == unique_name
            assert (line.slot, line.node) == where[line.task_id], f"{line.text!r} attributed to {line.replica}"
            if line.text.startswith("bad"):
                assert "\ufffd" in line.text and "\x1b[31mred" in line.text
                continue
            slot, number = line.text.split()
            assert int(slot) == line.slot, f"{line.text!r} attributed to slot {line.slot}"
            per_task[line.task_id].append(int(number))
        for task_id, numbers in per_task.items():
            assert numbers == list(range(len(numbers))), f"task {task_id}: lost, repeated or reordered lines"
        done = complete_tasks(got.lines, count)
        assert {where[t][0] for t in done} == set(range(1, replicas + 1))
        assert all(per_task[t] == list(range(count)) for t in done)
        assert got.batches < len(got.lines) / 10, "lines must be handed over in batches"
        # (stream.stats["duplicates"] may be > 0: lines the engine sent twice, dropped before the callback)
        assert stream.stats["lines"] == len(got.lines)
    finally:
        service.remove()


def open_fds() -> tuple[int, int]:
    fds = os.listdir("/proc/self/fd")
    sockets = 0
    for fd in fds:
        try:
            sockets += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return len(fds), sockets


def test_switching_services_twenty_times_leaks_no_thread_or_connection(lab, docker_client, unique_name):
    services = [create_writer(docker_client, lab, f"{unique_name}{i}", 2, 10**9, pause=0.05) for i in range(2)]
    try:
        for service in services:
            wait_running(docker_client, service, 2)
        before_threads, (before_fds, before_sockets) = threading.active_count(), open_fds()
        for i in range(20):
            got = Collector()
            stream = LogStream(lab.docker_host, services[i % 2].id, got, tail=5).start()
            wait_for(lambda: got.lines, 20, "the first batch")
            assert {line.service for line in got.lines} == {services[i % 2].name}
            started = time.monotonic()
            stream.close()
            assert time.monotonic() - started < 1.0, "switching must be immediate"
            assert not any(t.is_alive() for t in stream.threads)
        wait_for(lambda: threading.active_count() == before_threads and open_fds() == (before_fds, before_sockets),
                 5, f"threads/fds back to {before_threads}/{before_fds}: now {threading.active_count()}/{open_fds()}")
    finally:
        for service in services:
            service.remove()


def test_all_services_mode_attributes_lines_to_each_service(lab, docker_client, unique_name):
    services = [create_writer(docker_client, lab, f"{unique_name}{i}", 1, 50, pause=0.01) for i in range(2)]
    try:
        for service in services:
            wait_running(docker_client, service, 1)
        got = Collector()
        with LogStream(lab.docker_host, None, got, tail="all"):
            wanted = {s.name for s in services}
            wait_for(lambda: sum(line.service in wanted for line in got.lines) >= 2 * 51, 60, "both services' lines")
        for service in services:
            mine = [line.text for line in got.lines if line.service == service.name and not line.text.startswith("bad")]
            assert mine == [f"1 {i}" for i in range(50)]
    finally:
        for service in services:
            service.remove()


def test_stream_cut_by_a_node_restart_resumes_without_duplicates(lab, docker_client, unique_name):
    service = create_writer(docker_client, lab, unique_name, 3, 10**9, pause=0.05, forever=True, spread=True)
    stopped = None
    try:
        tasks = wait_running(docker_client, service, 3)
        nodes = {n["ID"]: n["Description"]["Hostname"] for n in docker_client.api.nodes()}
        # a node whose role is worker (stopping a manager could cost the swarm its quorum)
        workers = {n["ID"] for n in docker_client.api.nodes() if n["Spec"]["Role"] == "worker"}
        victim = next(t for t in tasks if t["NodeID"] in workers)
        stopped = nodes[victim["NodeID"]]
        got = Collector()
        status: list[str] = []
        with LogStream(lab.docker_host, service.id, got, tail=20, silence=5.0, on_status=status.append) as stream:
            wait_for(lambda: len({line.slot for line in got.lines}) == 3, 30, "lines of all three replicas")
            lab.stop_node(stopped)
            time.sleep(3)
            lab.start_node(stopped)
            stopped = None
            mark = len(got.lines)
            # the manager may itself have been restarted by the cut; the stream must come back on its own
            wait_for(lambda: len({line.slot for line in got.lines[mark:]}) == 3, 120,
                     "lines of all three replicas after the restart")
            stream.kick()  # and a stall on top: a cut the engine never reports
            mark = len(got.lines)
            wait_for(lambda: len(got.lines) > mark + 60, 30, "lines after a forced reconnect")
            reconnects = stream.stats["reconnects"]
        assert reconnects >= 1
        seen = collections.Counter((line.task_id, line.text) for line in got.lines)
        assert [k for k, v in seen.items() if v > 1] == [], "lines delivered twice after a reconnect"
        per_task = collections.defaultdict(list)
        for line in got.lines:
            per_task[line.task_id].append(int(line.text.split()[1]))
        for task_id, numbers in per_task.items():
            assert numbers == sorted(numbers), f"task {task_id}: lines out of order"
        # replicas that were not on the restarted node have no gap
        victim_lines = per_task.get(victim["ID"], [])
        for task_id, numbers in per_task.items():
            if task_id != victim["ID"] and numbers:
                assert numbers == list(range(numbers[0], numbers[-1] + 1)), f"task {task_id}: lines lost"
        assert victim_lines, "the restarted node's replica was shown before the cut"
    finally:
        if stopped is not None:
            lab.start_node(stopped)
        service.remove()


# ---- scopes: one task, one node, a since window -----------------------------------------------

SCOPED_COUNT = 10  # lines per replica, PAUSE apart: their engine timestamps differ enough to cut between


@pytest.fixture(scope="module")
def spread_writers(lab):
    """Two services of three replicas, one per node (so a node holds one task of each), each
    replica printing SCOPED_COUNT numbered lines 0.3 s apart then its last line; shared by the
    scope tests (made once: a service costs seconds)."""
    import uuid

    with lab.client() as client:
        base = f"t{uuid.uuid4().hex[:8]}"
        services = [create_writer(client, lab, f"{base}{i}", 3, SCOPED_COUNT, pause=0.3, spread=True) for i in range(2)]
        try:
            tasks = [t for s in services for t in wait_running(client, s, 3)]
            got = Collector()  # everything, service-wide: what the scoped streams are compared with
            with LogStream(lab.docker_host, None, got, tail="all", service_filters={"name": base}):
                wait_for(lambda: len(complete_tasks(got.lines, SCOPED_COUNT)) == 6, 60, "every line of both services")
            nodes = {n["ID"]: n["Description"]["Hostname"] for n in client.api.nodes()}
            yield {"services": services, "tasks": tasks, "lines": got.lines, "nodes": nodes}
        finally:
            for service in services:
                service.remove()


def reconnect(stream) -> None:
    """Cut the stream (as a stall would) and wait until it is back: its replay must add nothing."""
    cut = time.monotonic()
    stream.kick()
    wait_for(lambda: stream.connected_after(cut), 20, "the stream to reconnect")
    time.sleep(0.5)  # what the replay would deliver (flushed every 75 ms)


def numbered(lines) -> list[int]:
    return [int(line.text.split()[1]) for line in lines if not line.text.startswith("bad")]


def test_a_task_scope_streams_that_replica_only_every_line_once(lab, spread_writers):
    task = spread_writers["tasks"][1]
    got = Collector()
    # no silence watchdog: the last lines of a replica gone quiet come at once, not on a reconnect
    with LogStream(lab.docker_host, None, got, task=task["ID"], tail="all", silence=3600) as stream:
        wait_for(lambda: len(got.lines) >= SCOPED_COUNT + 1, 30, "the task's lines")
        assert stream.stats["reconnects"] == 0
        reconnect(stream)
    assert {line.task_id for line in got.lines} == {task["ID"]}
    assert numbered(got.lines) == list(range(SCOPED_COUNT))
    assert {line.slot for line in got.lines} == {task["Slot"]}
    assert {line.text.split()[0] for line in got.lines if not line.text.startswith("bad")} == {str(task["Slot"])}


def test_a_node_scope_streams_the_tasks_on_that_node_only(lab, spread_writers):
    node_id = spread_writers["tasks"][0]["NodeID"]
    hostname = spread_writers["nodes"][node_id]
    on_node = {t["ID"] for t in spread_writers["tasks"] if t["NodeID"] == node_id}
    assert len(on_node) == 2, "one task of each service on the node"
    got = Collector()
    with LogStream(lab.docker_host, None, got, node=hostname, tail="all", silence=3600) as stream:
        wait_for(lambda: complete_tasks(got.lines, SCOPED_COUNT) >= on_node, 30, "both tasks' lines")
        assert stream.stats["reconnects"] == 0
        reconnect(stream)
    mine = [line for line in got.lines if line.service in {s.name for s in spread_writers["services"]}]
    assert {line.node for line in got.lines} == {hostname}
    assert {line.task_id for line in mine} == on_node
    for task_id in on_node:
        assert numbered([line for line in mine if line.task_id == task_id]) == list(range(SCOPED_COUNT))


def unix(timestamp: str) -> float:
    whole, _, nanos = since_param(timestamp).partition(".")
    return int(whole) + int(nanos) / 1e9


def test_since_a_minute_excludes_the_lines_older_than_a_minute(lab, spread_writers):
    """The window is `clock() - 60 s`: the stream is given a clock that is a minute and a bit past
    the middle of the writers' output, so the engine must leave out the first half (no 60 s wait)."""
    service = spread_writers["services"][0]
    lines = [line for line in spread_writers["lines"] if line.service == service.name]
    task = lines[0].task_id
    ts = [line.timestamp for line in lines if line.task_id == task]
    cut = (unix(ts[4]) + unix(ts[5])) / 2  # between the 5th and 6th line of one replica
    got = Collector()
    with LogStream(lab.docker_host, service.id, got, tail="all", since=60, clock=lambda: cut + 60) as stream:
        newer = [line for line in lines if unix(line.timestamp) > cut]
        wait_for(lambda: len(got.lines) >= len(newer), 30, "the lines newer than the cut")
        reconnect(stream)
    assert sorted((line.task_id, line.timestamp, line.text) for line in got.lines) == \
        sorted((line.task_id, line.timestamp, line.text) for line in newer)
    assert numbered([line for line in got.lines if line.task_id == task]) == list(range(5, SCOPED_COUNT))
