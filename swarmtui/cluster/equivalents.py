"""Docker CLI equivalents of stack, secret and config operations: pure functions, one place.

Kept apart (and free of I/O) so they can join the project's other CLI-equivalent
builders.  A secret's value never appears in what they build: `-` stands for stdin.
"""

from __future__ import annotations

import shlex
from typing import Iterable, Sequence


def _cli(*words: object) -> str:
    return shlex.join(str(w) for w in words)


def stack_deploy(compose_file: str, stack: str, env_file: str | None = None) -> str:
    """The CLI itself takes no --env-file: the variables go in its environment (shown as `env $(cat F)`)."""
    command = _cli("docker", "stack", "deploy", "-c", compose_file, stack)
    if env_file:
        return f"env $(grep -v '^#' {shlex.quote(env_file)} | xargs) {command}"
    return command


def stack_rm(stack: str) -> str:
    return _cli("docker", "stack", "rm", stack)


def object_create(kind: str, name: str, source: str | None, labels: dict[str, str] | None = None) -> str:
    """`docker secret create NAME FILE`, or `... NAME -` when the value comes on stdin (it is never shown)."""
    flags = [w for k, v in (labels or {}).items() for w in ("--label", f"{k}={v}")]
    return _cli("docker", kind, "create", *flags, name, source or "-")


def object_rm(kind: str, names: Sequence[str]) -> str:
    return _cli("docker", kind, "rm", *names)


def object_swap(kind: str, service: str, old: str, new: str, targets: Iterable[str]) -> str:
    """One service moved from `old` to `new` at the same target(s): one rolling update."""
    words: list[object] = ["docker", "service", "update", f"--{kind}-rm", old]
    for target in targets:
        words += [f"--{kind}-add", f"source={new},target={target}"]
    return _cli(*words, service)


def rotation(kind: str, old: str, new: str, source: str | None, uses: Sequence[tuple[str, Sequence[str]]]) -> str:
    """The whole rotation as the CLI does it: create new, move each service, remove old."""
    steps = [object_create(kind, new, source)]
    steps += [object_swap(kind, service, old, new, targets) for service, targets in uses]
    steps.append(object_rm(kind, [old]))
    return " && ".join(steps)
