"""A "fresh server" for bootstrap tests: its own network, mount and UTS namespaces and a real sshd.

The host sits on a lab bridge (addresses from .100 up, veth index 100+ so it never
collides with the lab's nodes).  Inside its mount namespace it has its own /etc
(an overlay, so users, passwords and /etc/hostname are private), its own
/etc/docker, /var/lib/docker, /var/log and /run (bind mounts of directories under
its work dir, so a test can read and seed them from outside), and Debian's
/etc/init.d/docker, patched for the missing CAP_SYS_RESOURCE (its `ulimit -n
1048576` fails here and Docker would never start).  Docker is installed (the
machine's /usr is shared) but not running: `service docker start` inside starts a
dockerd that belongs to this host only.  The machine's own Docker (if any) and
the lab's nodes are never touched.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from swarmtui.lab.network import NETNS_DIR, add_host, netns_pids, remove_host, veth_name
from swarmtui.lab.system import LabError, pid_alive, read_pid, run, stop_pid, wait_for_port

INIT_SCRIPT = Path("/etc/init.d/docker")

# Mounts copied from the machine that must not be pinned by this host's private mount
# namespace (the lab's dockerd data and netns files: pinning them makes their removal fail).
UNPIN = r"awk '{print $2}' /proc/self/mounts | grep -E '^/(run|var/lib|tmp)/' | sort -r | while read -r m; do umount -l \"$m\" 2>/dev/null || true; done"


def patched_init_script(text: str) -> str:
    """Debian's init script with ulimits this sandbox may set (no CAP_SYS_RESOURCE)."""
    return (
        text.replace("ulimit -n 1048576", 'ulimit -n "$(ulimit -Hn)" || true')
        .replace("ulimit -u unlimited", "ulimit -u unlimited 2>/dev/null || true")
        .replace("ulimit -p unlimited", "ulimit -p unlimited 2>/dev/null || true")
    )


def sshd_config(workdir: Path, listen: str) -> str:
    return "\n".join([
        f"ListenAddress {listen}",
        f"HostKey {workdir / 'ssh_host_ed25519_key'}",
        f"PidFile {workdir / 'sshd.pid'}",
        f"AuthorizedKeysFile {workdir / 'authorized_keys'}",
        "StrictModes no",
        "PermitRootLogin yes",
        "PasswordAuthentication yes",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "AllowStreamLocalForwarding yes",
        "MaxStartups 100",
        "LogLevel VERBOSE",
        "Subsystem sftp internal-sftp",
        "",
    ])


def make_host_key(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(f"{path}.pub").unlink(missing_ok=True)
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "swarmtui-test-host", "-f", str(path))


