"""The docker CLI equivalent of every swarmtui operation, built here and nowhere else.

Pure functions (no docker import): the dialog previews, the confirmations, the
"done" notifications (OperationResult.cli) and the headless `swarmtui service|node`
commands all call them, so what a user is shown before is what is reported after.
Words are quoted with shlex so a shown command can be pasted into a shell.
"""

from __future__ import annotations

import shlex
from typing import Iterable, Mapping, Sequence

from swarmtui.cluster.models import UpdatePolicy


def _cli(*words: object) -> str:
    return shlex.join(str(w) for w in words)


def duration(seconds: float) -> str:
    """Seconds as a Go duration the docker CLI parses: 5 → "5s", 1.5 → "1.5s", 0.0001 → "0.0001s"."""
    text = f"{seconds:.9f}".rstrip("0").rstrip(".")
    return f"{text or '0'}s"


def update_flags(policy: UpdatePolicy) -> list[str]:
    """Every field of the update config, as swarmtui always sends all of them."""
    return [
        "--update-parallelism", str(policy.parallelism),
        "--update-delay", duration(policy.delay_seconds),
        "--update-failure-action", policy.failure_action,
        "--update-order", policy.order,
        "--update-monitor", duration(policy.monitor_seconds),
        "--update-max-failure-ratio", f"{policy.max_failure_ratio:g}",
    ]


def label_word(key: str, value: str) -> str:
    """`k=v`, or a bare `k` for an empty value (what `--label-add k` sets)."""
    return f"{key}={value}" if value else key


# ---- services --------------------------------------------------------------------
def create_service(
    name: str,
    image: str,
    replicas: int,
    *,
    network: str | None = None,
    env: Sequence[str] = (),
    constraints: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    stop_grace_seconds: float | None = None,
    command: Sequence[str] | None = None,
    policy: UpdatePolicy = UpdatePolicy(),
) -> str:
    words: list[object] = ["docker", "service", "create", "--name", name, "--replicas", replicas]
    if network:
        words += ["--network", network]
    for item in env:
        words += ["--env", item]
    for c in constraints:
        words += ["--constraint", c]
    for k, v in (labels or {}).items():
        words += ["--label", f"{k}={v}"]
    if stop_grace_seconds is not None:
        words += ["--stop-grace-period", duration(stop_grace_seconds)]
    return _cli(*words, *update_flags(policy), image, *(command or ()))


def scale(service: str, replicas: int) -> str:
    return _cli("docker", "service", "scale", f"{service}={replicas}")


def update_image(service: str, image: str, policy: UpdatePolicy) -> str:
    return _cli("docker", "service", "update", "--image", image, *update_flags(policy), service)


def rollback(service: str) -> str:
    return _cli("docker", "service", "rollback", service)


def restart(service: str) -> str:
    return _cli("docker", "service", "update", "--force", service)


def remove_service(service: str) -> str:
    return _cli("docker", "service", "rm", service)


# ---- nodes ---------------------------------------------------------------------------
def promote(node: str) -> str:
    return _cli("docker", "node", "promote", node)


def demote(node: str) -> str:
    return _cli("docker", "node", "demote", node)


def availability(node: str, value: str) -> str:
    return _cli("docker", "node", "update", "--availability", value, node)


def labels(node: str, add: Mapping[str, str] | None = None, remove: Iterable[str] = ()) -> str:
    words: list[str] = []
    for k, v in (add or {}).items():
        words += ["--label-add", label_word(k, v)]
    for k in remove:
        words += ["--label-rm", k]
    return _cli("docker", "node", "update", *words, node)


def remove_node(node: str, force: bool = False) -> str:
    return _cli("docker", "node", "rm", *(["--force"] if force else []), node)


# ---- swarm -----------------------------------------------------------------------------
def rotate_token(role: str) -> str:
    return _cli("docker", "swarm", "join-token", "--rotate", role)
