"""One lab node = one real dockerd in its own network and UTS namespace.

Each node has its own data root, exec root, pidfile, socket and daemon.json, so
several nodes (and several labs) share this machine without touching the host's
own Docker daemon.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from swarmtui.lab.access import TLS_PORT
from swarmtui.lab.cgroups import mount_script, unseen
from swarmtui.lab.network import NETNS_DIR, netns_pids
from swarmtui.lab.system import LabError, pid_alive, read_pid, stop_pid


@dataclass(frozen=True)
class Node:
    lab: str
    hostname: str  # lab-manager-1, lab-worker-2 ...
    role: str  # "manager" | "worker"
    address: str
    index: int
    netns: str
    state_dir: Path  # /var/lib/swarmtui/labs/<lab>/<hostname>
    run_dir: Path  # /run/swarmtui/<lab>/<hostname> (short paths: unix sockets are limited to 108 bytes)
    authorized_keys: Path | None = None  # set: an sshd runs inside the node (lab up --ssh)
    tls: bool = False  # dockerd also listens on tcp://address:2376 with --tlsverify (lab up --tls)

    @property
    def socket(self) -> Path:
        return self.run_dir / "docker.sock"

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    @property
    def pidfile(self) -> Path:
        return self.run_dir / "dockerd.pid"

    @property
    def log(self) -> Path:
        return self.state_dir / "dockerd.log"

    @property
    def exec_root(self) -> Path:
        return self.run_dir / "exec"

    @property
    def data_root(self) -> Path:
        return self.state_dir / "data"

    @property
    def config_file(self) -> Path:
        return self.state_dir / "daemon.json"

    @property
    def ssh_dir(self) -> Path:
        """Host key and sshd_config of this node (see lab/access.py)."""
        return self.state_dir / "ssh"

    @property
    def sshd_pidfile(self) -> Path:
        return self.run_dir / "sshd.pid"

    @property
    def tls_dir(self) -> Path:
        """Server certificate, key and the lab CA of this manager's TLS listener."""
        return self.state_dir / "tls"

    @property
    def tls_host(self) -> str:
        return f"tcp://{self.address}:{TLS_PORT}"

    def pid(self) -> int | None:
        pid = read_pid(self.pidfile)
        return pid if pid and pid_alive(pid) else None

    def running(self) -> bool:
        return self.pid() is not None

    def cgroups_unseen(self) -> set[str]:
        """Cgroup hierarchies its dockerd is in but cannot see (see lab/cgroups.py); empty when stopped."""
        pid = self.pid()
        try:
            return unseen(pid) if pid else set()
        except OSError:
            return set()

    def write_config(self, registry: str) -> None:
        """Trust the lab registry the way a user would: insecure-registries in daemon.json."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        config = {
            "insecure-registries": [registry],
            "log-driver": "json-file",
            "log-opts": {"max-size": "10m", "max-file": "2"},
        }
        self.config_file.write_text(json.dumps(config, indent=2) + "\n")

    def start(self, timeout: float = 60.0) -> None:
        if self.running():
            return
        if not (NETNS_DIR / self.netns).exists():
            raise LabError(f"{self.hostname}: its network namespace {self.netns} is gone; run `swarmtui lab down` then `lab up`")
        for d in (self.data_root, self.exec_root):
            d.mkdir(parents=True, exist_ok=True)
        # A private /run/containerd hides a system containerd (a fresh Debian with systemd
        # starts one with docker.io): each node then runs its own, in its own netns.
        # The node's mounts (container root filesystems) live and die with its mount namespace.
        if self.authorized_keys is not None and self.processes():
            self.kill_everything()  # a node's sshd outliving its dockerd would hold port 22 of a new one
        cgroups = mount_script()  # without every hierarchy mounted, `docker stats` reads 0 (lab/cgroups.py)
        dockerd = (
            f"{self._private_run()} && {cgroups + ' && ' if cgroups else ''}hostname {self.hostname} && {self._sshd()}"
            f"exec dockerd --config-file {self.config_file}"
            f" --data-root {self.data_root} --exec-root {self.exec_root}"
            f" --pidfile {self.pidfile} -H {self.docker_host}{self._extra_listeners()}"
        )
        # `ip netns exec` remounts /sys and dockerd then fails ("Devices cgroup isn't
        # mounted"); nsenter only switches the network namespace.
        with open(self.log, "ab") as log:
            subprocess.Popen(
                ["nsenter", f"--net={NETNS_DIR / self.netns}", "unshare", "--uts", "--mount", "--propagation", "private",
                 "sh", "-c", dockerd],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.socket.exists() and self.running() and self._ping():
                return
            time.sleep(0.2)
        tail = self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""
        raise LabError(f"{self.hostname}: dockerd did not come up within {timeout:.0f}s. Its log ends with:\n{tail}")

    def _private_run(self) -> str:
        if self.authorized_keys is None:
            return "mkdir -p /run/containerd && mount -t tmpfs swarmtui-lab /run/containerd"
        # With ssh, the node gets a /run of its own (as a real machine has), so its dockerd can
        # also listen on /var/run/docker.sock, the socket `docker system dial-stdio` dials; the
        # lab's run dirs are moved back on top so the host still sees pidfiles and sockets.
        keep = self.state_dir / "hostrun"
        # Its own /root too: ssh sessions must not run this machine's root shell rc files (seen: a
        # stale pyenv lock there made every session wait 60 s) nor see its docker contexts, which
        # would send `docker system dial-stdio` to another engine.
        home = self.state_dir / "root"
        return (f"mkdir -p {keep} {home} && mount --rbind /run/swarmtui {keep} && mount -t tmpfs swarmtui-run /run"
                f" && mkdir -p /run/swarmtui /run/containerd /run/sshd && mount --move {keep} /run/swarmtui"
                f" && mount --bind {home} /root")

    def _sshd(self) -> str:
        if self.authorized_keys is None:
            return ""
        return f"/usr/sbin/sshd -f {self.ssh_dir / 'sshd_config'} -E {self.state_dir / 'sshd.log'} && "

    def _extra_listeners(self) -> str:
        out = " -H unix:///var/run/docker.sock" if self.authorized_keys is not None else ""
        if self.tls:
            t = self.tls_dir
            out += (f" -H {self.tls_host} --tlsverify --tlscacert {t / 'ca.pem'}"
                    f" --tlscert {t / 'cert.pem'} --tlskey {t / 'key.pem'}")
        return out

    def sshd_running(self) -> bool:
        pid = read_pid(self.sshd_pidfile)
        return bool(pid and pid_alive(pid))

    def client(self, timeout: int = 30):
        """A docker-py client of this node's dockerd, to use in a `with` (it closes the connection pool)."""
        import docker

        return contextlib.closing(docker.DockerClient(base_url=self.docker_host, timeout=timeout))

    def _ping(self) -> bool:
        try:
            with self.client(timeout=3) as client:
                return client.ping()
        except Exception:  # noqa: BLE001 - any failure means "not yet"
            return False

    def certificate_role(self) -> str | None:
        """"manager" or "worker", as the node's swarm certificate says (None before it joined)."""
        from cryptography import x509

        path = self.data_root / "swarm" / "certificates" / "swarm-node.crt"
        try:
            cert = x509.load_pem_x509_certificate(path.read_bytes())
        except (OSError, ValueError):
            return None
        units = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)
        return str(units[0].value).removeprefix("swarm-") if units else None

    def wait_role_settled(self, timeout: float = 60.0) -> None:
        """Wait until the node's certificate says the role it runs. A node stopped after its demotion
        but before its worker certificate arrives starts as a manager again and joins raft as a new
        member the swarm never removes: a one-manager lab then has lost its quorum for good (seen
        in CI: 80 tests failed after a demote then a stop within seconds). Promotion has the same gap."""
        deadline = time.monotonic() + timeout
        while self.running():
            try:
                with self.client(timeout=5) as client:
                    control = bool((client.info().get("Swarm") or {}).get("ControlAvailable"))
            except Exception:  # noqa: BLE001 - an engine not answering is not mid-change
                return
            role = self.certificate_role()
            if role is None or (role == "manager") == control:
                return
            if time.monotonic() >= deadline:
                raise LabError(f"{self.hostname}: its certificate says {role} but it "
                               f"{'runs' if control else 'does not run'} a manager after {timeout:.0f}s; "
                               "stopping it now could cost the swarm its quorum")
            time.sleep(0.25)

    def stop(self, kill: bool = False, timeout: float = 30.0) -> None:
        """Stop the node like `systemctl stop docker` (SIGTERM), or crash it (`kill`: SIGKILL everything)."""
        self.wait_role_settled()
        if kill:
            self.kill_everything()
            return
        pid = self.pid()
        if pid:
            stop_pid(pid, timeout=timeout)
        sshd = read_pid(self.sshd_pidfile)
        if sshd and pid_alive(sshd):  # the lab's node is a whole machine going away
            stop_pid(sshd, timeout=5)
        self._wait_for_leftovers(timeout=15.0)

    def processes(self) -> list[int]:
        """Every process of this node: whatever lives in its netns or names its exec/data root."""
        pids = set(netns_pids(self.netns)) if (NETNS_DIR / self.netns).exists() else set()
        needles = (str(self.exec_root).encode(), str(self.data_root).encode())
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
                except OSError:
                    continue
                if any(n in cmdline for n in needles):
                    pids.add(int(entry))
        pids.discard(os.getpid())
        return sorted(p for p in pids if pid_alive(p))

    def kill_everything(self) -> None:
        for pid in self.processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._wait_for_leftovers(timeout=10.0)

    def _wait_for_leftovers(self, timeout: float) -> None:
        # containerd shims linger for a few seconds after dockerd exits.
        deadline = time.monotonic() + timeout
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.2)
