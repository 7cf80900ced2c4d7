"""How to reach the engine of one swarm node (not just the manager), for a shell in a task and for
container stats.  Nothing here imports textual.

Which way, first that applies:
1. a per-node override in config.toml:      [nodes."lab-worker-1"]  host = "ssh://ops@10.0.0.12"
2. the node the local socket belongs to (the manager swarmtui runs on): no SSH at all;
3. the manager connection is ssh://USER@...:PORT: the same user and port, at the node's address;
4. otherwise ssh to the node's address, user and options from ~/.ssh/config.
Always the system OpenSSH client (the user's config, agent and known_hosts apply), always with
StrictHostKeyChecking=yes: an unknown or changed host key is refused, never added.  A preflight
(BatchMode, so nothing prompts) tells "host key refused", "keys refused", "unreachable", "no such
container" apart before the TUI gives the terminal away.
"""

from __future__ import annotations

import shlex
import subprocess
import urllib.parse
from dataclasses import dataclass
from typing import Mapping, Sequence

from swarmtui.cluster.errors import ClusterError, DaemonUnreachable, HostKeyRefused, InvalidInput

STRICT = ("-o", "StrictHostKeyChecking=yes")  # never accept an unknown key, whatever ~/.ssh/config says
PREFLIGHT = ("-o", "BatchMode=yes", "-o", "ConnectTimeout=8")
# bash when the image has it, else sh (most crawler images are slim)
AUTO_SHELL = "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi"


@dataclass(frozen=True)
class NodeAccess:
    hostname: str
    local: bool = False  # this machine's Docker socket runs that node: no SSH
    target: str = ""  # ssh destination "user@address" or "address"
    port: int | None = None
    docker_host: str | None = None  # for local: the socket URL the docker CLI should use
    source: str = ""  # why this way (shown when it fails)

    @property
    def where(self) -> str:
        return "this machine's Docker socket" if self.local else f"ssh {self.target}" + (f" -p {self.port}" if self.port else "")

    def ssh(self, *options: str) -> list[str]:
        """`ssh [options] [-p PORT] TARGET` with strict host key checking."""
        port = ["-p", str(self.port)] if self.port else []
        return ["ssh", *STRICT, *options, *port, self.target]

    def docker(self, *args: str, tty: bool = False) -> list[str]:
        """argv running `docker ARGS` against that node's engine (through ssh unless local)."""
        if self.local:
            return ["docker", *(["-H", self.docker_host] if self.docker_host else []), *args]
        return [*self.ssh(*(["-t"] if tty else [])), shlex.join(["docker", *args])]


def _ssh_url(url: str) -> tuple[str, int | None]:
    parts = urllib.parse.urlparse(url)
    if parts.scheme != "ssh" or not parts.hostname:
        raise InvalidInput(f"node host {url!r} is not an ssh:// URL", 'write it as host = "ssh://USER@ADDRESS[:PORT]"')
    return (f"{parts.username}@{parts.hostname}" if parts.username else parts.hostname), parts.port


def resolve(hostname: str, address: str, manager_url: str | None, manager_node: str | None,
            overrides: Mapping[str, Mapping[str, str]] | None = None) -> NodeAccess:
    """`manager_url`: the manager connection's URL (None: the local socket); `manager_node`: the
    hostname of the node whose engine that connection reaches."""
    own = (overrides or {}).get(hostname) or {}
    if own.get("host"):
        target, port = _ssh_url(own["host"])
        return NodeAccess(hostname, target=target, port=port, source=f'[nodes."{hostname}"] in config.toml')
    scheme = urllib.parse.urlparse(manager_url).scheme if manager_url else "unix"
    if scheme in ("unix", "npipe") and hostname == manager_node:
        return NodeAccess(hostname, local=True, docker_host=manager_url, source="the manager's local socket")
    if not address:
        raise InvalidInput(f"{hostname} has no address in the swarm", f'set [nodes."{hostname}"] host = "ssh://..." in config.toml')
    if scheme == "ssh":
        parts = urllib.parse.urlparse(manager_url)
        user = f"{parts.username}@" if parts.username else ""
        return NodeAccess(hostname, target=f"{user}{address}", port=parts.port, source="the manager's ssh:// user and port")
    return NodeAccess(hostname, target=address, source="the node's swarm address (user from ~/.ssh/config)")


def explain(access: NodeAccess, stderr: str, what: str = "") -> ClusterError:
    """An ssh/docker failure in words: what went wrong, on which node, what to do."""
    text = stderr.strip()
    last = text.splitlines()[-1] if text else "no output"
    if "Host key verification failed" in text or "REMOTE HOST IDENTIFICATION HAS CHANGED" in text:
        return HostKeyRefused(f"ssh: the host key of {access.target} ({access.hostname}) is not known or has changed: refused, "
                              "nothing was run",
                              "check its fingerprint and add it to known_hosts (ssh-keyscan, or ssh there once); "
                              "swarmtui never accepts host keys itself")
    if "Permission denied" in text:
        return DaemonUnreachable(f"ssh: {access.target} ({access.hostname}) refused our keys",
                                 "load a key it accepts into ssh-agent or name it as IdentityFile in ~/.ssh/config")
    if "No such container" in text or "No such object" in text:
        return ClusterError(f"the container{' of ' + what if what else ''} is gone from {access.hostname}",
                            "the task may have just been replaced; refresh")
    if "command not found" in text or "not found" in last and "docker" in last:
        return DaemonUnreachable(f"{access.hostname} has no docker CLI for {access.where}", "install docker there")
    return DaemonUnreachable(f"cannot reach the engine of {access.hostname} through {access.where} ({last[:200]})",
                             f"how it is reached: {access.source}; set [nodes.\"{access.hostname}\"] host = \"ssh://...\" "
                             "in config.toml to choose another way")


def preflight(access: NodeAccess, container_id: str, what: str = "", timeout: float = 20) -> None:
    """Check, without any prompt, that the node answers and the container runs there; raise otherwise."""
    inspect = ["inspect", "--format", "{{.State.Running}}", container_id]
    argv = access.docker(*inspect) if access.local else [*access.ssh(*PREFLIGHT), shlex.join(["docker", *inspect])]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise DaemonUnreachable(f"{argv[0]} is not installed here", "install openssh-client (and docker for the local node)") from exc
    except subprocess.TimeoutExpired as exc:
        raise DaemonUnreachable(f"{access.where} did not answer within {timeout:.0f}s", f"how it is reached: {access.source}") from exc
    if done.returncode != 0:
        raise explain(access, done.stderr, what)
    if done.stdout.strip() != "true":
        raise ClusterError(f"the container of {what or container_id[:12]} is not running on {access.hostname}",
                           "pick a running task")


def shell_argv(access: NodeAccess, container_id: str, command: str = "") -> list[str]:
    """The interactive `docker exec -it CONTAINER ...`: `command` run by sh, or bash if present else sh."""
    script = command.strip() or AUTO_SHELL
    return access.docker("exec", "-it", container_id, "sh", "-c", script, tty=True)


def shown(argv: Sequence[str]) -> str:
    """The command as a person would type it."""
    return shlex.join(argv)
