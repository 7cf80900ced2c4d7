"""Connecting to Redis and turning its failures into one line a person can act on.

Messages name the host and port, never the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

DEFAULT_URL = "redis://localhost:6379/0"


class QueueError(Exception):
    """A Redis problem, already phrased for the user (one line, no password)."""


@dataclass(frozen=True)
class Target:
    """Where a Redis URL points, safe to print."""

    host: str
    port: int
    db: int
    tls: bool
    has_password: bool

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    def cli(self, *args: str) -> str:
        """The redis-cli command doing the same thing (asks for the password instead of showing it)."""
        parts = ["redis-cli", "-h", self.host, "-p", str(self.port)]
        if self.db:
            parts += ["-n", str(self.db)]
        if self.tls:
            parts.append("--tls")
        if self.has_password:
            parts.append("--askpass")
        return " ".join(parts + [_shell_quote(a) for a in args])


def _shell_quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def parse_url(url: str | None) -> Target:
    """Check a redis:// or rediss:// URL; raise QueueError saying what is wrong with it."""
    url = url or DEFAULT_URL
    hint = "expected redis://[default:PASSWORD@]HOST:PORT/DB or rediss://... for TLS"
    try:
        parts = urlsplit(url)
        port = parts.port or 6379
    except ValueError as exc:
        raise QueueError(f"not a usable Redis URL ({exc}); {hint}") from None
    if parts.scheme not in ("redis", "rediss"):
        raise QueueError(f"not a Redis URL (scheme {parts.scheme or 'missing'!r}); {hint}")
    if not parts.hostname:
        raise QueueError(f"the Redis URL has no host; {hint}")
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise QueueError(f"the Redis URL's database must be a number, not {path!r}; {hint}")
    return Target(
        host=parts.hostname,
        port=port,
        db=int(path or 0),
        tls=parts.scheme == "rediss",
        has_password=bool(parts.password and unquote(parts.password)),
    )


def connect(url: str | None, timeout: float = 2.0) -> tuple[redis.Redis, Target]:
    """A client that fails fast (no retries, short timeouts) so a refresh never hangs the poller.

    redis-py reconnects by itself on the next command once the server is back.
    """
    target = parse_url(url)
    client = redis.Redis.from_url(
        url or DEFAULT_URL,
        decode_responses=True,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
    )
    return client, target


def describe(exc: BaseException, target: Target) -> str:
    """One line for a Redis failure."""
    text = str(exc)
    needs = f"Redis at {target} needs a password (NOAUTH): give it in the URL, redis://default:PASSWORD@{target}/{target.db}"
    if "NOAUTH" in text or "authentication required" in text.lower():
        return needs
    if isinstance(exc, redis.AuthenticationError) or "WRONGPASS" in text or "invalid password" in text:
        return f"Redis at {target} refused the password (WRONGPASS)" if target.has_password else needs
    if isinstance(exc, redis.TimeoutError):
        return f"Redis at {target} did not answer in time (timeout); is the host reachable?"
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
            why = _scrub(text, target) or "connection lost"
        return f"Redis at {target} is not reachable ({why})"
    if isinstance(exc, redis.ResponseError):
        if "DB index is out of range" in text:
            return f"Redis at {target} has no database {target.db} (DB index is out of range)"
        return f"Redis at {target} answered with an error: {_scrub(text, target)}"
    return f"Redis at {target}: {type(exc).__name__}: {_scrub(text, target)}"


def _scrub(text: str, target: Target) -> str:
    """Error texts from redis-py can quote the URL; keep only the first line and drop anything after '@'."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    if "@" in line:
        line = line.split("@", 1)[1]
    return line


REDIS_ERRORS = (redis.RedisError, OSError)
