"""The steps that turn one fresh server into a swarm node, over one SSH connection.

connect → preflight → docker → registry → join → ready.  Each step is idempotent
and returns a one-line note (or raises `Skip`/`StepFailed`); every command it runs
and its output go to the step's log, passed through the `Redactor` first.

The join token never leaves this process except inside the join request itself:
as root the request goes to the host's Docker socket through an SSH-forwarded
stream (no remote process sees it), otherwise it is piped on stdin to
`sudo -n curl --data-binary @-`.  It is never part of a command line.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import time
from dataclasses import dataclass, field
from typing import Callable

import asyncssh

from swarmtui.bootstrap import daemon_json
from swarmtui.bootstrap.hostkeys import Confirm, HostKeyError, KnownHosts, changed_key_error, describe_error, ensure_trusted
from swarmtui.bootstrap.hosts import Target
from swarmtui.bootstrap.manager import JoinInfo, Manager

STEPS = ("connect", "preflight", "docker", "registry", "join", "ready")
MASK = "SWMTKN-…masked"
DOCKER_SOCKET = "/var/run/docker.sock"


class StepFailed(Exception):
    """This host cannot continue; the message says why and what to do."""


class Skip(Exception):
    """The step had nothing to do (already done, or not asked for)."""


class Redactor:
    """Replaces every registered secret in text shown, logged or saved."""

    def __init__(self):
        self._secrets: set[str] = set()

    def add(self, secret: str | None) -> None:
        if secret:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text


@dataclass(frozen=True)
class Auth:
    password: str | None = None
    key_file: str | None = None
    passphrase: str | None = None
    agent: bool = True

    @property
    def method(self) -> str:
        return "password" if self.password is not None else "key" if self.key_file else "agent"

    def connect_kwargs(self) -> dict:
        kw: dict = {}
        if self.password is not None:
            kw.update(password=self.password, client_keys=None, agent_path=None)
        elif self.key_file:
            kw.update(client_keys=[self.key_file], passphrase=self.passphrase, password=None)
            if not self.agent:
                kw["agent_path"] = None
        return kw


@dataclass(frozen=True)
class Options:
    role: str = "worker"  # worker | manager
    registry: str | None = None  # host:port to trust
    labels: dict = field(default_factory=dict)
    docker_source: str = "distro"  # distro (docker.io) | docker-repo (Docker's apt repository)
    min_free_gb: float = 2.0
    ready_timeout: float = 120.0
    connect_timeout: float = 15.0


# --- commands (shared by the real run and --dry-run) -------------------------------------------

def preflight_command(manager_address: str) -> str:
    host, _, port = manager_address.rpartition(":")
    probe = shlex.quote(f"exec 3<>/dev/tcp/{host}/{port}")
    return (
        ". /etc/os-release 2>/dev/null; echo \"os=$ID $VERSION_ID\"; echo \"arch=$(uname -m)\"; echo \"uid=$(id -u)\"; "
        "if [ \"$(id -u)\" != 0 ]; then if sudo -n true 2>/dev/null; then echo sudo=yes; else echo sudo=no; fi; fi; "
        "echo \"free_kb=$(df -Pk /var/lib | awk 'NR==2 {print $4}')\"; "
        "if command -v dockerd >/dev/null 2>&1; then echo docker=yes; else echo docker=no; fi; "
        "if command -v curl >/dev/null 2>&1; then echo curl=yes; fi; "
        f"if timeout 5 bash -c {probe} 2>/dev/null; then echo manager=ok; else echo manager=unreachable; fi"
    )


DOCKER_VERSION = "docker version --format '{{.Server.Version}}'"
DOCKER_SERVICE = (
    "if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; "
    "then systemctl {verb} docker; else service docker {verb}; fi"
)
WAIT_DOCKER = "for i in $(seq 60); do docker info >/dev/null 2>&1 && exit 0; sleep 1; done; echo 'Docker did not answer within 60s' >&2; exit 1"
SWARM_INFO = "docker info --format '{{json .Swarm}}'"


def as_root(command: str, is_root: bool) -> str:
    """The command as sent: through `sudo -n` (fails at once instead of asking for a password) unless root."""
    return command if is_root else f"sudo -n sh -c {shlex.quote(command)}"


def install_commands(source: str) -> list[str]:
    apt = "export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q"
    if source == "docker-repo":
        return [
            f"{apt} ca-certificates curl",
            "install -m 0755 -d /etc/apt/keyrings && . /etc/os-release && "
            "curl -fsSL https://download.docker.com/linux/$ID/gpg -o /etc/apt/keyrings/docker.asc && "
            "chmod a+r /etc/apt/keyrings/docker.asc && "
            "echo \"deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] "
            "https://download.docker.com/linux/$ID $VERSION_CODENAME stable\" > /etc/apt/sources.list.d/docker.list",
            f"{apt} docker-ce docker-ce-cli containerd.io",
        ]
    return [f"{apt} docker.io curl"]


def join_request(join: JoinInfo) -> dict:
    return {"ListenAddr": "0.0.0.0:2377", "AdvertiseAddr": "", "RemoteAddrs": [join.address], "JoinToken": join.token}


def join_display(join: JoinInfo, as_root: bool) -> str:
    body = json.dumps({**join_request(join), "JoinToken": MASK}, ensure_ascii=False)
    how = (
        f"over the SSH-forwarded {DOCKER_SOCKET}" if as_root
        else f"piped to `sudo -n curl --unix-socket {DOCKER_SOCKET} --data-binary @- http://docker/swarm/join`"
    )
    return f"POST /swarm/join {body} {how}   # same as: docker swarm join --token {MASK} {join.address}"


def dry_run_plan(target: Target, options: Options, join: JoinInfo) -> list[tuple[str, list[str]]]:
    """The exact commands each step would run on `target` (token masked)."""
    root = target.user == "root"
    registry = []
    if options.registry:
        registry = [
            as_root(daemon_json.read_command(), root),
            f"# merge: add {options.registry} to insecure-registries, keep every other key; only if it changed:",
            f"{as_root(daemon_json.write_script('<timestamp>'), root)}   # new JSON on stdin",
            as_root(DOCKER_SERVICE.format(verb="restart"), root),
            as_root(WAIT_DOCKER, root),
        ]
    labels = ", ".join(f"{k}={v}" for k, v in options.labels.items())
    return [
        ("connect", [f"ssh {target.user}@{target.label}   # host key checked against known_hosts"]),
        ("preflight", [preflight_command(join.address)]),
        ("docker", [
            as_root(DOCKER_VERSION, root),
            *(f"# only if Docker is missing: {as_root(c, root)}" for c in install_commands(options.docker_source)),
            f"# only if it is not running: {as_root(DOCKER_SERVICE.format(verb='start'), root)}",
        ]),
        ("registry", registry or ["# no --registry given: nothing to trust"]),
        ("join", [as_root(SWARM_INFO, root), f"# only if not in a swarm: {join_display(join, root)}"]),
        ("ready", [f"# on the manager: wait for the node to be Ready{', then add labels ' + labels if labels else ''}"]),
    ]


# --- running on a host --------------------------------------------------------------------------

@dataclass
class HostState:
    """What the steps learned about one host; passed from step to step."""

    target: Target
    conn: asyncssh.SSHClientConnection | None = None
    is_root: bool = False
    facts: dict = field(default_factory=dict)
    node_id: str | None = None
    joined: bool = False  # in this swarm (now or before)
    joined_now: bool = False  # by this run


@dataclass
class HostRunner:
    """Runs one host's steps; `log(line)` receives every command and its (redacted) output."""

    s: HostState
    options: Options
    auth: Auth
    known: KnownHosts
    confirm: Confirm | None
    manager: Manager | None
    join_info: JoinInfo
    redact: Redactor
    log: Callable[[str], None] = lambda line: None

    async def sh(self, command: str, *, root: bool = True, stdin: str | None = None, check: bool = True,
                 timeout: float = 300.0, show: str | None = None) -> asyncssh.SSHCompletedProcess:
        """Run a shell command (through `sudo -n` when it needs root and we are not root)."""
        if root:
            command = as_root(command, self.s.is_root)
        self.log(f"$ {self.redact(show or command)}")
        try:
            result = await asyncio.wait_for(self.s.conn.run(command, input=stdin, check=False), timeout)
        except TimeoutError:
            raise StepFailed(f"`{self.redact(show or command)}` did not finish within {timeout:.0f}s") from None
        output = self.redact(((result.stdout or "") + (result.stderr or "")).rstrip())
        if output:
            self.log(output)
        if check and result.exit_status != 0:
            last = output.splitlines()[-1] if output else f"exit status {result.exit_status}"
            raise StepFailed(f"`{self.redact(show or command)[:80]}` failed: {last}")
        return result

    # 1
    async def connect(self) -> str:
        t = self.s.target
        try:
            note = await ensure_trusted(t, self.known, self.confirm, timeout=self.options.connect_timeout)
        except (OSError, HostKeyError) as exc:  # unreachable (ConnectionError), key refused, pin not written
            raise StepFailed(str(exc)) from None
        self.log(note)
        try:
            self.s.conn = await asyncio.wait_for(
                asyncssh.connect(t.host, t.port, username=t.user, known_hosts=self.known.load(),
                                 **self.auth.connect_kwargs()),
                self.options.connect_timeout,
            )
        except asyncssh.HostKeyNotVerifiable:
            raise StepFailed(str(await changed_key_error(t, self.known))) from None
        except asyncssh.PermissionDenied:
            raise StepFailed(
                f"authentication failed for {t.user}@{t.label} using {self.auth.method}: the server refused it "
                "(wrong password or key, or that method is disabled for this user)"
            ) from None
        except asyncssh.KeyImportError as exc:
            raise StepFailed(f"cannot use key {self.auth.key_file}: {exc} (wrong or missing passphrase?)") from None
        except (OSError, asyncssh.Error, TimeoutError) as exc:
            raise StepFailed(f"cannot connect to {t.label}: {describe_error(exc)}") from None
        return f"connected as {t.user} ({self.auth.method}); {note}"

    # 2
    async def preflight(self) -> str:
        result = await self.sh(preflight_command(self.join_info.address), root=False)
        facts = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        self.s.facts = facts
        self.s.is_root = facts.get("uid") == "0"
        problems = []
        if not self.s.is_root and facts.get("sudo") != "yes":
            problems.append(f"{self.s.target.user} is not root and `sudo -n` needs a password "
                            "(give it passwordless sudo or log in as root)")
        free_gb = int(facts.get("free_kb") or 0) / 1024 / 1024
        if free_gb < self.options.min_free_gb:
            problems.append(f"only {free_gb:.1f} GB free under /var/lib (need {self.options.min_free_gb:g} GB)")
        if facts.get("manager") != "ok":
            problems.append(f"the manager {self.join_info.address} is not reachable from this host on tcp "
                            f"(open port {self.join_info.address.rpartition(':')[2]} between them)")
        if problems:
            raise StepFailed("; ".join(problems))
        who = "root" if self.s.is_root else "sudo -n"
        return f"{facts.get('os', '?')} {facts.get('arch', '?')}, {who}, {free_gb:.0f} GB free, manager reachable"

    # 3
    async def docker(self) -> str:
        if self.s.facts.get("docker") != "yes":
            for command in install_commands(self.options.docker_source):
                await self.sh(command, timeout=900)
            await self.sh(DOCKER_SERVICE.format(verb="start"))
            await self.sh(WAIT_DOCKER, timeout=90)
            version = (await self.sh(DOCKER_VERSION)).stdout.strip()
            return f"installed Docker {version} ({self.options.docker_source})"
        result = await self.sh(DOCKER_VERSION, check=False)
        if result.exit_status == 0:
            raise Skip(f"Docker {result.stdout.strip()} already installed and running")
        await self.sh(DOCKER_SERVICE.format(verb="start"))
        await self.sh(WAIT_DOCKER, timeout=90)
        version = (await self.sh(DOCKER_VERSION)).stdout.strip()
        return f"Docker {version} was installed but stopped; started it"

    # 4
    async def registry(self) -> str:
        registry = self.options.registry
        if not registry:
            raise Skip("no registry to trust")
        before = daemon_json.read_result((await self.sh(daemon_json.read_command())).stdout)
        try:
            merged = daemon_json.merge(before, registry)
        except daemon_json.DaemonJsonError as exc:
            raise StepFailed(str(exc)) from None
        if not merged.changed:
            raise Skip(f"{daemon_json.PATH} already trusts {registry}; Docker not restarted")
        stamp = time.strftime("%Y%m%d-%H%M%S")
        await self.sh(daemon_json.write_script(stamp), stdin=merged.after)
        await self.sh(DOCKER_SERVICE.format(verb="restart"))
        await self.sh(WAIT_DOCKER, timeout=90)
        backup = f"; old file kept as {daemon_json.PATH}.swarmtui-backup-{stamp}" if before is not None else ""
        return f"added {registry} to insecure-registries{backup}; Docker restarted"

    async def swarm_info(self) -> dict:
        return json.loads((await self.sh(SWARM_INFO)).stdout or "{}")

    # 5
    async def join(self) -> str:
        swarm = await self.swarm_info()
        state = swarm.get("LocalNodeState", "inactive")
        if state == "active":
            node_id = swarm.get("NodeID", "")
            known = await asyncio.to_thread(self.manager.node, node_id) if node_id else None
            if known is None:
                managers = ", ".join(m.get("Addr", "?") for m in swarm.get("RemoteManagers") or [])
                raise StepFailed(f"already in another swarm (node {node_id[:12]}, managers {managers or '?'}); "
                                 "refusing. Run `docker swarm leave` there first if it should move")
            self.s.node_id, self.s.joined = node_id, True
            raise Skip(f"already in this swarm as {known.role} {known.hostname} ({node_id[:12]})")
        if state != "inactive":
            raise StepFailed(f"its swarm state is {state!r} ({swarm.get('Error') or 'no detail'}); fix or leave first")
        body = json.dumps(join_request(self.join_info))
        self.log(f"$ {join_display(self.join_info, self.s.is_root)}")
        if self.s.is_root:
            status, reply = await self._docker_api_over_ssh("POST", "/swarm/join", body)
        else:
            if self.s.facts.get("curl") != "yes":
                raise StepFailed("joining as a sudo user needs curl on the host (or log in as root)")
            result = await self.sh(
                f"curl -sS --unix-socket {DOCKER_SOCKET} -H 'Content-Type: application/json' "
                "--data-binary @- -w '\\n%{http_code}' http://docker/swarm/join",
                stdin=body, check=False, timeout=180,
            )
            reply, _, code = result.stdout.rstrip().rpartition("\n")
            status = int(code) if code.isdigit() else 0
        reply = self.redact(reply)
        if status != 200:
            try:
                reply = json.loads(reply).get("message", reply)
            except (ValueError, AttributeError):
                pass
            raise StepFailed(f"swarm join refused (HTTP {status}): {reply.strip() or 'no reply'}")
        swarm = await self.swarm_info()
        self.s.node_id, self.s.joined, self.s.joined_now = swarm.get("NodeID"), True, True
        return f"joined as {self.options.role} via {self.join_info.address} (node {self.s.node_id[:12]})"

    async def _docker_api_over_ssh(self, method: str, path: str, body: str, timeout: float = 180.0) -> tuple[int, str]:
        """One HTTP/1.0 request to the host's Docker socket through an SSH direct-streamlocal channel."""
        try:
            reader, writer = await self.s.conn.open_unix_connection(DOCKER_SOCKET)
        except asyncssh.ChannelOpenError as exc:
            raise StepFailed(f"cannot reach {DOCKER_SOCKET} over SSH ({exc.reason}); "
                             "is AllowStreamLocalForwarding disabled in sshd_config?") from None
        data = body.encode()
        writer.write(
            f"{method} {path} HTTP/1.0\r\nHost: docker\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode() + data
        )
        try:
            raw = await asyncio.wait_for(reader.read(), timeout)
        except TimeoutError:
            raise StepFailed(f"Docker did not answer {method} {path} within {timeout:.0f}s") from None
        finally:
            writer.close()
        text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
        head, _, reply = text.partition("\r\n\r\n")
        try:
            status = int(head.split()[1])
        except (IndexError, ValueError):
            status = 0
        return status, reply

    # 6
    async def ready(self) -> str:
        if not self.s.node_id:
            raise StepFailed("no node id: the join step did not finish")
        deadline = time.monotonic() + self.options.ready_timeout
        node = None
        while time.monotonic() < deadline:
            node = await asyncio.to_thread(self.manager.node, self.s.node_id)
            if node and node.state == "ready":
                break
            await asyncio.sleep(1.0)
        else:
            state = node.state if node else "not listed"
            raise StepFailed(f"node {self.s.node_id[:12]} is {state} on the manager after {self.options.ready_timeout:.0f}s")
        note = f"{node.hostname} Ready as {node.role}"
        changed = False
        if self.options.labels:
            changed = await asyncio.to_thread(self.manager.add_labels, self.s.node_id, self.options.labels)
            pairs = ", ".join(f"{k}={v}" for k, v in self.options.labels.items())
            note += f"; labels {'set' if changed else 'already set'}: {pairs}"
        if not changed and not self.s.joined_now:
            raise Skip(note)
        return note

    async def close(self) -> None:
        if self.s.conn is not None:
            self.s.conn.close()
            await self.s.conn.wait_closed()
