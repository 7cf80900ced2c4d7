"""Reading the real test lab: snapshot, tasks, and the error a user sees when pointed wrong."""

from __future__ import annotations

import pytest

from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.models import UpdatePolicy
from swarmtui.cluster.errors import DaemonUnreachable, NotAManager, UnknownNode, UnknownService
from tests.integration.cluster_helpers import SLEEPER, docker_cli, wait_for


@pytest.fixture
def service(swarm, lab, unique_name):
    swarm.create_service(unique_name, f"{lab.registry}/spider:0.01", 3, command=SLEEPER, labels={"team": "crawl"},
                         policy=UpdatePolicy(parallelism=3, monitor_seconds=0.5))
    wait_for(lambda: swarm.service(unique_name).replicas_running == 3, what="3 running replicas")
    yield unique_name
    swarm.remove_service(unique_name)


def test_snapshot_shows_the_lab_as_docker_node_ls_does(swarm, lab):
    snap = swarm.snapshot()
    cli = docker_cli(lab, "node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}")
    cli_rows = sorted([w for w in line.split(" ") if w] for line in cli.strip().splitlines())
    ours = sorted([n.hostname, n.status.capitalize(), n.availability.capitalize(), *([n.manager_status] if n.manager_status else [])]
                  for n in snap.nodes)
    assert ours == cli_rows
    assert snap.swarm.managers == 1 and snap.swarm.workers == 2
    assert snap.swarm.heartbeat_seconds == 2.0
    assert snap.taken_at is not None and snap.tasks == ()
    assert snap.nodes[0].role == "manager"  # managers first


def test_snapshot_service_and_tasks_match_the_cli(swarm, lab, service):
    snap = swarm.snapshot(tasks_for=service)
    svc = snap.service_by_name(service)
    assert svc is not None and (svc.replicas_running, svc.replicas_desired) == (3, 3)
    assert svc.labels == {"team": "crawl"} and svc.tag == "0.01"
    line = docker_cli(lab, "service", "ls", "--filter", f"name={service}", "--format", "{{.Name}} {{.Replicas}}").strip()
    assert line == f"{service} 3/3"
    assert len(snap.tasks) == 3 and {t.service_name for t in snap.tasks} == {service}
    assert {t.slot for t in snap.tasks} == {1, 2, 3}
    ps = docker_cli(lab, "service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Name}} {{.Node}}")
    assert sorted(ps.split()) == sorted(w for t in snap.tasks for w in (t.name, t.node_hostname))
    # the nodes table's running counts add up with this service's tasks included
    assert sum(n.running_tasks for n in snap.nodes) >= 3
    by_node = snap.node_by_id(snap.tasks[0].node_id)
    node_snap = swarm.snapshot(tasks_for=by_node.hostname)
    assert snap.tasks[0].id in {t.id for t in node_snap.tasks}


def test_tasks_running_by_default_history_on_request(swarm, service):
    running = swarm.tasks(service=service)
    assert len(running) == 3 and all(t.desired_state == "running" for t in running)
    swarm.restart(service)
    wait_for(lambda: len(swarm.tasks(service=service, history=True)) >= 6, timeout=60, what="restarted tasks in history")
    history = swarm.tasks(service=service, history=True)
    assert any(t.desired_state == "shutdown" for t in history)
    # mid-restart the new tasks wait ("ready") for the old ones to stop; then 3 run again
    wait_for(lambda: [t.state for t in swarm.tasks(service=service)] == ["running"] * 3, timeout=60, what="3 running again")
    node_tasks = swarm.tasks(node=running[0].node_hostname)
    assert all(t.node_id == running[0].node_id for t in node_tasks)


def test_unknown_service_and_node_name_the_known_ones(swarm):
    with pytest.raises(UnknownService, match="no service called 'no-such-spider'"):
        swarm.service("no-such-spider")
    with pytest.raises(UnknownNode) as info:
        swarm.node("lab-worker-99")
    assert "lab-worker-1" in str(info.value)


def test_unreachable_daemon_is_a_clear_error(tmp_path):
    client = SwarmClient(f"unix://{tmp_path}/nobody.sock", timeout=2)
    with pytest.raises(DaemonUnreachable) as info:
        client.snapshot()
    # names the address and where it came from, and how to pick another (endpoint.py's wording)
    assert f"no Docker daemon answers at unix://{tmp_path}/nobody.sock" in str(info.value)
    assert "another endpoint (--host, --context" in str(info.value)


def test_a_worker_is_not_a_manager(lab):
    worker = lab.node("lab-worker-1")
    with SwarmClient(worker.docker_host) as client:
        with pytest.raises(NotAManager) as info:
            client.snapshot()
    assert "worker" in str(info.value) and lab.manager_address in str(info.value)
