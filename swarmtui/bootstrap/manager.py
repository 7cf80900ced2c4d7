"""The manager side of a bootstrap: join token, manager address, node state and labels.

This is the one seam to the cluster layer.  Until `swarmtui.cluster` offers these
calls it talks docker-py directly; everything here is blocking and small, and the
engine calls it through `asyncio.to_thread`.  Point these functions at the cluster
layer when it exists — the engine only sees `Manager`.
"""

from __future__ import annotations

from dataclasses import dataclass


class ManagerError(Exception):
    """The manager could not be asked; the message says what to check."""


@dataclass(frozen=True)
class JoinInfo:
    token: str
    address: str  # host:port of a manager, e.g. 10.89.0.11:2377

    def __repr__(self) -> str:  # never print the token by accident
        return f"JoinInfo(token='SWMTKN-…masked', address={self.address!r})"


def join_info(client, role: str) -> JoinInfo:
    """Token for `role` (worker|manager) and this manager's address, from a docker-py DockerClient."""
    client.swarm.reload()
    tokens = client.swarm.attrs.get("JoinTokens") or {}
    token = tokens.get("Manager" if role == "manager" else "Worker")
    swarm = client.info().get("Swarm") or {}
    if not token or swarm.get("LocalNodeState") != "active" or not swarm.get("ControlAvailable"):
        raise ManagerError("the Docker host given with --host/DOCKER_HOST is not a swarm manager")
    node_id = swarm.get("NodeID")
    addresses = [m["Addr"] for m in swarm.get("RemoteManagers") or [] if m.get("NodeID") == node_id]
    address = addresses[0] if addresses else f"{swarm.get('NodeAddr')}:2377"
    return JoinInfo(token=token, address=address)


@dataclass(frozen=True)
class NodeState:
    node_id: str
    hostname: str
    role: str
    state: str  # ready | down | unknown ...
    labels: dict


class Manager:
    """What the bootstrap engine needs from the swarm, over one docker-py client."""

    def __init__(self, client):
        self.client = client

    @classmethod
    def connect(cls, docker_host: str | None) -> "Manager":
        import docker

        try:
            client = docker.DockerClient(base_url=docker_host, timeout=30) if docker_host else docker.from_env(timeout=30)
            client.ping()
        except Exception as exc:  # noqa: BLE001 - docker-py raises many kinds; all mean "unreachable"
            raise ManagerError(f"cannot reach the Docker manager at {docker_host or 'the local socket'}: {exc}") from None
        return cls(client)

    def join_info(self, role: str) -> JoinInfo:
        return join_info(self.client, role)

    def node(self, node_id: str) -> NodeState | None:
        import docker.errors

        try:
            node = self.client.nodes.get(node_id)
        except docker.errors.NotFound:
            return None
        attrs = node.attrs
        return NodeState(
            node_id=node.id,
            hostname=attrs.get("Description", {}).get("Hostname", ""),
            role=attrs.get("Spec", {}).get("Role", ""),
            state=attrs.get("Status", {}).get("State", "unknown"),
            labels=dict(attrs.get("Spec", {}).get("Labels") or {}),
        )

    def add_labels(self, node_id: str, labels: dict) -> bool:
        """Merge labels into the node's spec; False when they were all already set."""
        import docker.errors

        for _ in range(5):
            node = self.client.nodes.get(node_id)
            spec = dict(node.attrs["Spec"])
            current = dict(spec.get("Labels") or {})
            if all(current.get(k) == v for k, v in labels.items()):
                return False
            spec["Labels"] = {**current, **labels}
            try:
                node.update(spec)
                return True
            except docker.errors.APIError as exc:
                if "out of sequence" not in str(exc):
                    raise
        raise ManagerError(f"node {node_id}: labels kept being updated concurrently; try again")

    def close(self) -> None:
        self.client.close()
