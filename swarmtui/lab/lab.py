"""`swarmtui lab`: a real multi-node swarm on this one machine.

    host bridge swt-<lab> (gateway .1) ── registry :8003, password-protected redis :7891
      ├─ netns swt-<lab>-lab-manager-1  (.11)  dockerd, swarm manager (leader)
      ├─ netns swt-<lab>-lab-worker-1   (.12)  dockerd, worker
      └─ ...

Everything the lab makes is named after the lab, so `down` can clean up after a
crashed `up` without any record of it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from swarmtui.cluster.errors import first_line
from swarmtui.lab import access, images, network
from swarmtui.lab.nodes import Node
from swarmtui.lab.redis_server import RedisServer
from swarmtui.lab.system import LabError, pid_alive, read_pid, require_programs, run, stop_pid, wait_for_port

STATE_ROOT = Path(os.environ.get("SWARMTUI_LAB_STATE", "/var/lib/swarmtui/labs"))
RUN_ROOT = Path("/run/swarmtui")
DEFAULT_SUBNET = "10.88.0.0/24"
REGISTRY_PORT = 8003  # the seed's port
REDIS_PORT = 7891  # the seed's port
HEARTBEAT_SECONDS = 2  # swarm's default is 5 s: a node is then Down after ~15 s instead of ~6 s
FIRST_NODE_HOST = 11

# program -> Debian package; checked before `up`.
REQUIRED_PROGRAMS = {
    "dockerd": "docker.io",
    "docker-registry": "docker-registry",
    "redis-server": "redis-server",
    "debootstrap": "debootstrap",
    "ip": "iproute2",
    "iptables": "iptables",
    "nsenter": "util-linux",
}

SAMPLE_SPIDER = Path(__file__).resolve().parents[2] / "sample_spider"

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class Lab:
    name: str = "lab"
    subnet: ipaddress.IPv4Network = field(default_factory=lambda: ipaddress.IPv4Network(DEFAULT_SUBNET))
    managers: int = 1
    workers: int = 2
    ssh: bool = False  # an sshd in every node, a client key, known_hosts, ssh config, docker contexts
    tls: bool = False  # every manager's dockerd also on tcp://ADDRESS:2376 --tlsverify, a lab CA
    docker_config: str | None = None  # DOCKER_CONFIG the contexts were made in (None: the CLI's default)

    def __post_init__(self) -> None:
        if not self.name.isalnum() or len(self.name) > 6:
            raise LabError(f"lab name {self.name!r}: use up to 6 letters or digits (it goes into interface names)")
        if isinstance(self.subnet, str):
            self.subnet = ipaddress.IPv4Network(self.subnet)
        if self.managers < 1:
            raise LabError("a swarm needs at least one manager")
        if self.managers + self.workers > self.subnet.num_addresses - FIRST_NODE_HOST - 2:
            raise LabError(f"{self.managers + self.workers} nodes do not fit in {self.subnet}")

    # ---- where things are -------------------------------------------------
    @property
    def state_dir(self) -> Path:
        return STATE_ROOT / self.name

    @property
    def run_dir(self) -> Path:
        return RUN_ROOT / self.name

    @property
    def gateway(self) -> str:
        return str(next(self.subnet.hosts()))

    @property
    def registry(self) -> str:
        return f"{self.gateway}:{REGISTRY_PORT}"

    @property
    def nodes(self) -> list[Node]:
        roles = ["manager"] * self.managers + ["worker"] * self.workers
        out, counts = [], {"manager": 0, "worker": 0}
        for index, role in enumerate(roles, start=1):
            counts[role] += 1
            hostname = f"lab-{role}-{counts[role]}"
            out.append(
                Node(
                    lab=self.name,
                    hostname=hostname,
                    role=role,
                    address=str(self.subnet.network_address + FIRST_NODE_HOST - 1 + index),
                    index=index,
                    netns=network.netns_name(self.name, hostname),
                    state_dir=self.state_dir / hostname,
                    run_dir=self.run_dir / hostname,
                    authorized_keys=self.ssh_key.with_suffix(".pub") if self.ssh else None,
                    tls=self.tls and role == "manager",
                )
            )
        return out

    @property
    def manager(self) -> Node:
        return self.nodes[0]

    @property
    def manager_address(self) -> str:
        return self.manager.address

    @property
    def docker_host(self) -> str:
        return self.manager.docker_host

    def node(self, hostname: str) -> Node:
        for node in self.nodes:
            if node.hostname == hostname or node.hostname.removeprefix("lab-") == hostname:
                return node
        names = ", ".join(n.hostname for n in self.nodes)
        raise LabError(f"no lab node called {hostname!r}; the nodes are {names}")

    # ---- reaching nodes over ssh / TLS (lab/access.py has the layout) --------
    @property
    def ssh_dir(self) -> Path:
        return self.state_dir / "ssh"

    @property
    def ssh_key(self) -> Path:
        return self.ssh_dir / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        return self.ssh_dir / "known_hosts"

    @property
    def ssh_config(self) -> Path:
        """`ssh -F lab.ssh_config lab-manager-1 docker ps` reaches that node as root, host key checked."""
        return self.ssh_dir / "config"

    @property
    def ssh_bin(self) -> Path:
        """A directory with an `ssh` using ssh_config: first on PATH, the docker CLI's ssh:// uses it."""
        return self.ssh_dir / "bin"

    def ssh_url(self, node: Node | str | None = None) -> str:
        """The DOCKER_HOST of a node over ssh (default: the first manager)."""
        node = self._as_node(node)
        return f"ssh://{access.SSH_USER}@{node.address}"

    def ssh_command(self, node: Node | str | None, *command: str) -> list[str]:
        """argv running `command` on the node over ssh (a remote shell joins the words)."""
        node = self._as_node(node)
        return ["ssh", "-F", str(self.ssh_config), node.hostname, *command]

    def ssh_env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment whose `ssh` (so the docker CLI's ssh:// and the lab's contexts) uses the lab's files."""
        env = dict(os.environ if base is None else base)
        env["PATH"] = f"{self.ssh_bin}:{env.get('PATH', '/usr/local/bin:/usr/bin:/bin')}"
        return env

    def context_name(self, node: Node | str | None = None, tls: bool = False) -> str:
        """The docker CLI context `lab up --ssh` made for the node: <lab>-manager-1 (-tls: over TLS)."""
        node = self._as_node(node)
        return f"{self.name}-{node.hostname.removeprefix('lab-')}" + ("-tls" if tls else "")

    @property
    def context_names(self) -> list[str]:
        return [self.context_name(n) for n in self.nodes] + [self.context_name(n, tls=True) for n in self.nodes if n.role == "manager"]

    @property
    def tls_dir(self) -> Path:
        """Client certificate, key and CA: DOCKER_CERT_PATH for the managers' TLS listeners."""
        return self.state_dir / "tls"

    def _as_node(self, node: Node | str | None) -> Node:
        if node is None:
            return self.manager
        return self.node(node) if isinstance(node, str) else node

    @property
    def redis_password_file(self) -> Path:
        return self.state_dir / "redis.password"

    @property
    def redis(self) -> RedisServer:
        password = self.redis_password_file.read_text().strip() if self.redis_password_file.exists() else ""
        return RedisServer(host=self.gateway, port=REDIS_PORT, password=password, workdir=self.state_dir / "redis")

    @property
    def redis_url(self) -> str:
        return self.redis.url

    @property
    def registry_pidfile(self) -> Path:
        return self.state_dir / "registry.pid"

    def client(self, node: Node | None = None, timeout: int = 30):
        """A docker-py client of `node` (default: the first manager), to use in a `with`."""
        return (node or self.manager).client(timeout=timeout)

    # ---- saved layout (so `lab status` etc. find a lab made with other flags) --
    @property
    def layout_file(self) -> Path:
        return self.state_dir / "lab.json"

    def save(self, complete: bool) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        data = {"name": self.name, "subnet": str(self.subnet), "managers": self.managers, "workers": self.workers,
                "ssh": self.ssh, "tls": self.tls, "docker_config": self.docker_config, "complete": complete}
        self.layout_file.write_text(json.dumps(data) + "\n")

    @classmethod
    def load(cls, name: str = "lab") -> "Lab":
        """The lab as it was brought up, or a default-shaped one if none is recorded."""
        path = STATE_ROOT / name / "lab.json"
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return cls(name=name)
        return cls(name=name, subnet=ipaddress.IPv4Network(data["subnet"]), managers=data["managers"], workers=data["workers"],
                   ssh=data.get("ssh", False), tls=data.get("tls", False), docker_config=data.get("docker_config"))

    def shape(self) -> tuple:
        return (str(self.subnet), self.managers, self.workers, self.ssh, self.tls)

    def is_complete(self) -> bool:
        try:
            return bool(json.loads(self.layout_file.read_text()).get("complete"))
        except (OSError, ValueError):
            return False

    # ---- up ---------------------------------------------------------------
    def check_host(self) -> None:
        if os.geteuid() != 0:
            raise LabError("the lab needs root: it creates network namespaces and runs dockerd (try: sudo swarmtui lab up)")
        missing = require_programs({**REQUIRED_PROGRAMS, **(access.SSH_PROGRAMS if self.ssh else {}),
                                    **(access.TLS_PROGRAMS if self.tls else {})})
        if missing:
            raise LabError(
                f"missing system packages: {' '.join(missing)}. Install them with "
                f"`apt-get install -y {' '.join(missing)}` or run `swarmtui lab up --install`."
            )

    def up(self, say: Say = print) -> None:
        self.check_host()
        if self.is_complete() and self.shape() == Lab.load(self.name).shape() and self._heal(say):
            say(f"lab {self.name!r} is up")
            return
        taken = network.subnet_taken_by(self.name, self.subnet)
        if taken:
            raise LabError(f"subnet {self.subnet} is already in use on this host by {taken}: give lab {self.name!r} "
                           "another one with --subnet")
        if self.state_dir.exists() or network.lab_namespaces(self.name) or network.lab_links(self.name):
            say("cleaning up what an earlier lab left behind ...")
            self.down(say=_quiet)
        started = time.monotonic()
        self.docker_config = os.environ.get("DOCKER_CONFIG") or None  # where `down` removes the contexts from
        self.save(complete=False)
        say(f"network {self.subnet} on bridge {network.bridge_name(self.name)} ...")
        network.ensure_bridge(self.name, self.subnet)
        for node in self.nodes:
            network.add_host(self.name, node.hostname, node.index, node.address, self.subnet)
        self._start_registry(say)
        self._start_redis(say)
        for node in self.nodes:
            node.write_config(self.registry)
        if self.ssh:
            self._make_ssh_files(say)
        if self.tls:
            self._make_tls_files(say)
        say(f"starting {len(self.nodes)} dockerd nodes ...")
        for node in self.nodes:
            node.start()
        self._form_swarm(say)
        with self.client() as client:
            images.import_base(client, say)
            images.build_and_push_spider(client, SAMPLE_SPIDER, self.registry, say)
        if self.ssh or self.tls:
            self._make_contexts(say)
        self.save(complete=True)
        say(f"lab {self.name!r} is up in {time.monotonic() - started:.0f}s: {self.managers} manager(s), {self.workers} worker(s), "
            f"registry {self.registry}, heartbeat {HEARTBEAT_SECONDS}s (faster failover: a stopped node is Down in ~6 s)")

    def _make_ssh_files(self, say: Say) -> None:
        say("ssh: a client key, a host key and an sshd per node, known_hosts and an ssh config ...")
        access.make_key(self.ssh_key, f"swarmtui-lab-{self.name}")
        for node in self.nodes:
            access.make_key(node.ssh_dir / "ssh_host_ed25519_key", f"{node.hostname}-host")
            (node.ssh_dir / "sshd_config").write_text(access.node_sshd_config(
                node.ssh_dir, f"{node.address}:22", node.authorized_keys, node.sshd_pidfile))
        self.known_hosts.write_text(access.known_hosts_lines(
            (n.address, n.hostname, n.ssh_dir / "ssh_host_ed25519_key.pub") for n in self.nodes))
        self.ssh_config.write_text(access.ssh_config_text(((n.address, n.hostname) for n in self.nodes), self.ssh_key, self.known_hosts))
        access.write_ssh_wrapper(self.ssh_bin / "ssh", self.ssh_config)

    def _make_tls_files(self, say: Say) -> None:
        say(f"tls: a lab CA, a server certificate per manager (port {access.TLS_PORT}) and a client certificate ...")
        ca_dir = self.state_dir / "ca"
        access.make_ca(ca_dir, f"swarmtui lab {self.name} CA")
        access.issue_cert(self.tls_dir, ca_dir, f"swarmtui-lab-{self.name}-client", "clientAuth")
        for node in self.nodes:
            if node.tls:
                access.issue_cert(node.tls_dir, ca_dir, node.hostname, "serverAuth", (f"IP:{node.address}", f"DNS:{node.hostname}"))

    def _make_contexts(self, say: Say) -> None:
        say(f"docker contexts: {', '.join(self.context_names if self.ssh else [c for c in self.context_names if c.endswith('-tls')])} ...")
        for node in self.nodes:
            if self.ssh:
                access.create_context(self.context_name(node), f"host={self.ssh_url(node)}",
                                      f"swarmtui lab {self.name}: {node.hostname} over ssh", self.docker_config)
            if node.tls:
                t = self.tls_dir
                access.create_context(self.context_name(node, tls=True),
                                      f"host={node.tls_host},ca={t / 'ca.pem'},cert={t / 'cert.pem'},key={t / 'key.pem'}",
                                      f"swarmtui lab {self.name}: {node.hostname} over TLS", self.docker_config)

    def _heal(self, say: Say) -> bool:
        """A complete lab with some parts stopped (a stopped node, a killed registry): start
        those parts again instead of rebuilding the swarm. False if it cannot be healed."""
        if not all((network.NETNS_DIR / n.netns).exists() for n in self.nodes):
            return False
        try:
            blind = [n.hostname for n in self.nodes if n.cgroups_unseen()]
            if blind:  # started before lab/cgroups.py: a rebuild is quicker than restarting a raft node by node
                say(f"{', '.join(blind)} cannot see every cgroup hierarchy (docker stats would read 0); rebuilding the lab")
                return False
            for node in self.nodes:
                if not node.running():
                    say(f"starting stopped node {node.hostname} ...")
                    node.start()
            pid = read_pid(self.registry_pidfile)
            if not (pid and pid_alive(pid)):
                self._start_registry(say)
            if not (read_pid(self.redis.pidfile) and pid_alive(read_pid(self.redis.pidfile))):
                say("starting redis again ...")
                self.redis.start()
        except LabError as exc:
            say(f"could not heal the lab ({exc}); rebuilding it")
            return False
        return self._swarm_as_made(say)

    def _swarm_as_made(self, say: Say, timeout: float = 60) -> bool:
        """Every node Ready, Active and in the role it was made with, under an elected leader. A run
        killed mid-test once left a worker promoted; the next run stopped that "worker" and the
        two-manager swarm lost quorum for the rest of the run. Such a swarm is rebuilt, not reused."""
        wanted = {n.hostname: (n.role, "ready", "active") for n in self.nodes}
        deadline = time.monotonic() + timeout  # nodes just started take a few seconds to be Ready
        while True:
            try:
                with self.client(timeout=10) as client:
                    seen = {(n.get("Description") or {}).get("Hostname"): (n["Spec"].get("Role"), n["Status"].get("State"),
                                                                          n["Spec"].get("Availability"))
                            for n in client.api.nodes()}
                if seen == wanted:
                    return True
                settling = set(seen) == set(wanted) and any(state != "ready" for _, state, _ in seen.values())
            except Exception as exc:  # noqa: BLE001 - no leader, a daemon still starting ...
                seen, settling = first_line(exc), True
            if not settling or time.monotonic() > deadline:  # a wrong role or availability does not settle
                say(f"the swarm is not as it was made ({seen}); rebuilding it")
                return False
            time.sleep(1)

    def _start_registry(self, say: Say) -> None:
        say(f"registry on {self.registry} ...")
        config = self.state_dir / "registry.yml"
        storage = self.state_dir / "registry-data"
        storage.mkdir(parents=True, exist_ok=True)
        config.write_text(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {storage}\n  delete:\n    enabled: true\nhttp:\n  addr: {self.registry}\n"
        )
        with open(self.state_dir / "registry.log", "ab") as log:
            proc = subprocess.Popen(
                ["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        self.registry_pidfile.write_text(f"{proc.pid}\n")
        wait_for_port(self.gateway, REGISTRY_PORT)

    def _start_redis(self, say: Say) -> None:
        say(f"redis (with a password) on {self.gateway}:{REDIS_PORT} ...")
        self.redis_password_file.touch(mode=0o600)
        self.redis_password_file.write_text(secrets.token_hex(16) + "\n")
        self.redis.start()

    def _form_swarm(self, say: Say) -> None:
        say(f"swarm init on {self.manager.hostname} and join the others ...")
        with self.client() as mgr:
            mgr.swarm.init(
                advertise_addr=self.manager.address,
                listen_addr=f"{self.manager.address}:2377",
                dispatcher_heartbeat_period=HEARTBEAT_SECONDS * 1_000_000_000,
            )
            tokens = mgr.swarm.attrs["JoinTokens"]
            for node in self.nodes[1:]:
                with self.client(node) as c:
                    c.swarm.join(
                        remote_addrs=[f"{self.manager.address}:2377"],
                        join_token=tokens["Manager" if node.role == "manager" else "Worker"],
                        listen_addr=f"{node.address}:2377",
                        advertise_addr=node.address,
                    )
            self.wait_ready(mgr, len(self.nodes))

    def wait_ready(self, mgr, count: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = [n for n in mgr.nodes.list() if n.attrs["Status"]["State"] == "ready"]
            if len(ready) >= count:
                return
            time.sleep(0.5)
        raise LabError(f"only {len(ready)} of {count} nodes became Ready within {timeout:.0f}s")

    # ---- nodes ------------------------------------------------------------
    def stop_node(self, hostname: str, kill: bool = False) -> Node:
        node = self.node(hostname)
        node.stop(kill=kill)
        return node

    def start_node(self, hostname: str) -> Node:
        node = self.node(hostname)
        node.start()
        return node

    # ---- down -------------------------------------------------------------
    def down(self, say: Say = print) -> None:
        """Remove every process, namespace, link, mount, rule and file of this lab. Idempotent."""
        nodes = self.nodes
        if self.manager.running():
            say("removing services ...")
            try:
                with self.client(timeout=10) as client:
                    for service in client.services.list():
                        service.remove()
            except Exception:  # noqa: BLE001 - a sick manager must not stop the cleanup
                pass
        say("stopping dockerd nodes ...")
        for node in nodes:
            pid = node.pid()
            if pid:
                os.kill(pid, 15)
        for node in nodes:
            pid = node.pid()
            if pid:
                stop_pid(pid, timeout=20)
            node.kill_everything()
        for pidfile in (self.registry_pidfile, self.redis.pidfile):
            pid = read_pid(pidfile)
            if pid and pid_alive(pid):
                stop_pid(pid, timeout=10)
        for ns in network.lab_namespaces(self.name):
            for pid in network.netns_pids(ns):
                stop_pid(pid, timeout=1, sig=9)
        access.remove_contexts(self.context_names, self.docker_config)
        say("unmounting and removing namespaces, links and files ...")
        unmount_under((self.state_dir, self.run_dir))
        network.remove_all(self.name)
        for d in (self.state_dir, self.run_dir):
            shutil.rmtree(d, ignore_errors=True)
        say(f"lab {self.name!r} is down")

    # ---- status / env -----------------------------------------------------
    def leftovers(self) -> dict[str, list]:
        """What of this lab still exists on the host (empty lists after a clean `down`)."""
        return {
            "namespaces": network.lab_namespaces(self.name),
            "links": network.lab_links(self.name),
            "processes": sorted({p for n in self.nodes for p in n.processes()}),
            "mounts": mounts_under((self.state_dir, self.run_dir)),
            "files": [str(d) for d in (self.state_dir, self.run_dir) if d.exists()],
        }

    def env_lines(self) -> list[str]:
        # The password is read from its file when the shell evaluates the line, so it
        # never shows up in this output, a screenshot or a scrollback buffer.  The user is
        # named ("default"): redis-cli 7 answers WRONGPASS to an empty one, redis-py takes both.
        return [
            f"export DOCKER_HOST={self.docker_host}",
            f'export REDIS_URL="redis://default:$(cat {self.redis_password_file})@{self.gateway}:{REDIS_PORT}/0"',
            f"export SWARMTUI_REGISTRY={self.registry}",
        ] + ([
            f"# ssh (for `e` and CPU/memory on the workers) with the lab's key and known_hosts: {self.ssh_bin}/ssh",
            f'export PATH="{self.ssh_bin}:$PATH"',
        ] if self.ssh else [])

    def ssh_lines(self) -> list[str]:
        if not self.ssh:
            return ["# this lab has no sshd: bring it up with `swarmtui lab up --ssh`"]
        m = self.manager
        return [
            f"# ssh into a node:      ssh -F {self.ssh_config} {m.hostname} docker info",
            f"# docker CLI over ssh:  docker --context {self.context_name()} node ls   (contexts: {', '.join(self.context_names)})",
            f"# the ssh:// lines need the lab's ssh first on PATH (key {self.ssh_key}, known_hosts {self.known_hosts}):",
            f'export PATH="{self.ssh_bin}:$PATH"',
            f"export DOCKER_HOST={self.ssh_url()}",
        ]

    def tls_lines(self) -> list[str]:
        if not self.tls:
            return ["# this lab has no TLS listener: bring it up with `swarmtui lab up --tls`"]
        return [
            f"export DOCKER_HOST={self.manager.tls_host}",
            "export DOCKER_TLS_VERIFY=1",
            f"export DOCKER_CERT_PATH={self.tls_dir}",
        ]


def _mountinfo() -> list[str]:
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f]


def mounts_under(roots: tuple[Path, ...]) -> list[str]:
    prefixes = tuple(str(r) + "/" for r in roots) + tuple(str(r) for r in roots)
    return [m for m in _mountinfo() if m.startswith(prefixes)]


def unmount_under(roots: tuple[Path, ...]) -> None:
    for mount in sorted(mounts_under(roots), key=len, reverse=True):
        run("umount", "-l", mount, check=False)
