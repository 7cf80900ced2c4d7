"""The forms behind the service and node keys: scale, rolling update, new service, labels.

Each parse function validates with the cluster layer's pure guards, so the
dialog refuses what the swarm would refuse before anything is sent.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from swarmtui.cluster import commands, guards
from swarmtui.cluster.errors import ClusterError
from swarmtui.cluster.models import Node, Service, UpdatePolicy
from swarmtui.ui.screens.form import Field, FormSpec


def _checked(fn, *args):
    try:
        return fn(*args)
    except ClusterError as exc:
        raise ValueError(str(exc)) from None


def _number(values: dict[str, str], key: str, label: str, cast=int):
    try:
        value = cast(values[key])
    except ValueError:
        raise ValueError(f"{label} must be a number, not {values[key]!r}") from None
    if value < 0:
        raise ValueError(f"{label} cannot be negative")
    return value


def scale_form(service: Service, cap: int) -> FormSpec:
    return FormSpec(
        title=f"Scale {service.name} (now {service.replicas_running}/{service.replicas_desired})",
        fields=[Field("replicas", "Replicas (0 stops every replica, after a confirmation)", str(service.replicas_desired))],
        parse=lambda v: _checked(guards.check_replicas, v["replicas"], cap),
        cli=lambda n: commands.scale(service.name, n),
    )


@dataclass(frozen=True)
class UpdateRequest:
    image: str
    policy: UpdatePolicy


def update_form(service: Service) -> FormSpec:
    def parse(v: dict[str, str]) -> UpdateRequest:
        image = _checked(guards.check_image, v["image"])
        policy = UpdatePolicy(
            parallelism=_number(v, "parallelism", "parallelism"),
            delay_seconds=_number(v, "delay", "delay", float),
            failure_action=v["failure_action"],
            order=v["order"],
            monitor_seconds=_number(v, "monitor", "monitor", float),
        )
        return UpdateRequest(image, policy)

    return FormSpec(
        title=f"Rolling update of {service.name} (replicas replaced a few at a time)",
        fields=[
            Field("image", "Image (edit the tag)", service.image),
            Field("parallelism", "Parallelism: replicas replaced at once", "1", restrict=r"\d*"),
            Field("delay", "Delay between batches (seconds)", "2", restrict=r"[\d.]*"),
            Field("failure_action", "If new replicas fail", "rollback", choices=("rollback", "pause", "continue")),
            Field("order", "Order", "stop-first", choices=("stop-first", "start-first")),
            Field("monitor", "Watch each batch for failures (seconds)", "5", restrict=r"[\d.]*"),
        ],
        parse=parse,
        cli=lambda req: commands.update_image(service.name, req.image, req.policy),
    )


@dataclass(frozen=True)
class NewService:
    name: str
    image: str
    replicas: int
    network: str | None
    env: tuple[str, ...]
    constraints: tuple[str, ...]
    policy: UpdatePolicy = UpdatePolicy()


def new_service_form(default_image: str, cap: int) -> FormSpec:
    def parse(v: dict[str, str]) -> NewService:
        env = tuple(shlex.split(v["env"]))
        bad = [e for e in env if "=" not in e]
        if bad:
            raise ValueError(f"environment entries must be KEY=VALUE, not {', '.join(bad)}")
        return NewService(
            name=_checked(guards.check_service_name, v["name"]),
            image=_checked(guards.check_image, v["image"]),
            replicas=_checked(guards.check_replicas, v["replicas"], cap),
            network=v["network"] or None,
            env=env,
            constraints=tuple(c.strip() for c in v["constraints"].split(",") if c.strip()),
        )

    def cli(s: NewService) -> str:
        return commands.create_service(s.name, s.image, s.replicas, network=s.network, env=s.env,
                                       constraints=s.constraints, policy=s.policy)

    return FormSpec(
        title="New service",
        fields=[
            Field("name", "Name", "", placeholder="spider"),
            Field("image", "Image", default_image),
            Field("replicas", "Replicas", "1", restrict=r"\d*"),
            Field("network", "Network (host like the seed, an overlay name, or empty)", "host"),
            Field("env", "Environment (KEY=VALUE ...)", "", placeholder="SPIDER_DELAY=1"),
            Field("constraints", "Placement constraints (comma separated)", "", placeholder="node.role==worker"),
        ],
        parse=parse,
        cli=cli,
    )


@dataclass(frozen=True)
class LabelChange:
    add: dict[str, str]
    remove: tuple[str, ...]


def labels_form(node: Node) -> FormSpec:
    current = " ".join(f"{k}={v}" for k, v in sorted(node.labels.items())) or "none"

    def parse(v: dict[str, str]) -> LabelChange:
        add, remove = {}, []
        for word in shlex.split(v["labels"]):
            if word.startswith("-"):
                remove.append(word[1:])
            elif "=" in word:
                key, _, value = word.partition("=")
                add[key] = value
            else:
                add[word] = ""
        if not add and not remove:
            raise ValueError("type at least one label: key=value to add, -key to remove")
        _checked(guards.check_label_keys, [*add, *remove])
        return LabelChange(add, tuple(remove))

    return FormSpec(
        title=f"Labels of {node.hostname} (now: {current})",
        fields=[Field("labels", "key=value adds or changes, -key removes", "", placeholder="zone=eu -old")],
        parse=parse,
        cli=lambda c: commands.labels(node.hostname, c.add, c.remove),
    )
