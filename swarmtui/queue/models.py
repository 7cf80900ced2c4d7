"""Plain data the queue layer hands to the UI and the CLI (no Redis, no Textual)."""

from __future__ import annotations

from dataclasses import dataclass


# A service label naming the Redis key the service consumes (the queue pane, alerts and autoscaling read it).
QUEUE_LABEL = "swarmtui.queue"

# The command that gives a key's depth, by TYPE (streams: XLEN, plus XINFO in probe.py).
DEPTH_COMMANDS = {"list": "LLEN", "zset": "ZCARD", "set": "SCARD", "stream": "XLEN", "hash": "HLEN"}


@dataclass(frozen=True)
class SpiderLayout:
    """Key names of the sample spider's reliable queue, all derived from one prefix.

    queue      PREFIX                       the list the replicas BLMOVE from (LEFT)
    processing PREFIX:processing:<replica>  items a replica is working on
    alive      PREFIX:alive:<replica>       heartbeat (SET ... EX 15); gone = consumer gone
    results    PREFIX:results               one entry appended per finished item
    """

    prefix: str = "example:swarm:spider"

    @property
    def queue(self) -> str:
        return self.prefix

    @property
    def results(self) -> str:
        return f"{self.prefix}:results"

    @property
    def processing_glob(self) -> str:
        return f"{self.prefix}:processing:*"

    def processing(self, replica: str) -> str:
        return f"{self.prefix}:processing:{replica}"

    def alive(self, replica: str) -> str:
        return f"{self.prefix}:alive:{replica}"

    @staticmethod
    def split_processing(key: str) -> tuple[str, str] | None:
        """'P:processing:R' -> (P, R); None for any other key."""
        prefix, sep, replica = key.rpartition(":processing:")
        return (prefix, replica) if sep and prefix and replica else None


@dataclass(frozen=True)
class Sample:
    """What one refresh read for one key (raw counts, no rates)."""

    key: str
    type: str  # list, zset, set, stream, hash, string, none
    depth: int  # LLEN / ZCARD / SCARD / XLEN / HLEN; 0 for a missing key
    in_flight: int | None = None  # processing lists' lengths, or a stream's pending entries
    completed: int | None = None  # a counter of finished items (results list length)
    added: int | None = None  # a counter of items ever added (a stream's entries-added)
    consumed: int | None = None  # a counter of items ever handed out (a group's entries-read)
    consumers: int = 0  # processing lists / stream consumers seen
    orphaned: int = 0  # items in processing lists whose replica has no alive key
    backlog: int | None = None  # items still to hand out when that differs from depth (a stream group's lag)


@dataclass(frozen=True)
class KeyStats:
    """One row of the queue pane."""

    key: str
    type: str
    depth: int
    in_flight: int | None
    rate_in: float | None  # items/s over the window; None until two samples
    rate_out: float | None
    eta: float | None  # seconds until depth reaches 0 at the current rates; None = not draining
    method: str  # how the rates were obtained: "counters" or "net" (see rates.py)
    history: tuple[int, ...] = ()  # depth, oldest first, for the sparkline
    consumers: int = 0
    orphaned: int = 0
    backlog: int | None = None  # what the eta counts down when it differs from depth (streams: group lag)
    pattern: str = ""  # the watched entry this key came from (a name or a glob)
    service: str | None = None  # the swarm service this queue feeds, if linked

    @property
    def draining(self) -> bool:
        return self.eta is not None


@dataclass(frozen=True)
class QueueSnapshot:
    """Everything the pane shows after one refresh."""

    taken_at: float  # time.time()
    keys: tuple[KeyStats, ...] = ()
    error: str | None = None  # one line when Redis is unreachable; keys then hold the last good rows
    server: str = ""  # "127.0.0.1:7891 db 0", no password
    watched: tuple[str, ...] = ()
    elapsed_ms: float = 0.0
    folded: int = 0  # processing lists counted into their queue's in_flight instead of shown as rows

    def get(self, key: str) -> KeyStats | None:
        return next((k for k in self.keys if k.key == key), None)
