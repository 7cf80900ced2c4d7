"""Reaching a swarm the way the docker CLI does: ssh:// (real OpenSSH in the lab's nodes), TLS
(dockerd --tlsverify with the lab CA), contexts made by the real docker CLI, and the precedence.

paramiko (docker-py's ssh transport) reads ~/.ssh from $HOME: each test gets a HOME of its own
whose .ssh/config is the lab's (key, UserKnownHostsFile), and a DOCKER_CONFIG of its own.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.endpoint import from_host
from swarmtui.cluster.errors import DaemonUnreachable, EndpointError, HostKeyRefused
from swarmtui.cluster.logs import LogStream
from swarmtui.config import load_settings
from swarmtui.lab import access
from swarmtui.lab.fresh_host import LoopbackSshd
from swarmtui.lab.system import free_port
from tests.integration.cluster_helpers import wait_for
from tests.fixtures.parts import missing
from tests.fixtures.sshd import ssh_sockets_to

pytestmark = pytest.mark.lab


@pytest.fixture
def home(remote_lab, tmp_path, monkeypatch) -> Path:
    """$HOME with the lab's ssh config as ~/.ssh/config, and an empty DOCKER_CONFIG."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    shutil.copyfile(remote_lab.ssh_config, home / ".ssh" / "config")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    return home


def docker_cli(remote_lab, *args: str) -> str:
    cli = shutil.which("docker") or missing("docker CLI", "install docker.io or docker-ce-cli")
    env = remote_lab.ssh_env()  # HOME and DOCKER_CONFIG as the test set them; ssh with the lab config
    return subprocess.run([cli, *args], capture_output=True, text=True, timeout=120, env=env, check=True).stdout


def test_ssh_snapshot_logs_and_an_operation(remote_lab, home, unique_name):
    endpoint = from_host(remote_lab.ssh_url("lab-manager-2"), "--host")
    with SwarmClient(endpoint) as swarm:
        swarm.create_service(unique_name, f"{remote_lab.registry}/spider:0.01", 1, network="host",
                             command=["python3", "-c", "import time\nwhile True: print('hello over ssh', flush=True); time.sleep(0.5)"])
        try:
            snap = wait_for(lambda: (s := swarm.snapshot()) and any(sv.name == unique_name and sv.replicas_running == 1 for sv in s.services) and s,
                            90, what="the service running, read over ssh")
            assert sorted(n.hostname for n in snap.nodes) == ["lab-manager-1", "lab-manager-2", "lab-manager-3", "lab-worker-1"]
            lines: list = []
            with LogStream(endpoint, unique_name, lambda batch: lines.extend(batch), tail=5):
                wait_for(lambda: any("hello over ssh" in line.text for line in lines), 60, what="a log line over ssh")
            result = swarm.scale(unique_name, 2)
            assert "docker service scale" in result.cli
            wait_for(lambda: any(sv.name == unique_name and sv.replicas_running == 2 for sv in swarm.snapshot().services), 90,
                     what="2 replicas after scaling over ssh")
        finally:
            swarm.api.remove_service(unique_name)


def test_one_ssh_connection_serves_many_reads(remote_lab, home):
    """docker-py used to open a channel (and a remote dial-stdio process) per distinct URL."""
    with SwarmClient(from_host(remote_lab.ssh_url(), "--host")) as swarm:
        for _ in range(3):
            swarm.snapshot()
        transport = swarm.api.get_adapter("http+docker://ssh").ssh_client.get_transport()
        assert transport.is_active()
        assert len(transport._channels.values()) == 1


def test_unknown_host_key_is_refused_and_nothing_connects(remote_lab, home):
    (home / "empty_known_hosts").write_text("")
    config = home / ".ssh" / "config"
    config.write_text(config.read_text().replace(str(remote_lab.known_hosts), str(home / "empty_known_hosts")))
    before = ssh_sockets_to(str(remote_lab.subnet))
    with pytest.raises(HostKeyRefused) as refused:
        SwarmClient(from_host(remote_lab.ssh_url(), "--host")).snapshot()
    # paramiko left the refused connection open (sshd keeps it until its LoginGraceTime)
    assert ssh_sockets_to(str(remote_lab.subnet)) == before, "the refused SSH connection is still open"
    assert f"host key of {remote_lab.manager.address} is not in known_hosts" in str(refused.value)
    assert "never adds" in str(refused.value)
    assert (home / "empty_known_hosts").read_text() == ""  # nothing was added
    assert not (home / ".ssh" / "known_hosts").exists()


