"""Redis failures in one line a person can act on: names the host and port, never the password."""

from __future__ import annotations

from typing import TYPE_CHECKING

import redis

if TYPE_CHECKING:
    from swarmtui.queue.connection import RedisEndpoint


class QueueError(Exception):
    """A Redis problem, already phrased for the user (one line, no password)."""


def describe(exc: BaseException, endpoint: RedisEndpoint) -> str:
    """One line for a Redis failure."""
    text = str(exc)
    needs = f"Redis at {endpoint} needs a password (NOAUTH): give it in the URL, redis://default:PASSWORD@{endpoint}/{endpoint.db}"
    if "NOAUTH" in text or "authentication required" in text.lower():
        return needs
    if isinstance(exc, redis.AuthenticationError) or "WRONGPASS" in text or "invalid password" in text:
        return f"Redis at {endpoint} refused the password (WRONGPASS)" if endpoint.has_password else needs
    if isinstance(exc, redis.TimeoutError):
        return f"Redis at {endpoint} did not answer in time (timeout); is the host reachable?"
    if isinstance(exc, redis.ConnectionError):
        low = text.lower()
        if "refused" in low:
            why = "connection refused: is redis-server running on that port?"
        elif "name or service not known" in low or "nodename nor servname" in low or "temporary failure in name resolution" in low:
            why = "unknown host name"
        elif "ssl" in low or "tls" in low or "wrong version number" in low:
            why = "TLS handshake failed: rediss:// against a plain server, or the reverse?"
        elif "closed by server" in low or "reset by peer" in low:
            why = "the connection was closed (restarting?)"
        else:
            why = _scrub(text, endpoint) or "connection lost"
        return f"Redis at {endpoint} is not reachable ({why})"
    if isinstance(exc, redis.ResponseError):
        if "DB index is out of range" in text:
            return f"Redis at {endpoint} has no database {endpoint.db} (DB index is out of range)"
        return f"Redis at {endpoint} answered with an error: {_scrub(text, endpoint)}"
    return f"Redis at {endpoint}: {type(exc).__name__}: {_scrub(text, endpoint)}"


def _scrub(text: str, endpoint: RedisEndpoint) -> str:
    """Error texts from redis-py can quote the URL; keep only the first line and drop anything after '@'."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    if "@" in line:
        line = line.split("@", 1)[1]
    return line


REDIS_ERRORS = (redis.RedisError, OSError)
