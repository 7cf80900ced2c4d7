"""Pure checks run before anything is sent to the swarm: bad input and unsafe operations.

Each raises an errors.ClusterError subclass naming the problem and what to do;
returning normally means "go ahead".
"""

from __future__ import annotations

import re
from typing import Iterable

from swarmtui.cluster.errors import BadReplicaCount, InvalidImage, InvalidInput, LastActiveNode, NodeNotDown, QuorumRisk
from swarmtui.cluster.models import Node, UpdatePolicy

# The distribution/reference grammar (docker/distribution reference/regexp.go), simplified to one regex.
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
IMAGE_REFERENCE = re.compile(rf"^({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?$")

SERVICE_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$")
LABEL_KEY = re.compile(r"^[^=\s]+$")
AVAILABILITIES = ("active", "pause", "drain")


def check_replicas(value: object, cap: int) -> int:
    """An integer 0..cap from an int or a string the user typed; BadReplicaCount otherwise."""
    if isinstance(value, bool):
        raise BadReplicaCount(f"replica count {value!r} is not a number", "give a whole number such as 3")
    if isinstance(value, int):
        count = value
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        count = int(value)
    else:
        raise BadReplicaCount(f"replica count {value!r} is not a whole number", "give a whole number such as 3 (0 stops every replica)")
    if count < 0:
        raise BadReplicaCount(f"replica count {count} is negative", "give 0 to stop every replica, or a positive number")
    if count > cap:
        raise BadReplicaCount(
            f"replica count {count} is over the cap of {cap}",
            "raise max_replicas in the config file if you really mean it",
        )
    return count


def check_image(image: object) -> str:
    """A syntactically valid image reference ("10.0.0.1:8003/spider:0.02"); InvalidImage otherwise."""
    if not isinstance(image, str) or not image.strip():
        raise InvalidImage("no image given", "give an image reference such as registry:8003/spider:0.02")
    ref = image.strip()
    if len(ref) > 255 + 128 + 80 or not IMAGE_REFERENCE.match(ref):
        raise InvalidImage(
            f"{image!r} is not a valid image reference",
            "use REGISTRY/NAME:TAG with a lowercase name, e.g. 10.0.0.1:8003/spider:0.02",
        )
    return ref


def check_service_name(name: object) -> str:
    if not isinstance(name, str) or not SERVICE_NAME.match(name):
        raise InvalidInput(
            f"service name {name!r} is not valid",
            "use letters, digits, '-', '_' or '.', starting with a letter or digit (at most 63 characters)",
        )
    return name


def check_availability(availability: str) -> str:
    if availability not in AVAILABILITIES:
        raise InvalidInput(f"availability {availability!r} is not one of {', '.join(AVAILABILITIES)}")
    return availability


def check_label_keys(keys: Iterable[str]) -> list[str]:
    keys = list(keys)
    bad = [k for k in keys if not isinstance(k, str) or not LABEL_KEY.match(k)]
    if bad or not keys:
        raise InvalidInput(f"label key(s) {bad or '(none)'} not valid", "give keys without '=' or spaces, e.g. region or disk=ssd")
    return keys


def check_demote(nodes: Iterable[Node], target: Node) -> None:
    """Refuse a demote that leaves no manager or loses raft quorum among the managers left."""
    if target.role != "manager":
        return
    managers = [n for n in nodes if n.role == "manager"]
    left = [n for n in managers if n.id != target.id]
    if not left:
        raise QuorumRisk(
            f"demoting {target.hostname} would leave the swarm without a manager",
            "promote another node first (swarmtui node promote NODE)",
        )
    reachable = [n for n in left if n.status == "ready" and (n.leader or n.manager_reachability == "reachable")]
    needed = len(left) // 2 + 1
    if len(reachable) < needed:
        raise QuorumRisk(
            f"demoting {target.hostname} would lose raft quorum: {len(reachable)} of the {len(left)} remaining managers "
            f"are reachable and {needed} are needed",
            "bring the unreachable managers back (or remove them) before demoting",
        )


def check_remove_node(target: Node, force: bool) -> None:
    if target.status == "ready" and not force:
        raise NodeNotDown(
            f"{target.hostname} is still Ready",
            "drain it, stop its Docker engine (or `docker swarm leave` there) and remove it once it is Down, or force",
        )
    if target.role == "manager":
        raise QuorumRisk(f"{target.hostname} is a manager", "demote it first, then remove it")


def check_availability_change(nodes: Iterable[Node], target: Node, availability: str) -> None:
    """Refuse draining or pausing the last node that can still run tasks."""
    if availability == "active":
        return
    others = [n for n in nodes if n.id != target.id and n.availability == "active" and n.status == "ready"]
    if not others and target.availability == "active":
        raise LastActiveNode(
            f"{'draining' if availability == 'drain' else 'pausing'} {target.hostname} would leave no active Ready node to run tasks",
            "activate another node first (swarmtui node activate NODE)",
        )


def check_policy(policy: UpdatePolicy) -> UpdatePolicy:
    """Every field of an update config within what the engine accepts."""
    if policy.failure_action not in ("continue", "pause", "rollback"):
        raise InvalidInput(f"failure action {policy.failure_action!r} is not continue, pause or rollback")
    if policy.order not in ("stop-first", "start-first"):
        raise InvalidInput(f"update order {policy.order!r} is not stop-first or start-first")
    if policy.parallelism < 0 or policy.delay_seconds < 0 or policy.monitor_seconds < 0 or not 0 <= policy.max_failure_ratio <= 1:
        raise InvalidInput("update parallelism, delay and monitor must be >= 0 and the failure ratio between 0 and 1")
    return policy


# What docker-py's parse_host accepts (docker/utils/utils.py); anything else is a typo, not a daemon that is down.
DOCKER_HOST_SCHEMES = ("unix", "tcp", "ssh", "http", "https", "npipe")


def check_docker_host(url: str | None) -> str | None:
    """A Docker host URL (None: the local socket); InvalidInput naming the accepted schemes otherwise."""
    if not url:
        return url
    scheme, sep, rest = url.strip().partition("://")
    if sep and (scheme.lower() not in DOCKER_HOST_SCHEMES or not (rest or scheme.lower() == "unix")):
        raise InvalidInput(
            f"{url!r} is not a Docker host URL",
            "use unix:///PATH/docker.sock, tcp://HOST:PORT, ssh://USER@HOST, http(s)://HOST:PORT (npipe:// on Windows)",
        )
    return url
