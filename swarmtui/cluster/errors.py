"""One exception family for the cluster layer, each with a message a person can act on.

Every error raised by SwarmClient is a ClusterError; the subclasses let callers
(the TUI, the CLI, scripts) tell the cases apart.  `str(exc)` is the whole
message: what went wrong, then what to do about it.
"""

from __future__ import annotations


class ClusterError(Exception):
    """Something the cluster layer could not do; nothing was changed unless the message says so."""

    def __init__(self, problem: str, hint: str = "") -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(f"{problem}. {hint[:1].upper()}{hint[1:]}" if hint else problem)


# ---- where we talk to ---------------------------------------------------------
class DaemonUnreachable(ClusterError):
    """No Docker daemon answers at the configured address."""


class EndpointError(ClusterError):
    """The endpoint itself is wrong: unknown context, missing or wrong TLS files (nothing was sent)."""


class HostKeyRefused(EndpointError):
    """An ssh:// host whose key is unknown or changed: refused, never added."""


class NotInSwarm(ClusterError):
    """The daemon answers but is not part of a swarm."""


class NotAManager(ClusterError):
    """The daemon is a swarm worker: workers cannot read or change cluster state."""


# ---- what we talk about --------------------------------------------------------
class UnknownService(ClusterError):
    pass


class UnknownNode(ClusterError):
    pass


# ---- bad input (checked before anything is sent) --------------------------------
class InvalidInput(ClusterError):
    """A value the swarm would refuse or that makes no sense; nothing was sent."""


class BadReplicaCount(InvalidInput):
    pass


class InvalidImage(InvalidInput):
    pass


# ---- guards: operations that would hurt the swarm ---------------------------------
class UnsafeOperation(ClusterError):
    """Refused because it would damage the swarm; nothing was changed."""


class QuorumRisk(UnsafeOperation):
    """Demoting this manager would lose raft quorum or leave no manager."""


class NodeNotDown(UnsafeOperation):
    """Removing a node that is still Ready (drain it and stop its engine first, or force)."""


class LastActiveNode(UnsafeOperation):
    """Draining or pausing this node would leave no node to run tasks."""


# ---- the engine said no -----------------------------------------------------------
class EngineRefused(ClusterError):
    """The engine refused or failed the request; the message carries its reason."""


# ---- stacks, secrets and configs ------------------------------------------------------
class CliMissing(ClusterError):
    """The docker CLI is needed (stacks: the Engine has no stack API) and is not installed."""


class UnknownObject(ClusterError):
    """No secret, config or stack by that name."""


class InUse(UnsafeOperation):
    """A secret or config still referenced by services cannot be removed."""
