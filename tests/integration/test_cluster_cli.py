"""`swarmtui service ...` / `swarmtui node ...` against the test lab, as a script would run them."""

from __future__ import annotations

import contextlib
import subprocess

from swarmtui.cli import main
from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.errors import ClusterError
from swarmtui.cluster.models import UpdatePolicy
from tests.integration.cluster_helpers import SLEEPER, wait_for


def run(lab, capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--host", lab.docker_host, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_service_lifecycle_from_the_command_line(lab, capsys, unique_name):
    image = f"{lab.registry}/spider:0.01"
    try:
        code, out, _ = run(lab, capsys, "service", "create", "--yes", "--replicas", "2", unique_name, image, *SLEEPER)
        assert code == 0 and f"docker service create --name {unique_name} --replicas 2" in out
        code, out, err = run(lab, capsys, "service", "scale", unique_name, "0")  # no --yes, no terminal
        assert code == 3 and "without --yes" in err
        code, out, err = run(lab, capsys, "service", "scale", unique_name, "-3", "--yes")
        assert code == 1 and "negative" in err
        code, out, _ = run(lab, capsys, "service", "scale", unique_name, "1", "--yes")
        assert code == 0 and f"docker CLI: docker service scale {unique_name}=1" in out
        with SwarmClient(lab.docker_host) as client:
            wait_for(lambda: client.service(unique_name).replicas_running == 1, what="1 replica")
        code, out, _ = run(lab, capsys, "service", "ls")
        assert any(line.split()[1:4] == [unique_name, "replicated", "1/1"] for line in out.splitlines()[1:])
        code, out, _ = run(lab, capsys, "service", "ps", unique_name)
        assert f"{unique_name}.1" in out and "running" in out
    finally:
        code, out, _ = run(lab, capsys, "service", "rm", unique_name, "--yes")
    assert code == 0 and f"docker service rm {unique_name}" in out


def test_node_commands_and_their_guards(lab, capsys):
    code, out, _ = run(lab, capsys, "node", "ls")
    assert code == 0 and "lab-manager-1" in out and "Leader" in out
    # refused before the question: no "refusing ... without --yes" for what would be refused anyway
    for argv, says in ((("node", "demote", "lab-manager-1"), "without a manager"), (("node", "rm", "lab-worker-1"), "still Ready")):
        code, _, err = run(lab, capsys, *argv)
        assert code == 1 and says in err and "refusing" not in err, err
    code, _, err = run(lab, capsys, "node", "demote", "lab-manager-1", "--yes")
    assert code == 1 and "without a manager" in err
    code, _, err = run(lab, capsys, "node", "rm", "lab-worker-1", "--yes")
    assert code == 1 and "still Ready" in err
    code, _, err = run(lab, capsys, "node", "pause", "lab-nowhere", "--yes")
    assert code == 1 and "no node called 'lab-nowhere'" in err


def test_unreachable_daemon_from_the_command_line(capsys, tmp_path):
    code = main(["--host", f"unix://{tmp_path}/none.sock", "node", "ls"])
    assert code == 1 and "no Docker daemon answers" in capsys.readouterr().err


def asked_then_done(lab, capsys, *argv: str) -> str:
    """Run a changing command twice: without --yes it refuses and names its docker CLI equivalent,
    with --yes it runs and reports one; both must be the same command."""
    code, _, err = run(lab, capsys, *argv)
    assert code == 3 and "without --yes" in err, err
    asked = err.split("docker CLI: ", 1)[1].strip()
    code, out, err = run(lab, capsys, *argv[:2], "--yes", *argv[2:])  # before a trailing command
    assert code == 0, err
    done = out.split("docker CLI: ", 1)[1].strip()
    assert asked == done
    return done


def test_every_command_asks_with_the_docker_command_it_then_reports(lab, capsys, unique_name):
    image = f"{lab.registry}/spider:0.01"
    policy = ["--parallelism", "2", "--delay", "0.5", "--failure-action", "rollback", "--monitor", "0.5",
              "--max-failure-ratio", "0.5"]
    key = f"swarmtui.test.{unique_name}"
    try:
        created = asked_then_done(lab, capsys, "service", "create", "--replicas", "1", "--network", "host",
                                  "--env", "GREETING=hello world", "--constraint", "node.role==worker",
                                  "--label", "team=crawl ops", "--stop-grace-period", "1", *policy,
                                  unique_name, image, *SLEEPER)
        assert "--update-max-failure-ratio 0.5" in created and "'GREETING=hello world'" in created
        assert asked_then_done(lab, capsys, "service", "scale", unique_name, "2") == f"docker service scale {unique_name}=2"
        updated = asked_then_done(lab, capsys, "service", "update", unique_name, "--image", f"{lab.registry}/spider:0.02", *policy)
        assert updated.endswith(f"--update-max-failure-ratio 0.5 {unique_name}")
        assert asked_then_done(lab, capsys, "service", "rollback", unique_name) == f"docker service rollback {unique_name}"
        assert asked_then_done(lab, capsys, "service", "restart", unique_name) == f"docker service update --force {unique_name}"
        for verb, value in (("drain", "drain"), ("pause", "pause"), ("activate", "active")):
            assert asked_then_done(lab, capsys, "node", verb, "lab-worker-2") == \
                f"docker node update --availability {value} lab-worker-2"
        assert asked_then_done(lab, capsys, "node", "label", "lab-worker-2", f"{key}=a b", "--rm", f"{key}.old") == \
            f"docker node update --label-add '{key}=a b' --label-rm {key}.old lab-worker-2"
        assert asked_then_done(lab, capsys, "node", "label", "lab-worker-2", "--rm", key) == \
            f"docker node update --label-rm {key} lab-worker-2"
    finally:
        run(lab, capsys, "node", "activate", "lab-worker-2", "--yes")
        run(lab, capsys, "node", "label", "lab-worker-2", "--rm", key, "--yes")
        code, _, _ = run(lab, capsys, "service", "rm", unique_name, "--yes")
    assert code == 0


def test_the_shown_create_command_pasted_into_a_shell_makes_the_same_service(lab, capsys, unique_name):
    """The command is quoted so it can be pasted: run by the real docker CLI, it makes the same spec."""
    with SwarmClient(lab.docker_host) as client:
        shown = client.create_service(
            unique_name, f"{lab.registry}/spider:0.01", 1, network="host", env=["GREETING=hello world", "PRICE=$5"],
            constraints=["node.role==worker"], labels={"team": "crawl ops"}, stop_grace_seconds=1.5, command=SLEEPER,
            policy=UpdatePolicy(parallelism=2, delay_seconds=0.5, failure_action="rollback", order="start-first",
                                monitor_seconds=0.25, max_failure_ratio=0.5)).cli
        ours = client.api.inspect_service(unique_name)["Spec"]
        client.remove_service(unique_name)
        wait_for(lambda: not client.api.services(filters={"name": unique_name}), what="the service gone")
        try:
            pasted = subprocess.run(["sh", "-c", shown.replace("docker service create ", f"docker -H {lab.docker_host} "
                                                               "service create --detach ", 1)],
                                    capture_output=True, text=True, timeout=120)
            assert pasted.returncode == 0, pasted.stderr
            theirs = client.api.inspect_service(unique_name)["Spec"]
        finally:
            with contextlib.suppress(ClusterError):
                client.remove_service(unique_name)

    def kept(spec: dict) -> dict:
        container = spec["TaskTemplate"]["ContainerSpec"]
        return dict(name=spec["Name"], labels=spec.get("Labels"), mode=spec["Mode"], update=spec["UpdateConfig"],
                    image=container["Image"].split("@")[0], args=container.get("Args"), command=container.get("Command"),
                    env=container.get("Env"), grace=container.get("StopGracePeriod"),
                    placement=spec["TaskTemplate"].get("Placement", {}).get("Constraints"),
                    networks=[n["Target"] for n in spec["TaskTemplate"].get("Networks") or []])
    assert kept(theirs) == kept(ours)
    assert kept(ours)["env"] == ["GREETING=hello world", "PRICE=$5"]


def test_promote_and_demote_ask_with_the_command_they_report(lab, capsys):
    with SwarmClient(lab.docker_host) as client:
        name = next(n.hostname for n in client.nodes() if n.role == "worker" and n.status == "ready")
        try:
            assert asked_then_done(lab, capsys, "node", "promote", name) == f"docker node promote {name}"
            wait_for(lambda: client.node(name).manager_reachability == "reachable", what="a reachable manager")
            assert asked_then_done(lab, capsys, "node", "demote", name) == f"docker node demote {name}"
        finally:
            if client.node(name).role == "manager":
                client.demote(name)
        wait_for(lambda: client.node(name).role == "worker", what="a worker again")
        # restarted right after its demotion, the node must not come back as a raft member (CI lost its
        # lab's quorum so): the lab waits for its worker certificate before stopping it
        lab.stop_node(name)
        lab.start_node(name)
        wait_for(lambda: client.node(name).status == "ready", timeout=60, what=f"{name} ready again")
    with lab.client() as docker_client:
        swarm = docker_client.info()["Swarm"]
    assert swarm["Managers"] == 1 and [m["Addr"] for m in swarm["RemoteManagers"]] == [f"{lab.manager.address}:2377"], swarm
