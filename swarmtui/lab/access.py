"""Reaching lab nodes the way an operator reaches remote ones: OpenSSH into every node, TLS on managers.

Everything lives under the lab's state dir (`lab down` removes it), so nothing
touches the user's ~/.ssh; the docker CLI contexts `lab up --ssh` makes are
named after the lab and removed by `lab down` from the DOCKER_CONFIG they were
made in.

    <state>/ssh/id_ed25519      the lab's client key (root on every node accepts it)
    <state>/ssh/known_hosts     every node's host key, by address and hostname
    <state>/ssh/config          `ssh -F <state>/ssh/config lab-manager-1 docker ps`
    <state>/ssh/bin/ssh         ssh with that config: put it first on PATH and the docker
                                CLI's ssh:// (and its contexts) use the lab's key and host keys
    <state>/tls/{ca,cert,key}.pem   client material (DOCKER_CERT_PATH); ca-key.pem signs
    <state>/<node>/ssh/         that node's host key and sshd_config
    <state>/<node>/tls/         that manager's server certificate (dockerd --tlsverify on 2376)
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Iterable

from swarmtui.lab.system import LabError, run

TLS_PORT = 2376
SSH_USER = "root"
SSH_PROGRAMS = {"sshd": "openssh-server", "ssh": "openssh-client", "ssh-keygen": "openssh-client"}
TLS_PROGRAMS = {"openssl": "openssl"}
CERT_DAYS = "30"


# ---- ssh ------------------------------------------------------------------
def make_key(path: Path, comment: str) -> None:
    """An ed25519 key pair at `path` and `path.pub` (kept when it already exists)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path))


def node_sshd_config(ssh_dir: Path, listen: str, authorized_keys: Path, pidfile: Path) -> str:
    """Keys only, root by key only: the lab's client key is the one way in."""
    return "\n".join([
        f"ListenAddress {listen}",
        f"HostKey {ssh_dir / 'ssh_host_ed25519_key'}",
        f"PidFile {pidfile}",
        f"AuthorizedKeysFile {authorized_keys}",
        "StrictModes no",  # the key sits under /var/lib/swarmtui, not in a home directory
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "MaxStartups 100",
        "MaxSessions 100",
        "LogLevel VERBOSE",
        "",
    ])


def known_hosts_lines(entries: Iterable[tuple[str, str, Path]]) -> str:
    """(address, hostname, host public key file) -> known_hosts text naming each host both ways."""
    lines = []
    for address, hostname, pub in entries:
        keytype, key = pub.read_text().split()[:2]
        lines.append(f"{address},{hostname} {keytype} {key}")
    return "\n".join(lines) + "\n"


def ssh_config_text(hosts: Iterable[tuple[str, str]], key: Path, known_hosts: Path) -> str:
    """An ssh_config for `ssh -F`: one Host per node (by hostname or address), strict host keys."""
    out = []
    for address, hostname in hosts:
        out += [f"Host {hostname} {address}", f"    HostName {address}", ""]
    out += [
        "Host *",
        f"    User {SSH_USER}",
        f"    IdentityFile {key}",
        "    IdentitiesOnly yes",
        f"    UserKnownHostsFile {known_hosts}",
        "    GlobalKnownHostsFile /dev/null",
        "    StrictHostKeyChecking yes",  # unknown or changed host keys are refused, never added
        "    BatchMode yes",
        "    ConnectTimeout 5",
        "",
    ]
    return "\n".join(out)


def write_ssh_wrapper(path: Path, config: Path) -> None:
    """`ssh` that always reads the lab config: the docker CLI runs `ssh` from PATH for ssh:// hosts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    real = shutil.which("ssh", path="/usr/local/bin:/usr/bin:/bin") or "/usr/bin/ssh"
    path.write_text(f"#!/bin/sh\nexec {shlex.quote(real)} -F {shlex.quote(str(config))} \"$@\"\n")
    path.chmod(0o755)


# ---- tls ------------------------------------------------------------------
def _openssl(*args: str) -> None:
    run("openssl", *args)


def make_ca(directory: Path, common_name: str) -> tuple[Path, Path]:
    """A self-signed CA (ca.pem, ca-key.pem) in `directory`; kept when it exists."""
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / "ca.pem", directory / "ca-key.pem"
    if not ca.exists():
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", str(ca_key), "-out", str(ca), "-days", CERT_DAYS, "-subj", f"/CN={common_name}")
        ca_key.chmod(0o600)
    return ca, ca_key


def issue_cert(directory: Path, ca_dir: Path, common_name: str, usage: str, alt_names: Iterable[str] = ()) -> None:
    """cert.pem + key.pem in `directory`, signed by the CA in `ca_dir`; ca.pem copied beside them
    (the layout DOCKER_CERT_PATH and dockerd's --tlscacert expect). usage: serverAuth | clientAuth."""
    directory.mkdir(parents=True, exist_ok=True)
    key, cert, csr, ext = (directory / n for n in ("key.pem", "cert.pem", "req.csr", "ext.cnf"))
    if cert.exists():
        return
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={common_name}")
    key.chmod(0o600)
    lines = [f"extendedKeyUsage={usage}"]
    if alt_names:
        lines.append("subjectAltName=" + ",".join(alt_names))
    ext.write_text("\n".join(lines) + "\n")
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_dir / "ca.pem"), "-CAkey", str(ca_dir / "ca-key.pem"),
             "-CAcreateserial", "-out", str(cert), "-days", CERT_DAYS, "-extfile", str(ext))
    if directory != ca_dir:
        shutil.copyfile(ca_dir / "ca.pem", directory / "ca.pem")
    csr.unlink()
    ext.unlink()


# ---- docker CLI contexts ----------------------------------------------------
def docker_cli() -> str:
    docker = shutil.which("docker")
    if docker is None:
        raise LabError("the docker CLI is not installed (it makes the lab's contexts); install docker.io or docker-ce-cli")
    return docker


def context_env(docker_config: str | None) -> dict[str, str] | None:
    import os

    if docker_config is None:
        return None
    return {**os.environ, "DOCKER_CONFIG": docker_config}


def create_context(name: str, docker_endpoint: str, description: str, docker_config: str | None) -> None:
    """`docker context create NAME --docker host=...` with the real docker CLI (replacing a stale one)."""
    remove_contexts([name], docker_config)
    proc = subprocess.run([docker_cli(), "context", "create", name, "--description", description, "--docker", docker_endpoint],
                          capture_output=True, text=True, env=context_env(docker_config))
    if proc.returncode != 0:
        raise LabError(f"docker context create {name} failed: {proc.stderr.strip()}")


def remove_contexts(names: Iterable[str], docker_config: str | None) -> None:
    docker = shutil.which("docker")
    names = list(names)
    if docker is None or not names:
        return
    existing = subprocess.run([docker, "context", "ls", "--format", "{{.Name}}"], capture_output=True, text=True,
                              env=context_env(docker_config)).stdout.split()
    doomed = [n for n in names if n in existing]
    if doomed:
        # A context in use cannot be removed without -f; the lab's are the lab's to remove.
        subprocess.run([docker, "context", "rm", "-f", *doomed], capture_output=True, text=True, env=context_env(docker_config))
