"""Text helpers shared by the pane and the CLI: sparklines, rates and durations (pure)."""

from __future__ import annotations

import humanize

BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: tuple[int, ...] | list[int], width: int = 20) -> str:
    """The last values as unicode blocks, one per column (each column the max of its bucket).

    Scaled between the smallest and largest value shown, so a slow drain of a deep queue is still
    visible; a flat line sits at the floor when empty and mid-height otherwise.
    """
    if not values:
        return ""
    values = list(values)
    if len(values) > width:
        size = len(values) / width
        values = [max(values[int(i * size) : max(int((i + 1) * size), int(i * size) + 1)]) for i in range(width)]
    lo, hi = min(values), max(values)
    if hi == lo:
        return (BLOCKS[0] if hi <= 0 else BLOCKS[3]) * len(values)
    top = len(BLOCKS) - 1
    return "".join(BLOCKS[round((v - lo) / (hi - lo) * top)] for v in values)

def fmt_rate(rate: float | None) -> str:
    if rate is None:
        return "…"
    if rate == 0:
        return "0/s"
    if rate < 0.1:
        return f"{rate * 60:.1f}/min"
    if rate < 10:
        return f"{rate:.1f}/s"
    return f"{humanize.intcomma(round(rate))}/s"


def fmt_duration(seconds: float | None, empty: str = "empty") -> str:
    """Compact: '45s', '12m 30s', '3h 5m', '2d 4h'; None -> 'never' (not shrinking)."""
    if seconds is None:
        return "never"
    if seconds <= 0:
        return empty
    s = round(seconds)
    if s < 60:
        return f"{max(s, 1)}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    if s < 86400 * 365:
        return f"{s // 86400}d {s % 86400 // 3600}h"
    return humanize.naturaldelta(s)


def fmt_count(n: int | None) -> str:
    return "—" if n is None else humanize.intcomma(n)
