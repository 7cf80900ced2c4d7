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


class NoLeader(ClusterError):
    """The managers answer but are electing a leader (raft): reads and changes wait for it."""


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


# ---- words for a failure from below (docker-py, requests, urllib3, sockets) -----------------
def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an error's message, or its type's name when it has none (paramiko's
    EOFError on a connection the far end dropped has an empty message)."""
    problem = getattr(exc, "problem", None) or str(exc)
    return (problem.strip().splitlines() or [type(exc).__name__])[0][:limit]


def reason(exc: BaseException) -> str:
    """The innermost useful words of a connection failure, whole: "Connection refused",
    "No such file or directory: /run/x.sock", "timed out" — not the wrappers' reprs.

    docker-py wraps requests, which wraps urllib3's MaxRetryError (`.reason`), which wraps
    NewConnectionError, raised `from` the socket's OSError: follow `.reason` and `__cause__`.
    """
    chain, seen = [exc], set()
    while chain and id(chain[-1]) not in seen:
        seen.add(id(chain[-1]))
        inner = getattr(chain[-1], "reason", None)
        inner = inner if isinstance(inner, BaseException) else chain[-1].__cause__ or chain[-1].__context__
        if inner is None and chain[-1].args and isinstance(chain[-1].args[0], BaseException):
            inner = chain[-1].args[0]
        if inner is None:
            break
        chain.append(inner)
    for e in reversed(chain):
        if isinstance(e, OSError) and e.strerror:
            return f"{e.strerror}: {e.filename}" if e.filename else e.strerror
        if isinstance(e, TimeoutError) or "timed out" in str(e).lower():
            return "timed out"
    return first_line(exc, limit=10_000)
