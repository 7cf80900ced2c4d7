"""Reading depths: globs resolved with SCAN, then one pipelined round trip for every watched key.

Types are cached between refreshes. Each refresh sends, in a single pipeline, TYPE for every
key followed by the depth commands for the type it had last time (LLEN / ZCARD / SCARD / HLEN, or
XINFO STREAM + XINFO GROUPS for streams). Only keys whose type changed (or are new) need a
second, small round trip. Globs cost one SCAN cursor walk each (COUNT 1000), never KEYS.
"""

from __future__ import annotations

from typing import Iterable

import redis

from swarmtui.queue.models import DEPTH_COMMANDS, Sample, SpiderLayout

GLOB_CHARS = frozenset("*?[")



def is_glob(pattern: str) -> bool:
    return any(c in GLOB_CHARS for c in pattern)


def resolve(client: redis.Redis, patterns: Iterable[str], scan_count: int = 1000) -> list[tuple[str, str]]:
    """(key, pattern it came from) for every watched entry, in watch order, without duplicates.

    An exact name is kept even when the key does not exist yet (an empty queue is still a queue);
    a glob yields the keys that exist now, sorted.
    """
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for pattern in patterns:
        keys = sorted(set(client.scan_iter(match=pattern, count=scan_count))) if is_glob(pattern) else [pattern]
        for key in keys:
            if key not in seen:
                seen.add(key)
                out.append((key, pattern))
    return out


def _queue_commands(pipe, key: str, kind: str | None) -> int:
    """Queue the depth commands for `key` of type `kind`; return how many were queued."""
    if kind == "stream":
        pipe.xinfo_stream(key)
        pipe.xinfo_groups(key)
        return 2
    if kind in DEPTH_COMMANDS:
        pipe.execute_command(DEPTH_COMMANDS[kind], key)
        return 1
    return 0


def _alive_key(key: str) -> str | None:
    split = SpiderLayout.split_processing(key)
    return SpiderLayout(split[0]).alive(split[1]) if split else None


class Prober:
    """Reads raw samples for a set of keys; keeps each key's type between calls."""

    def __init__(self, client: redis.Redis):
        self.client = client
        self.types: dict[str, str] = {}
        self.round_trips = 0  # for tests and the bench: pipelines sent by the last read()

    def forget(self) -> None:
        """Drop cached types (after a reconnect the server may hold different data)."""
        self.types.clear()

    def read(self, keys: list[str]) -> dict[str, Sample]:
        self.round_trips = 0
        results: dict[str, Sample] = {}
        todo = list(keys)
        for _attempt in range(3):  # a key can change type between our TYPE and its depth read
            if not todo:
                break
            pipe = self.client.pipeline(transaction=False)
            plan = []
            for key in todo:
                guess = self.types.get(key)
                pipe.type(key)
                alive = _alive_key(key)
                if alive:
                    pipe.exists(alive)
                plan.append((key, guess, bool(alive), _queue_commands(pipe, key, guess)))
            replies = pipe.execute(raise_on_error=False)
            self.round_trips += 1
            todo = []
            pos = 0
            for key, guess, has_alive, n in plan:
                kind = replies[pos]
                pos += 1
                alive = replies[pos] if has_alive else None
                pos += 1 if has_alive else 0
                answers = replies[pos : pos + n]
                pos += n
                if isinstance(kind, Exception):
                    raise kind
                self.types[key] = kind
                if kind != guess and kind in DEPTH_COMMANDS:
                    todo.append(key)  # read its depth with the right commands next round
                    continue
                if any(isinstance(a, Exception) for a in answers):
                    self.types.pop(key, None)
                    todo.append(key)
                    continue
                results[key] = _sample(key, kind, answers, alive)
        for key in todo:  # still changing type under us: report what we know
            results[key] = Sample(key=key, type=self.types.get(key, "none"), depth=0)
        return {key: results[key] for key in keys}


def _sample(key: str, kind: str, answers: list, alive) -> Sample:
    if kind == "stream":
        info, groups = answers
        pending = sum(int(g.get("pending") or 0) for g in groups)
        reads = [g.get("entries-read") for g in groups]
        lags = [g.get("lag") for g in groups]
        return Sample(
            key=key,
            type=kind,
            depth=int(info.get("length") or 0),
            in_flight=pending if groups else None,
            added=_int(info.get("entries-added")),
            consumed=max((int(r) for r in reads if r is not None), default=None) if groups else None,
            consumers=sum(int(g.get("consumers") or 0) for g in groups),
            backlog=max((int(x) for x in lags if x is not None), default=None) if groups else None,
        )
    depth = int(answers[0]) if answers else 0
    orphaned = depth if (alive is not None and not alive and kind == "list") else 0
    return Sample(key=key, type=kind, depth=depth, orphaned=orphaned)


def _int(value) -> int | None:
    return None if value is None else int(value)


def fold(samples: list[Sample]) -> tuple[list[Sample], int]:
    """Count each queue's processing lists into its in_flight and its results list into completed.

    A processing list `Q:processing:R` whose queue `Q` is also watched disappears as a row and adds
    its length to Q's in_flight (and to Q's orphaned when replica R has no alive key). A watched
    `Q:results` list becomes Q's `completed` counter but stays a row of its own.
    Returns (rows, number of folded processing lists).
    """
    by_key = {s.key: s for s in samples}
    children: dict[str, list[Sample]] = {}
    for s in samples:
        split = SpiderLayout.split_processing(s.key)
        if split and split[0] in by_key and by_key[split[0]].type in ("list", "none"):
            children.setdefault(split[0], []).append(s)
    folded = {c.key for group in children.values() for c in group}
    rows = []
    for s in samples:
        if s.key in folded:
            continue
        if s.type in ("list", "none") and (s.key in children or f"{s.key}:results" in by_key):
            kids = children.get(s.key, [])
            results = by_key.get(SpiderLayout(s.key).results)
            s = Sample(
                key=s.key,
                type=s.type,
                depth=s.depth,
                in_flight=sum(c.depth for c in kids),
                completed=results.depth if results is not None and results.type in ("list", "none") else None,
                consumers=len(kids),
                orphaned=sum(c.orphaned for c in kids),
            )
        rows.append(s)
    return rows, len(folded)