class SshdFiles:
    """The host key and authorized_keys of a test sshd, under its `workdir`."""

    workdir: Path

    @property
    def host_key(self) -> Path:
        return self.workdir / "ssh_host_ed25519_key"

    @property
    def authorized_keys(self) -> Path:
        return self.workdir / "authorized_keys"

    def prepare_ssh_files(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.host_key.exists():
            make_host_key(self.host_key)
        self.authorized_keys.touch()


@dataclass
class LoopbackSshd(SshdFiles):
    """A plain sshd on 127.0.0.1 (no namespaces): enough for auth and host-key tests."""

    workdir: Path
    port: int
    proc: subprocess.Popen | None = None
    extra_config: str = ""  # more sshd_config lines (e.g. `SetEnv PATH=...` for a host without docker)

    def start(self) -> "LoopbackSshd":
        self.prepare_ssh_files()
        config = self.workdir / "sshd_config"
        config.write_text(sshd_config(self.workdir, f"127.0.0.1:{self.port}") + self.extra_config)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation directory
        log = open(self.workdir / "sshd.log", "ab")
        self.proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stdout=log, stderr=log,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        wait_for_port("127.0.0.1", self.port, timeout=10)
        return self

    def rotate_host_key(self) -> None:
        """A "reinstalled" server: new host key, sshd restarted on the same port."""
        self.stop()
        make_host_key(self.host_key)
        self.start()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            stop_pid(self.proc.pid, timeout=5)
            self.proc.wait()
        self.proc = None


@dataclass
class FreshHost(SshdFiles):
    lab: str
    name: str  # e.g. fresh-1; also its hostname
    index: int  # >= 100
    subnet: ipaddress.IPv4Network
    workdir: Path
    netns: str = ""
    pid: int | None = None  # the sshd holding the mount/UTS namespaces
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return str(self.subnet.network_address + self.index)

    @property
    def daemon_json(self) -> Path:
        """This host's /etc/docker/daemon.json, seen from outside."""
        return self.workdir / "etc-docker" / "daemon.json"

    @property
    def docker_socket(self) -> Path:
        """This host's /run/docker.sock, seen from outside (for a test manager)."""
        return self.workdir / "run" / "docker.sock"

    def start(self) -> "FreshHost":
        if self.index < 100:
            raise LabError("fresh hosts use index 100 and up, so they never collide with the lab's nodes")
        w = self.workdir
        self.prepare_ssh_files()
        for d in ("etc.up", "etc.work", "varlib.up", "varlib.work", "docker-data", "etc-docker", "log", "run"):
            (w / d).mkdir(parents=True, exist_ok=True)
        (w / "docker.init").write_text(patched_init_script(INIT_SCRIPT.read_text()))
        (w / "docker.init").chmod(0o755)
        (w / "sshd_config").write_text(sshd_config(w, f"{self.address}:22"))
        self.netns = add_host(self.lab, self.name, self.index, self.address, self.subnet)
        q = shlex.quote
        script = " && ".join([
            "set -e",
            UNPIN,
            f"hostname {q(self.name)}",
            f"mount -t overlay overlay -o lowerdir=/etc,upperdir={q(str(w / 'etc.up'))},workdir={q(str(w / 'etc.work'))} /etc",
            f"mount -t overlay overlay -o lowerdir=/var/lib,upperdir={q(str(w / 'varlib.up'))},workdir={q(str(w / 'varlib.work'))} /var/lib",
            "mkdir -p /var/lib/docker /etc/docker",
            f"mount --bind {q(str(w / 'docker-data'))} /var/lib/docker",
            f"mount --bind {q(str(w / 'etc-docker'))} /etc/docker",
            f"mount --bind {q(str(w / 'log'))} /var/log",
            f"mount --bind {q(str(w / 'run'))} /run",
            f"mount --bind {q(str(w / 'docker.init'))} /etc/init.d/docker",
            "mkdir -p /run/sshd /run/lock",
            f"echo {q(self.name)} > /etc/hostname",
            f"exec /usr/sbin/sshd -D -e -f {q(str(w / 'sshd_config'))}",
        ])
        log = open(w / "host.log", "ab")
        # nsenter, not `ip netns exec`: the latter remounts /sys and dockerd then fails.
        self._proc = subprocess.Popen(
            ["nsenter", f"--net={NETNS_DIR / self.netns}", "unshare", "--mount", "--uts", "--propagation", "private",
             "sh", "-c", script],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()
        self.pid = self._proc.pid
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if self._proc.poll() is not None:
                    raise LabError(f"{self.name}: setup failed: {(w / 'host.log').read_text()[-800:]}")
                if self._listening():
                    return self
                time.sleep(0.1)
            raise LabError(f"{self.name}: sshd did not listen on {self.address}:22 within 15s")
        except BaseException:
            self.stop()
            raise

    def _listening(self) -> bool:
        out = run("nsenter", f"--net={NETNS_DIR / self.netns}", "ss", "-Hltn", check=False).stdout
        return f"{self.address}:22" in out

    def exec(self, command: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
        """Run a shell command inside this host (all of its namespaces), as root."""
        if not self.pid:
            raise LabError(f"{self.name} is not running")
        # another machine: none of this process's DOCKER_HOST / DOCKER_CONTEXT / DOCKER_CONFIG applies there
        kw.setdefault("env", {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")})
        return run("nsenter", "-t", str(self.pid), "-m", "-u", "-n", "sh", "-c", command, check=check, **kw)

    def start_docker(self) -> None:
        # Up to 2 min: a fresh dockerd can take well over 30 s to answer while the machine is loaded (seen in CI)
        answered = self.exec("service docker start >/dev/null && for i in $(seq 240); do docker info >/dev/null 2>&1 && exit 0;"
                             " sleep 0.5; done; exit 1", check=False)
        if answered.returncode != 0:
            log = self.workdir / "log" / "docker.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no docker.log)"
            raise LabError(f"{self.name}: its Docker did not answer within 120 s ({answered.stderr.strip()}); "
                           f"its docker.log ends with:\n{tail}")

    def set_password(self, user: str, password: str) -> None:
        self.exec("chpasswd", input=f"{user}:{password}\n")

    def stop(self) -> None:
        """Stop this host's dockerd (and its containerd and shims), then sshd, then remove its netns."""
        docker_pid = read_pid(self.workdir / "run" / "docker-ssd.pid") or read_pid(self.workdir / "run" / "docker.pid")
        if docker_pid and pid_alive(docker_pid):
            stop_pid(docker_pid, timeout=20)
        if self.netns and (NETNS_DIR / self.netns).exists():
            for _ in range(50):
                pids = [p for p in netns_pids(self.netns) if p != os.getpid()]
                if not pids:
                    break
                for p in pids:
                    try:
                        os.kill(p, signal.SIGKILL if _ > 10 else signal.SIGTERM)
                    except ProcessLookupError:
                        pass
                time.sleep(0.1)
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self.netns:
            remove_host(self.lab, self.netns)
            # a namespace pinned by another process's mounts outlives `ip netns del`, and so would its veth
            run("ip", "link", "del", veth_name(self.lab, self.index), check=False)
        self.pid = None
