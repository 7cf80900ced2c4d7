"""`swarmtui service ...` / `swarmtui node ...` against the test lab, as a script would run them."""

from __future__ import annotations

from swarmtui.cli import main
from swarmtui.cluster.client import SwarmClient
from tests.integration.cluster_helpers import wait_for


def run(lab, capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--host", lab.docker_host, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_service_lifecycle_from_the_command_line(lab, capsys, unique_name):
    image = f"{lab.registry}/spider:0.01"
    try:
        code, out, _ = run(lab, capsys, "service", "create", "--yes", "--replicas", "2", unique_name, image,
                           "python3", "-c", "import time; time.sleep(1e9)")
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
    code, _, err = run(lab, capsys, "node", "demote", "lab-manager-1", "--yes")
    assert code == 1 and "without a manager" in err
    code, _, err = run(lab, capsys, "node", "rm", "lab-worker-1", "--yes")
    assert code == 1 and "still Ready" in err
    code, _, err = run(lab, capsys, "node", "pause", "lab-nowhere", "--yes")
    assert code == 1 and "no node called 'lab-nowhere'" in err


def test_unreachable_daemon_from_the_command_line(capsys, tmp_path):
    code = main(["--host", f"unix://{tmp_path}/none.sock", "node", "ls"])
    assert code == 1 and "no Docker daemon answers" in capsys.readouterr().err
