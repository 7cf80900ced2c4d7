"""Changing the queue: push items, purge a key, requeue work whose replica is gone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import redis

from swarmtui.queue.models import DEPTH_COMMANDS, SpiderLayout

PUSH_CHUNK = 1000

# Atomically: if the replica's alive key is absent, move every item of its processing list back to
# the head of the queue (where BLMOVE ... LEFT takes the next item), oldest first. Returns the
# number moved, or -1 when the replica turned out to be alive.
_REQUEUE = """
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local n = 0
while redis.call('LMOVE', KEYS[1], KEYS[3], 'RIGHT', 'LEFT') do n = n + 1 end
return n
"""


@dataclass(frozen=True)
class PushResult:
    key: str
    type: str
    pushed: int
    depth: int


@dataclass(frozen=True)
class RequeueResult:
    queue: str
    moved: int  # items put back on the queue
    lists: tuple[str, ...]  # processing lists emptied
    alive: int  # processing lists left alone because their replica is alive


def read_items(lines: Iterable[str]) -> list[str]:
    """One item per line; trailing newline and surrounding blank lines dropped, blank lines skipped."""
    return [line.rstrip("\r\n") for line in lines if line.strip()]


def items_from_file(path: str | Path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return read_items(fh)


def depth(client: redis.Redis, key: str, kind: str | None = None) -> int:
    kind = kind or client.type(key)
    cmd = DEPTH_COMMANDS.get(kind)
    return int(client.execute_command(cmd, key)) if cmd else 0


def push(client: redis.Redis, key: str, items: list[str], stream_field: str = "data") -> PushResult:
    """Add items the way the key's type expects: RPUSH for a list (a missing key becomes a list),
    ZADD score 0 for a zset, SADD for a set, XADD field=item for a stream."""
    kind = client.type(key)
    if kind not in ("none", "list", "zset", "set", "stream"):
        raise ValueError(f"{key} is a {kind}; items can be pushed to a list, zset, set or stream")
    for start in range(0, len(items), PUSH_CHUNK):
        chunk = items[start : start + PUSH_CHUNK]
        if kind in ("none", "list"):
            client.rpush(key, *chunk)
        elif kind == "zset":
            client.zadd(key, {item: 0 for item in chunk})
        elif kind == "set":
            client.sadd(key, *chunk)
        else:
            pipe = client.pipeline(transaction=False)
            for item in chunk:
                pipe.xadd(key, {stream_field: item})
            pipe.execute()
    kind = "list" if kind == "none" else kind
    return PushResult(key, kind, len(items), depth(client, key, kind))


def purge(client: redis.Redis, key: str) -> int:
    """Delete the key; return how many items it held at that moment (counted in the same transaction)."""
    kind = client.type(key)
    pipe = client.pipeline(transaction=True)
    cmd = DEPTH_COMMANDS.get(kind)
    if cmd:
        pipe.execute_command(cmd, key)
    pipe.delete(key)
    replies = pipe.execute()
    return int(replies[0]) if cmd else 0


def orphans(client: redis.Redis, layout: SpiderLayout) -> list[tuple[str, int]]:
    """Processing lists of `layout` whose replica has no alive key, with their lengths."""
    out = []
    for key in sorted(client.scan_iter(match=layout.processing_glob, count=1000)):
        split = SpiderLayout.split_processing(key)
        if split and split[0] == layout.prefix and not client.exists(layout.alive(split[1])):
            out.append((key, client.llen(key)))
    return out


def requeue(client: redis.Redis, layout: SpiderLayout) -> RequeueResult:
    """Put items of gone replicas back at the head of the queue; atomic per processing list."""
    script = client.register_script(_REQUEUE)
    moved, emptied, alive = 0, [], 0
    for key in sorted(client.scan_iter(match=layout.processing_glob, count=1000)):
        split = SpiderLayout.split_processing(key)
        if not split or split[0] != layout.prefix:
            continue
        n = int(script(keys=[key, layout.alive(split[1]), layout.queue]))
        if n < 0:
            alive += 1
        else:
            moved += n
            emptied.append(key)
    return RequeueResult(layout.queue, moved, tuple(emptied), alive)
