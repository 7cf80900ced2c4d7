"""How a node's engine is reached (pure): local socket, the manager's ssh:// user, per-node overrides;
ssh failures in words; the interactive command."""

import pytest

from swarmtui.cluster import reach
from swarmtui.cluster.errors import DaemonUnreachable, HostKeyRefused, InvalidInput

LOCAL = "unix:///var/run/docker.sock"


def test_the_node_of_the_local_socket_needs_no_ssh_the_others_do():
    here = reach.resolve("lab-manager-1", "10.0.0.11", LOCAL, "lab-manager-1")
    assert here.local and here.docker(*["ps"]) == ["docker", "-H", LOCAL, "ps"]
    other = reach.resolve("lab-worker-1", "10.0.0.12", LOCAL, "lab-manager-1")
    assert not other.local and other.target == "10.0.0.12"
    assert other.docker("ps") == ["ssh", "-o", "StrictHostKeyChecking=yes", "10.0.0.12", "docker ps"]


def test_an_ssh_manager_lends_its_user_and_port_an_override_wins():
    via = reach.resolve("lab-worker-1", "10.0.0.12", "ssh://ops@10.0.0.11:2222", "lab-manager-1")
    assert (via.target, via.port, via.local) == ("ops@10.0.0.12", 2222, False)
    assert via.ssh()[-3:] == ["-p", "2222", "ops@10.0.0.12"]
    own = reach.resolve("lab-worker-1", "10.0.0.12", LOCAL, "lab-worker-1",
                        {"lab-worker-1": {"host": "ssh://admin@bastion.example:22"}})
    assert (own.target, own.port, own.local) == ("admin@bastion.example", 22, False)
    with pytest.raises(InvalidInput, match="not an ssh:// URL"):
        reach.resolve("lab-worker-1", "", LOCAL, None, {"lab-worker-1": {"host": "10.0.0.12"}})
    with pytest.raises(InvalidInput, match="no address"):
        reach.resolve("lab-worker-1", "", LOCAL, "lab-manager-1")


def test_ssh_failures_are_told_apart():
    worker = reach.resolve("lab-worker-1", "10.0.0.12", LOCAL, "lab-manager-1")
    refused = reach.explain(worker, "Host key verification failed.\n")
    assert isinstance(refused, HostKeyRefused) and "never accepts host keys" in str(refused)
    assert "refused our keys" in str(reach.explain(worker, "root@10.0.0.12: Permission denied (publickey).\n"))
    assert "is gone" in str(reach.explain(worker, "Error: No such object: abc\n", "spider.1"))
    down = reach.explain(worker, "ssh: connect to host 10.0.0.12 port 22: Connection refused\n")
    assert isinstance(down, DaemonUnreachable) and "Connection refused" in str(down) and "[nodes." in str(down)


def test_the_shell_is_bash_when_present_else_sh_or_what_was_typed():
    worker = reach.resolve("lab-worker-1", "10.0.0.12", LOCAL, "lab-manager-1")
    argv = reach.shell_argv(worker, "c0ffee")
    assert argv[:4] == ["ssh", "-o", "StrictHostKeyChecking=yes", "-t"]
    assert argv[-1] == "docker exec -it c0ffee sh -c 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'"
    assert reach.shell_argv(worker, "c0ffee", "python3 -q")[-1] == "docker exec -it c0ffee sh -c 'python3 -q'"
