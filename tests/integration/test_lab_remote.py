"""The lab as a remote operator meets it: OpenSSH into every node, TLS on every manager, three managers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from swarmtui.lab.lab import Lab
from swarmtui.lab.system import pid_alive
from tests.fixtures.lab import lab_of_this_worker, lab_prerequisites_missing
from tests.fixtures.parts import missing

pytestmark = pytest.mark.lab


def docker(lab: Lab, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    cli = shutil.which("docker")
    if cli is None:
        missing("docker CLI", "install docker.io or docker-ce-cli")
    env = lab.ssh_env({"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent",
                       "DOCKER_CONFIG": lab.docker_config or os.environ["DOCKER_CONFIG"]})
    return subprocess.run([cli, *args], capture_output=True, text=True, timeout=60, env=env, check=check)


def test_ssh_into_every_node_reaches_that_nodes_own_engine(remote_lab):
    for node in remote_lab.nodes:
        out = subprocess.run(remote_lab.ssh_command(node, "docker", "info", "--format", "'{{.Name}}'"),
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == node.hostname


def test_lab_env_gives_the_ssh_that_reaches_the_workers_by_address_as_e_and_stats_do(remote_lab):
    """`make demo` runs swarmtui under `eval "$(swarmtui lab env)"`: the plain `ssh ADDRESS` of
    cluster/reach.py must reach a worker there, host key checked, with no ssh:// manager URL."""
    import sys

    worker = remote_lab.node("lab-worker-1")
    script = (f'eval "$({sys.executable} -m swarmtui lab --name {remote_lab.name} env)" && '
              f"ssh -o StrictHostKeyChecking=yes -o BatchMode=yes {worker.address} docker info --format '{{{{.Name}}}}'")
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "lab-worker-1"
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "Makefile")) as makefile:
        assert "swarmtui lab up --ssh" in makefile.read()  # the demo lab has the sshd it needs


def test_docker_cli_contexts_over_ssh_see_a_raft_of_three(remote_lab):
    contexts = docker(remote_lab, "context", "ls", "--format", "{{.Name}} {{.DockerEndpoint}}").stdout
    assert f"{remote_lab.context_name('lab-manager-2')} ssh://root@{remote_lab.node('lab-manager-2').address}" in contexts
    lines = docker(remote_lab, "--context", remote_lab.context_name("lab-manager-2"), "node", "ls", "--format", "{{json .}}").stdout
    nodes = [json.loads(line) for line in lines.splitlines()]
    assert sorted(n["ManagerStatus"] for n in nodes if n["ManagerStatus"]) == ["Leader", "Reachable", "Reachable"]
    assert {n["Status"] for n in nodes} == {"Ready"}


def test_unknown_host_key_is_refused(remote_lab, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    out = subprocess.run(["ssh", "-F", str(remote_lab.ssh_config), "-o", f"UserKnownHostsFile={empty}",
                          remote_lab.manager.hostname, "true"], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "Host key verification failed" in out.stderr


def test_tls_listener_needs_the_lab_client_certificate(remote_lab):
    t = remote_lab.tls_dir
    ok = docker(remote_lab, "--tlsverify", f"--tlscacert={t / 'ca.pem'}", f"--tlscert={t / 'cert.pem'}",
                f"--tlskey={t / 'key.pem'}", "-H", remote_lab.node("lab-manager-3").tls_host, "info", "--format", "{{.Name}}")
    assert ok.stdout.strip() == "lab-manager-3"
    no_cert = docker(remote_lab, "--tlsverify", f"--tlscacert={t / 'ca.pem'}", "-H", remote_lab.manager.tls_host,
                     "info", check=False)
    assert no_cert.returncode != 0
    context = docker(remote_lab, "--context", remote_lab.context_name("lab-manager-1", tls=True), "info", "--format", "{{.Name}}")
    assert context.stdout.strip() == "lab-manager-1"


DOWN_LAB_NAME, DOWN_LAB_SUBNET = lab_of_this_worker("SWARMTUI_TEST_DOWN_LAB", "rdown:10.89.5.0/24")


def test_lab_down_removes_every_context_key_cert_and_sshd_it_made(tmp_path, monkeypatch):
    why = lab_prerequisites_missing() or (None if shutil.which("sshd") and shutil.which("openssl") else "needs openssh-server and openssl")
    if why:
        missing("a lab to take down", why)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    lab = Lab(name=DOWN_LAB_NAME, subnet=DOWN_LAB_SUBNET, managers=1, workers=0, ssh=True, tls=True)
    try:
        lab.up(say=lambda m: None)
        listed = docker(lab, "context", "ls", "--format", "{{.Name}}").stdout.split()
        assert {lab.context_name(), lab.context_name(tls=True)} <= set(listed)
        assert lab.manager.sshd_running() and lab.ssh_key.exists() and (lab.tls_dir / "key.pem").exists()
        sshd_pid = int(lab.manager.sshd_pidfile.read_text())
    finally:
        Lab.load(DOWN_LAB_NAME).down(say=lambda m: None)
    listed = docker(lab, "context", "ls", "--format", "{{.Name}}").stdout.split()
    assert listed == ["default"]
    assert not lab.state_dir.exists() and not lab.ssh_key.exists() and not lab.tls_dir.exists()
    assert not pid_alive(sshd_pid)  # gone, or a zombie its parent (this test process) has not reaped yet
    assert lab.leftovers() == {"namespaces": [], "links": [], "processes": [], "mounts": [], "files": []}
