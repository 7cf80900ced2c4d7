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

from swarmtui.lab import images, network
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
        data = {"name": self.name, "subnet": str(self.subnet), "managers": self.managers, "workers": self.workers, "complete": complete}
        self.layout_file.write_text(json.dumps(data) + "\n")

    @classmethod
    def load(cls, name: str = "lab") -> "Lab":
        """The lab as it was brought up, or a default-shaped one if none is recorded."""
        path = STATE_ROOT / name / "lab.json"
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return cls(name=name)
        return cls(name=name, subnet=ipaddress.IPv4Network(data["subnet"]), managers=data["managers"], workers=data["workers"])

    def is_complete(self) -> bool:
        try:
            return bool(json.loads(self.layout_file.read_text()).get("complete"))
        except (OSError, ValueError):
            return False

    # ---- up ---------------------------------------------------------------
    def check_host(self) -> None:
        if os.geteuid() != 0:
            raise LabError("the lab needs root: it creates network namespaces and runs dockerd (try: sudo swarmtui lab up)")
        missing = require_programs(REQUIRED_PROGRAMS)
        if missing:
            raise LabError(
                f"missing system packages: {' '.join(missing)}. Install them with "
                f"`apt-get install -y {' '.join(missing)}` or run `swarmtui lab up --install`."
            )

    def up(self, say: Say = print) -> None:
        self.check_host()
        if self.is_complete() and self._heal(say):
            say(f"lab {self.name!r} is up")
            return
        if self.state_dir.exists() or network.lab_namespaces(self.name) or network.lab_links(self.name):
            say("cleaning up what an earlier lab left behind ...")
            self.down(say=_quiet)
        started = time.monotonic()
        self.save(complete=False)
        say(f"network {self.subnet} on bridge {network.bridge_name(self.name)} ...")
        network.ensure_bridge(self.name, self.subnet)
        for node in self.nodes:
            network.add_host(self.name, node.hostname, node.index, node.address, self.subnet)
        self._start_registry(say)
        self._start_redis(say)
        for node in self.nodes:
            node.write_config(self.registry)
        say(f"starting {len(self.nodes)} dockerd nodes ...")
        for node in self.nodes:
            node.start()
        self._form_swarm(say)
        with self.client() as client:
            images.import_base(client, say)
            images.build_and_push_spider(client, SAMPLE_SPIDER, self.registry, say)
        self.save(complete=True)
        say(f"lab {self.name!r} is up in {time.monotonic() - started:.0f}s: {self.managers} manager(s), {self.workers} worker(s), "
            f"registry {self.registry}, heartbeat {HEARTBEAT_SECONDS}s (faster failover: a stopped node is Down in ~6 s)")

    def _heal(self, say: Say) -> bool:
        """A complete lab with some parts stopped (a stopped node, a killed registry): start
        those parts again instead of rebuilding the swarm. False if it cannot be healed."""
        if not all((network.NETNS_DIR / n.netns).exists() for n in self.nodes):
            return False
        try:
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
        return True

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
