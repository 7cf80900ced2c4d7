"""convert.py on payloads captured from the lab (tests/unit/fixtures/cluster_*.json)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from swarmtui.cluster import convert

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str):
    return json.loads((FIXTURES / f"cluster_{name}.json").read_text())


@pytest.fixture(scope="module")
def raw_nodes():
    return load("nodes")


@pytest.fixture(scope="module")
def raw_services():
    return {s["Spec"]["Name"]: s for s in load("services")}


def test_fixtures_hold_no_join_token():
    for path in FIXTURES.glob("cluster_*.json"):
        text = path.read_text()
        assert "SWMTKN-1" not in text, f"{path.name} holds a join token"


def test_engine_times_become_aware_utc_and_zero_time_none():
    assert convert.parse_time("2026-11-26T23:46:15.337026618Z") == datetime(2026, 11, 26, 23, 46, 15, 337026, tzinfo=timezone.utc)
    assert convert.parse_time("2026-11-26T23:46:15Z").microsecond == 0
    assert convert.parse_time("2026-11-26T23:46:15+02:00").hour == 21
    assert convert.parse_time("0001-01-01T00:00:00Z") is None
    assert convert.parse_time("") is None and convert.parse_time("garbage") is None


def test_nodes_as_docker_node_ls_shows_them(raw_nodes):
    nodes = {n.hostname: n for n in (convert.node(raw) for raw in raw_nodes)}
    assert set(nodes) == {"lab-manager-1", "lab-worker-1", "lab-worker-2"}
    manager = nodes["lab-manager-1"]
    assert (manager.role, manager.status, manager.availability) == ("manager", "ready", "active")
    assert manager.leader and manager.manager_status == "Leader"
    assert manager.address == "10.89.0.11"
    worker = nodes["lab-worker-1"]
    assert worker.role == "worker" and worker.manager_status == "" and worker.manager_reachability is None
    assert worker.engine_version.startswith("20.10")
    assert worker.cpus == 2.0 and worker.memory_bytes > 1 << 30
    assert worker.version > 0


def test_node_address_falls_back_to_manager_address_when_engine_says_0000(raw_nodes):
    raw = json.loads(json.dumps(next(n for n in raw_nodes if n.get("ManagerStatus"))))
    raw["Status"]["Addr"] = "0.0.0.0"
    assert convert.node(raw).address == raw["ManagerStatus"]["Addr"].rsplit(":", 1)[0]


def test_running_counts_per_node_counts_only_running_tasks():
    tasks = load("tasks_caphost")
    counts = convert.running_counts(tasks)
    assert sum(counts.values()) == sum(1 for t in tasks if t["Status"]["State"] == "running")


def test_replicated_service_with_published_port_and_labels(raw_services):
    web = convert.service(raw_services["capweb"])
    assert web.mode == "replicated" and (web.replicas_running, web.replicas_desired) == (2, 2)
    assert web.converged
    assert web.ports == ("8080->80/tcp",)
    assert web.labels == {"team": "crawl"}
    assert web.image == "10.89.0.1:8003/spider:0.01" and web.tag == "0.01"
    assert web.update_status is None


def test_host_network_service_mid_update_names_the_network(raw_services):
    names = convert.network_names(load("networks"))
    raw = raw_services["caphost"]
    target = raw["Spec"]["TaskTemplate"]["Networks"][0]["Target"]
    host = convert.service(raw, {**names, target: "host"})
    assert host.network_mode == "host"
    assert host.update_status is not None and host.update_status.state == "updating"
    assert host.update_status.started is not None and host.update_status.completed is None
    assert host.image.endswith("spider:0.02") and "@" not in host.image
    # unknown network IDs are shown as they are rather than dropped
    assert convert.service(raw).network_mode == target


def test_global_service_counts_from_service_status(raw_services):
    glob = convert.service(raw_services["capglobal"])
    assert glob.mode == "global"
    assert glob.replicas_desired == 3 and glob.replicas_running == 3


def test_tasks_carry_names_states_and_exit_codes(raw_nodes):
    raw = load("tasks_caphost")
    services = {raw[0]["ServiceID"]: "caphost"}
    hostnames = {n["ID"]: n["Description"]["Hostname"] for n in raw_nodes}
    tasks = convert.tasks(raw, services, hostnames)
    assert len(tasks) == len(raw)
    assert all(t.service_name == "caphost" and t.node_hostname.startswith("lab-") for t in tasks)
    running = [t for t in tasks if t.state == "running"]
    assert running and all(t.exit_code is None for t in running)  # -1 while running is not an exit code
    assert all(t.name.startswith("caphost.") for t in tasks)
    slots = [t.slot for t in tasks]
    assert slots == sorted(slots)  # grouped by slot like `docker service ps`
    # unknown IDs fall back to short IDs instead of failing
    bare = convert.task(raw[0], {}, {})
    assert bare.service_name == raw[0]["ServiceID"][:12]


def test_swarm_info_counts_roles_and_reads_heartbeat(raw_nodes):
    info = convert.swarm_info(load("swarm"), [convert.node(n) for n in raw_nodes])
    assert (info.managers, info.workers) == (1, 2)
    assert info.heartbeat_seconds == 2.0
    assert info.task_history_limit == 5
    assert info.created is not None


def test_tasks_on_a_down_node_are_not_counted_as_running():
    from swarmtui.cluster.convert import running_on_lost_nodes, service

    nodes = [{"ID": "up", "Status": {"State": "ready"}}, {"ID": "gone", "Status": {"State": "down"}}]
    tasks = [
        {"ServiceID": "s1", "NodeID": "up", "Status": {"State": "running"}},
        {"ServiceID": "s1", "NodeID": "gone", "Status": {"State": "running"}},  # the engine still says running
        {"ServiceID": "s1", "NodeID": "up", "Status": {"State": "starting"}},
    ]
    lost = running_on_lost_nodes(tasks, nodes)
    assert lost == {"s1": 1}
    attrs = {"ID": "s1", "Spec": {"Name": "spider", "Mode": {"Replicated": {"Replicas": 3}}},
             "ServiceStatus": {"RunningTasks": 4, "DesiredTasks": 3}}
    assert (service(attrs, lost=lost["s1"]).replicas_running, service(attrs).replicas_running) == (3, 4)
