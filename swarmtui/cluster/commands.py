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


def build(image: str, context: str, build_args: Mapping[str, str] | None = None) -> str:
    """The build step of a release (it runs on the manager's daemon, as `docker -H MANAGER build` would)."""
    args = [w for k, v in (build_args or {}).items() for w in ("--build-arg", f"{k}={v}")]
    return _cli("docker", "build", "-t", image, *args, context)


def push(image: str) -> str:
    return _cli("docker", "push", image)


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


# ---- stacks, secrets and configs (a secret's value never appears: `-` stands for stdin) ----------
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
