"""Connecting to Redis: a checked URL (RedisEndpoint, safe to print) and a client that fails fast."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from swarmtui.queue.errors import QueueError

DEFAULT_URL = "redis://localhost:6379/0"


@dataclass(frozen=True)
class RedisEndpoint:
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
        return " ".join(parts + [shlex.quote(a) for a in args])


def parse_url(url: str | None) -> RedisEndpoint:
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
    return RedisEndpoint(
        host=parts.hostname,
        port=port,
        db=int(path or 0),
        tls=parts.scheme == "rediss",
        has_password=bool(parts.password and unquote(parts.password)),
    )


def connect(url: str | None, timeout: float = 2.0) -> tuple[redis.Redis, RedisEndpoint]:
    """A client that fails fast (no retries, short timeouts) so a refresh never hangs the poller.

    redis-py reconnects by itself on the next command once the server is back.
    """
    endpoint = parse_url(url)
    client = redis.Redis.from_url(
        url or DEFAULT_URL,
        decode_responses=True,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
    )
    return client, endpoint
