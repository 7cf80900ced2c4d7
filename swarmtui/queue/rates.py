"""Rates in and out and time to drain, from successive samples of one key (pure, no I/O).

Depth alone only gives the *net* change: 100 pushed and 90 taken in a second look like +10.
So each key's rate uses the best counters it has:

* streams: `entries-added` (XINFO STREAM) counts every item ever added -> rate in;
  the largest `entries-read` of its consumer groups counts items handed out -> rate out.
* the sample spider's list `Q` with a watched `Q:results` list: every item is either still in
  `Q` (depth), in a processing list (in_flight) or finished (completed = LLEN Q:results), so per
  step  out = d(in_flight) + d(completed)  and  in = d(depth) + out.
* anything else (plain lists, scrapy-redis zsets, sets): "net" -- rises count as in, falls as out.
  Marked as such in the pane, since simultaneous pushes and pops cancel out.

Each step's amount is clamped at zero (a purge, a trimmed results list or a restart does not count
as negative traffic). A rate is the sum of the step amounts inside the window divided by the time
the window's samples span. Time to drain = backlog / (out - in) when that is positive.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from swarmtui.queue.models import Sample


@dataclass(frozen=True)
class Point:
    t: float
    depth: int
    in_flight: int | None = None
    completed: int | None = None
    added: int | None = None
    consumed: int | None = None
    backlog: int | None = None

    @classmethod
    def of(cls, t: float, s: Sample) -> "Point":
        return cls(t, s.depth, s.in_flight, s.completed, s.added, s.consumed, s.backlog)


def method_of(p: Point) -> str:
    if p.added is not None and p.consumed is not None:
        return "counters"
    if p.completed is not None:
        return "counters"
    return "net"


def step(a: Point, b: Point) -> tuple[float, float]:
    """Items in and items out between two consecutive samples (each >= 0)."""
    if a.added is not None and b.added is not None and a.consumed is not None and b.consumed is not None:
        return max(b.added - a.added, 0), max(b.consumed - a.consumed, 0)
    if a.completed is not None and b.completed is not None:
        out = (b.completed - a.completed) + ((b.in_flight or 0) - (a.in_flight or 0))
        into = (b.depth - a.depth) + out
        return max(into, 0), max(out, 0)
    delta = b.depth - a.depth
    return max(delta, 0), max(-delta, 0)


def rates(points: list[Point] | tuple[Point, ...]) -> tuple[float | None, float | None]:
    """(in, out) in items per second over the given samples, oldest first; None with fewer than 2."""
    if len(points) < 2 or points[-1].t <= points[0].t:
        return None, None
    total_in = total_out = 0.0
    for a, b in zip(points, points[1:]):
        i, o = step(a, b)
        total_in += i
        total_out += o
    span = points[-1].t - points[0].t
    return total_in / span, total_out / span


def time_to_drain(backlog: int, rate_in: float | None, rate_out: float | None) -> float | None:
    """Seconds until the backlog is gone at the current rates: 0 when empty, None when not shrinking."""
    if backlog <= 0:
        return 0.0
    if rate_in is None or rate_out is None:
        return None
    net = rate_out - rate_in
    return backlog / net if net > 1e-9 else None


class RateWindow:
    """Samples of one key: the last `window` seconds for rates, `history` seconds for the sparkline."""

    def __init__(self, window: float = 30.0, history: float = 300.0):
        self.window = window
        self.history = history
        self.points: deque[Point] = deque()

    def add(self, point: Point) -> None:
        if self.points and method_of(self.points[-1]) != method_of(point):
            self.points.clear()  # the key changed shape (type or counters appeared): start over
        self.points.append(point)
        while self.points and self.points[0].t < point.t - self.history:
            self.points.popleft()

    def recent(self) -> list[Point]:
        if not self.points:
            return []
        start = self.points[-1].t - self.window
        return [p for p in self.points if p.t >= start]

    def rates(self) -> tuple[float | None, float | None]:
        return rates(self.recent())

    def depths(self) -> tuple[int, ...]:
        return tuple(p.depth for p in self.points)
