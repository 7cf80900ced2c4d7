"""The manager side of a bootstrap: join token, manager address, node state and labels.

This is the one seam to the cluster layer: everything goes through
`swarmtui.cluster.client.SwarmClient` (its `join_tokens()`, `node()` and `add_labels()`),
and its `ClusterError`s come out as `ManagerError` with the same message.  The calls
are blocking and small; the engine makes them through `asyncio.to_thread` and only
sees `Manager`.

The join token is a secret: it stays inside `JoinInfo` (whose repr masks it), is
handed to the engine's `Redactor` before anything is shown, and only ever leaves
this process inside the join request itself (see steps.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.endpoint import Endpoint
from swarmtui.cluster.errors import ClusterError, UnknownNode


class ManagerError(Exception):
    """The manager could not be asked; the message says what to check."""


@dataclass(frozen=True)
class JoinInfo:
    """What one join needs: the token for the role being joined and one manager address."""

    token: str
    address: str  # host:port of a manager, e.g. 10.89.0.11:2377

    def __repr__(self) -> str:  # never print the token by accident
        return f"JoinInfo(token='SWMTKN-…masked', address={self.address!r})"


@dataclass(frozen=True)
class NodeState:
    node_id: str
    hostname: str
    role: str
    state: str  # ready | down | unknown ...
    labels: dict


class Manager:
    """What the bootstrap engine needs from the swarm, through one `SwarmClient`."""

    def __init__(self, swarm: SwarmClient):
        self.swarm = swarm

    @classmethod
    def connect(cls, docker_host: "Endpoint | str | None") -> "Manager":
        swarm = SwarmClient(docker_host, timeout=30)
        try:
            swarm.docker  # noqa: B018 - connects (docker-py asks the daemon its API version)
        except ClusterError as exc:
            raise ManagerError(str(exc)) from None
        return cls(swarm)

    def join_info(self, role: str) -> JoinInfo:
        """Token for `role` (worker|manager) and the leader's address, from the cluster layer."""
        try:
            info = self.swarm.join_tokens()
        except ClusterError as exc:  # NotAManager, NotInSwarm, DaemonUnreachable ...
            raise ManagerError(str(exc)) from None
        token = info.token(role)
        if not token or not info.manager_addresses:
            raise ManagerError(f"the Docker host at {self.swarm.where} gave no {role} join token or manager "
                               "address; point --host / DOCKER_HOST at a swarm manager")
        return JoinInfo(token=token, address=info.manager_addresses[0])

    def node(self, node_id: str) -> NodeState | None:
        """The node as the manager lists it, or None when it is not in this swarm."""
        try:
            node = self.swarm.node(node_id)
        except UnknownNode:
            return None
        except ClusterError as exc:
            raise ManagerError(str(exc)) from None
        return NodeState(node_id=node.id, hostname=node.hostname, role=node.role, state=node.status,
                         labels=dict(node.labels))

    def add_labels(self, node_id: str, labels: dict) -> bool:
        """Merge labels into the node's spec; False when they were all already set (nothing sent)."""
        current = self.node(node_id)
        if current is None:
            raise ManagerError(f"node {node_id[:12]} is not in this swarm (any more)")
        if all(current.labels.get(k) == str(v) for k, v in labels.items()):
            return False
        try:
            self.swarm.add_labels(node_id, labels)
        except ClusterError as exc:
            raise ManagerError(str(exc)) from None
        return True

    def close(self) -> None:
        self.swarm.close()
