"""Running the real docker CLI (for what the Engine has no API for: `docker stack deploy`).

The CLI must reach the same endpoint swarmtui uses: `cli_environment` is the one place
that maps swarmtui's endpoint to the CLI's environment.  The CLI negotiates its API version
down to the engine's (seen: client 28.2 / API 1.50 against engine 20.10 / API 1.41).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from swarmtui.cluster.errors import CliMissing, EngineRefused

if TYPE_CHECKING:
    from swarmtui.cluster.endpoint import Endpoint

DEFAULT_SOCKET = "unix:///var/run/docker.sock"  # docker-py's default when no host is given
# variables that would point the CLI somewhere else than `docker_host`
_ENDPOINT_VARIABLES = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")


def cli_environment(docker_host: "Endpoint | str | None", base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) with the CLI pointed at swarmtui's endpoint:
    its context by name, else its host (with its TLS material when the files sit in one directory,
    as DOCKER_CERT_PATH wants them). An endpoint without a host is the local socket, so the CLI
    is sent there too rather than to whatever context is current."""
    from swarmtui.cluster.endpoint import as_endpoint

    endpoint = as_endpoint(docker_host)
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _ENDPOINT_VARIABLES}
    if endpoint.context:
        env["DOCKER_CONTEXT"] = endpoint.context
        return env
    env["DOCKER_HOST"] = endpoint.host or DEFAULT_SOCKET
    if endpoint.tls_ca and len({os.path.dirname(p) for p in (endpoint.tls_ca, endpoint.tls_cert, endpoint.tls_key) if p}) == 1:
        env["DOCKER_CERT_PATH"] = os.path.dirname(endpoint.tls_ca)
        if endpoint.tls_verify:
            env["DOCKER_TLS_VERIFY"] = "1"
    return env


def find_cli(program: str | None = None) -> str:
    """Path of the docker CLI (`program`, SWARMTUI_DOCKER_CLI, then `docker` on PATH)."""
    wanted = program or os.environ.get("SWARMTUI_DOCKER_CLI") or "docker"
    path = shutil.which(wanted)
    if path is None:
        raise CliMissing(
            f"the docker CLI ({wanted}) is not installed: stacks are deployed by `docker stack deploy` "
            "(the Engine has no stack API), so nothing was deployed",
            "install the docker CLI (Debian: docker.io or docker-ce-cli) or set SWARMTUI_DOCKER_CLI to its path",
        )
    return path


@dataclass(frozen=True)
class CliRun:
    argv: tuple[str, ...]
    returncode: int
    output: str  # stdout and stderr interleaved, as the user would see them

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def last_lines(self, n: int = 8) -> str:
        return "\n".join(self.output.strip().splitlines()[-n:])


def run(argv: Sequence[str], env: Mapping[str, str], say: Callable[[str], None] | None = None,
        timeout: float = 300, cwd: str | None = None) -> CliRun:
    """Run `argv` and hand each output line to `say` as it comes (stdout and stderr merged)."""
    try:
        proc = subprocess.Popen(list(argv), env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    except OSError as exc:
        raise CliMissing(f"{argv[0]} could not be started ({exc.strerror})", "check the docker CLI's path") from exc
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            lines.append(line)
            if say is not None:
                say(line)
        proc.wait()
    finally:
        timer.cancel()
    if proc.returncode < 0:
        raise EngineRefused(f"{' '.join(argv[:3])} did not finish within {timeout:.0f}s and was stopped")
    return CliRun(tuple(argv), proc.returncode, "\n".join(lines))