def test_tls_verified_connects_and_a_wrong_ca_is_refused(remote_lab, home, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(remote_lab.tls_dir))
    monkeypatch.setenv("DOCKER_HOST", remote_lab.node("lab-manager-3").tls_host)
    settings = load_settings({}, path=tmp_path / "none.toml")
    assert settings.endpoint.tls_verify and settings.endpoint.source == "DOCKER_HOST"
    with SwarmClient(settings.endpoint) as swarm:
        assert swarm.api.info()["Name"] == "lab-manager-3"
    other = tmp_path / "other-ca"
    access.make_ca(other, "not the lab CA")
    for name in ("cert.pem", "key.pem"):
        shutil.copyfile(remote_lab.tls_dir / name, other / name)
    monkeypatch.setenv("DOCKER_CERT_PATH", str(other))
    with pytest.raises(EndpointError) as wrong:
        SwarmClient(load_settings({}, path=tmp_path / "none.toml").endpoint).snapshot()
    assert f"not signed by the CA {other / 'ca.pem'}" in str(wrong.value)
    # without DOCKER_TLS_VERIFY the docker CLI would not check the daemon's certificate; swarmtui still does
    monkeypatch.delenv("DOCKER_TLS_VERIFY")
    with pytest.raises(EndpointError) as unasked:
        SwarmClient(load_settings({}, path=tmp_path / "none.toml").endpoint).snapshot()
    assert f"not signed by the CA {other / 'ca.pem'}" in str(unasked.value)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    (other / "cert.pem").unlink()
    with pytest.raises(EndpointError, match="cert.pem does not exist"):
        SwarmClient(load_settings({}, path=tmp_path / "none.toml").endpoint).snapshot()


def test_the_docker_cli_current_context_is_what_swarmtui_opens_and_docker_host_still_wins(remote_lab, home, tmp_path, monkeypatch):
    address = remote_lab.node("lab-manager-3").address
    docker_cli(remote_lab, "context", "create", "picked", "--docker", f"host=ssh://root@{address}")
    docker_cli(remote_lab, "context", "use", "picked")
    settings = load_settings({}, path=tmp_path / "none.toml")
    assert (settings.endpoint.context, settings.endpoint.host) == ("picked", f"ssh://root@{address}")
    with SwarmClient(settings.endpoint) as swarm:
        assert swarm.api.info()["Name"] == "lab-manager-3"
    run = subprocess.run([sys.executable, "-m", "swarmtui", "context", "ls"], capture_output=True, text=True, timeout=120)
    assert "picked *" in run.stdout and "manager" in run.stdout, run.stdout + run.stderr
    monkeypatch.setenv("DOCKER_HOST", remote_lab.node("lab-manager-1").docker_host)
    settings = load_settings({}, path=tmp_path / "none.toml")
    assert settings.endpoint.host == remote_lab.node("lab-manager-1").docker_host and settings.endpoint.source == "DOCKER_HOST"
    with SwarmClient(settings.endpoint) as swarm:
        assert swarm.api.info()["Name"] == "lab-manager-1"
    assert load_settings({"context": "picked"}, path=tmp_path / "none.toml").endpoint.host.startswith("tcp://") is False


def test_a_remote_without_the_docker_cli_is_one_line(tmp_path, home, monkeypatch):
    if shutil.which("sshd") is None:
        missing("sshd", "install openssh-server")
    key = home / ".ssh" / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    server = LoopbackSshd(workdir=tmp_path / "sshd", port=free_port(), extra_config="SetEnv PATH=/nonexistent\n")
    server.workdir.mkdir()
    (server.workdir / "authorized_keys").write_text(key.with_suffix(".pub").read_text())
    server.start()
    try:
        keytype, pub = (server.workdir / "ssh_host_ed25519_key.pub").read_text().split()[:2]
        (home / ".ssh" / "config").write_text(f"Host 127.0.0.1\n    IdentityFile {key}\n")
        (home / ".ssh" / "known_hosts").write_text(f"[127.0.0.1]:{server.port} {keytype} {pub}\n")
        with pytest.raises(DaemonUnreachable) as lacking:
            SwarmClient(from_host(f"ssh://root@127.0.0.1:{server.port}", "--host")).snapshot()
        assert "127.0.0.1 has no docker CLI" in str(lacking.value)
        assert "\n" not in str(lacking.value)
    finally:
        server.stop()


def test_a_context_made_by_lab_up_tls_carries_its_tls_material(remote_lab, home, monkeypatch):
    """The docker CLI stored the CA and client cert in its context store; swarmtui reads them from there."""
    monkeypatch.setenv("DOCKER_CONFIG", remote_lab.docker_config)
    settings = load_settings({"context": remote_lab.context_name("lab-manager-2", tls=True)}, path=home / "none.toml")
    endpoint = settings.endpoint
    assert endpoint.tls_verify and endpoint.tls_ca.startswith(remote_lab.docker_config)
    with SwarmClient(endpoint) as swarm:
        assert swarm.api.info()["Name"] == "lab-manager-2"
