"""The logs pane: interleaved lines of every replica, attributed, coloured, searchable, bounded.

No Docker here.  Lines arrive as `LogBatch` messages (from a stream's thread through
`post_message`, or from anything else); each line is any object with the attributes of
`swarmtui.cluster.models.LogLine` (task_id, service, slot, node, timestamp, text).  When the app
gives the pane a `stream_factory`, `follow_scope(scope)` (a service, a task, a node, every service)
closes the old stream and opens a new one; `s` steps the since window (1m, 5m, 15m, 1h, all),
`T` the tail count: either reopens the stream of the same scope with that history.

The view renders only the rows on screen (Line API, `render_line`) from a bounded list of lines,
with an LRU cache of rendered rows, so 50,000 lines cost what the visible 40 cost.
"""

from __future__ import annotations

import bisect
import operator
import re
import threading
import zlib
from datetime import datetime
from pathlib import Path
from time import monotonic
from collections.abc import Sequence
from typing import Any, Callable, Protocol

from rich.cells import cell_len
from rich.text import Text
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from swarmtui.cluster.models import LogLine
from swarmtui.ui.actions import bindings
from swarmtui.ui.log_scope import ALL, SINCE_WORDS, LogScope, next_since
from swarmtui.ui.screens.log_dialogs import SaveDialog, TailDialog
from swarmtui.ui.widgets.lifecycle import while_composed

DEFAULT_MAX_LINES = 50_000
ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
PALETTE = (
    "#5fafff", "#ffaf5f", "#87d787", "#ff87af", "#d7af5f", "#af87ff", "#5fd7d7", "#ff875f",
    "#afd75f", "#d787d7", "#87afd7", "#d7d787", "#5fd787", "#ff5f87", "#87d7ff", "#d7875f",
)


def _label(service: str, slot: int | None, node: str) -> str:
    return f"{service}@{node}" if slot is None else f"{service}.{slot}@{node}"


def _colour(service: str, slot: int | None, node: str) -> str:
    key = f"{service}.{slot if slot is not None else node}"
    return PALETTE[zlib.crc32(key.encode()) % len(PALETTE)]


def replica_label(line: Any) -> str:
    """`service.slot@node`, or `service@node` for a global service's task."""
    return _label(line.service, line.slot, line.node)


def replica_colour(line: Any) -> str:
    """The same replica (service + slot, or + node when global) always gets the same colour."""
    return _colour(line.service, line.slot, line.node)


# The view keeps each line as a plain tuple (task_id, service, slot, node, timestamp, text): the
# garbage collector stops tracking a tuple of strings and ints once it survives a young collection,
# so the 50,000 kept lines are never walked by a full collection.  Kept as objects, every line of a
# fast stream lived long enough to reach the oldest generation, and a full collection (~160 ms of
# CPU, every thread held) came every ~2 s: the key-latency tail (bench/logs_replay.py counts them).
_as_kept = operator.attrgetter(*LogLine.__slots__)  # the fields in their order
SERVICE, SLOT, NODE, STAMP, TEXT = 1, 2, 3, 4, 5


class KeptLines(Sequence):
    """`LogView.lines`: the kept tuples, read as LogLines again (oldest first)."""

    def __init__(self, kept: list[tuple]) -> None:
        self._kept = kept

    def __len__(self) -> int:
        return len(self._kept)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [LogLine(*t) for t in self._kept[index]]
        return LogLine(*self._kept[index])


def strip_ansi(text: str) -> str:
    """Text without ANSI escape sequences (what the user sees, what filters and saves use)."""
    return ANSI_RE.sub("", text) if "\x1b" in text else text


def compile_filter(pattern: str) -> Callable[[str], bool] | None:
    """`re:REGEX` → a regex search; anything else → a case-insensitive substring test
    (case-sensitive when the pattern has capitals).  Empty → None.  A bad regex raises re.error."""
    if not pattern:
        return None
    if pattern.startswith("re:"):
        return re.compile(pattern[3:]).search  # type: ignore[return-value]
    if pattern.lower() == pattern:
        return lambda s, p=pattern: p in s.lower()
    return lambda s, p=pattern: p in s


class LogBatch(Message, bubble=False):
    """Lines for the pane. `generation` ties a batch to the stream that made it (stale ones are
    dropped after a switch); None: always accepted (tests, other producers)."""

    def __init__(self, lines: Sequence[LogLine], generation: int | None = None) -> None:
        super().__init__()
        self.lines = lines
        self.generation = generation


class Stream(Protocol):
    def close(self) -> None: ...


# (scope, tail, since seconds or None, on_batch) -> a started stream
StreamFactory = Callable[[LogScope, "int | str", "int | None", Callable[[list], "bool | None"]], Stream]
SINCE_SETTLE = 0.4  # seconds `s` must rest before the stream reopens (stepping 1m → 1h is 3 presses)
FLUSH_EVERY = 1 / 30  # seconds: at most one append (and repaint) of the view per frame while lines pour in
LOGS_SHARE = 1 / 3  # at most this share of the UI thread's time goes to appending and drawing log lines


class LogView(ScrollView, can_focus=True):
    """The virtual list of rows. Owned by LogsPane, which feeds it."""

    DEFAULT_CSS = """
    LogView { background: $surface; color: $foreground; overflow-y: scroll; overflow-x: auto; scrollbar-size-vertical: 1; }
    """

    def __init__(self, max_lines: int = DEFAULT_MAX_LINES, **kwargs) -> None:
        super().__init__(**kwargs)
        self.max_lines = max_lines
        self._kept: list[tuple] = []  # the buffer, oldest first (tuples: see _as_kept)
        self.first_seq = 0  # sequence number of lines[0]
        self.matching: list[int] = []  # seqs of lines the filter lets through
        self.rows: list[tuple[int, int]] = []  # (seq, wrapped row) per screen row
        self.show_timestamps = False
        self.wrap = False
        self.follow = True
        self.matcher: Callable[[str], bool] | None = None
        self.highlight: re.Pattern | None = None
        self.current: int | None = None  # seq of the current match (n/N)
        self.pad = 0  # width of the replica column
        self.one_service = False  # the pane title names the service: the replica column leaves it out
        self.max_width = 0
        self._cache: LRUCache[int, list[Strip]] = LRUCache(2048)
        self.drawing = 0.0  # seconds spent drawing rows since the pane last read it (its share of the UI thread)
        self.rendered = 0  # rows rendered (not from the cache): what a frame cost, counted

    # ---- buffer -------------------------------------------------------------------------
    @property
    def lines(self) -> KeptLines:
        return KeptLines(self._kept)

    def line(self, seq: int) -> LogLine:
        return LogLine(*self._kept[seq - self.first_seq])

    def _line(self, seq: int) -> tuple:
        return self._kept[seq - self.first_seq]

    def label_text(self, line: tuple) -> str:
        """`spider.2@node`; `.2@node` while one service or task is followed (160 columns then keep 140 for the text)."""
        label = _label(line[SERVICE], line[SLOT], line[NODE])
        return label[len(line[SERVICE]):] if self.one_service else label

    def row_text(self, line: tuple) -> str:
        """The row as plain text: [time] replica text."""
        label = self.label_text(line).ljust(self.pad)
        stamp = f"{line[STAMP][11:23]} " if self.show_timestamps else ""
        return f"{stamp}{label} {strip_ansi(line[TEXT])}"

    def matches(self, line: tuple) -> bool:
        return self.matcher is None or self.matcher(f"{_label(line[SERVICE], line[SLOT], line[NODE])} {strip_ansi(line[TEXT])}")

    def _rows_of(self, seq: int, line: tuple, width: int) -> list[tuple[int, int]]:
        if not self.wrap:
            return [(seq, 0)]
        length = self._row_length(line)
        return [(seq, i) for i in range(max(1, -(-length // max(width, 1))))]

    def _row_length(self, line: tuple) -> int:
        """cell_len(row_text(line)), tabs expanded; counted without making the row for plain ASCII text
        (most crawler lines): wrapping measured each appended line's whole row (~4 us a line)."""
        text = line[TEXT]
        if text.isascii() and "\t" not in text and "\x1b" not in text:
            stamp = len(line[STAMP][11:23]) + 1 if self.show_timestamps else 0
            return stamp + max(self.pad, len(self.label_text(line))) + 1 + len(text)
        return cell_len(self.row_text(line).expandtabs(8))

    def append(self, lines: Sequence[Any]) -> int:
        """Add lines; returns how many of them pass the filter."""
        if not lines:
            return 0
        seq = self.first_seq + len(self._kept)
        lines = list(map(_as_kept, lines))
        self._kept.extend(lines)
        pad = self.pad
        for line in lines:
            n = len(self.label_text(line))
            if n > pad:
                pad = min(n, 48)
        width = self._wrap_width
        shown = 0
        if pad != self.pad:
            self.pad = pad
            self._cache.clear()
            if self.wrap:
                self.max_width = 0
                self._rebuild_rows()
        rows = self.rows
        visible = self.matching
        for offset, line in enumerate(lines):
            if self.matcher is None or self.matches(line):
                visible.append(seq + offset)
                rows.extend(self._rows_of(seq + offset, line, width))
                shown += 1
                if not self.wrap:
                    self.max_width = max(self.max_width, self._width_of(line))
        self._evict()
        self._update_virtual_size()
        return shown

    def _evict(self) -> None:
        over = len(self._kept) - self.max_lines
        if over <= 0:
            return
        del self._kept[:over]
        self.first_seq += over
        cut = bisect.bisect_left(self.matching, self.first_seq)
        del self.matching[:cut]
        row_cut = bisect.bisect_left(self.rows, (self.first_seq, 0))
        del self.rows[:row_cut]
        if self.current is not None and self.current < self.first_seq:
            self.current = None
        if not self.follow and row_cut:
            # Hold the view still: the rows under it moved up by row_cut.
            self.set_scroll(self.scroll_x, max(0, self.scroll_y - row_cut))
        # The render cache is keyed by sequence number, which eviction does not change: rows still on
        # screen are not rendered again (clearing it here re-rendered every row after each append).

    def clear_lines(self) -> None:
        self.first_seq += len(self._kept)
        self._kept.clear()
        self.matching.clear()
        self.rows.clear()
        self.current = None
        self.max_width = 0
        self.pad = 0
        self._cache.clear()
        self._update_virtual_size()
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    def refilter(self) -> None:
        self.matching = [self.first_seq + i for i, line in enumerate(self._kept) if self.matches(line)]
        if self.current is not None and self.current not in set(self.matching):
            self.current = None
        self._rebuild_rows()

    def _rebuild_rows(self) -> None:
        width = self._wrap_width
        rows: list[tuple[int, int]] = []
        if self.wrap:
            for seq in self.matching:
                rows.extend(self._rows_of(seq, self._line(seq), width))
        else:
            rows = [(seq, 0) for seq in self.matching]
            self.max_width = max((self._width_of(self._line(s)) for s in self.matching), default=0)
        self.rows = rows
        self._cache.clear()
        self._update_virtual_size()
        self.refresh()

    @property
    def _wrap_width(self) -> int:
        return max(10, self.scrollable_content_region.width or self.size.width or 80)

    def _width_of(self, line: tuple) -> int:
        """Columns a row takes unwrapped: [time ]label text (no slack: a line that fits scrolls nothing)."""
        return (13 if self.show_timestamps else 0) + self.pad + 1 + len(line[TEXT].expandtabs(8))

    def _update_virtual_size(self) -> None:
        width = self._wrap_width if self.wrap else max(self.max_width, 1)
        self.virtual_size = Size(width, len(self.rows))

    def on_resize(self) -> None:
        if self.wrap:
            self._rebuild_rows()

    def set_flags(self, **flags) -> None:
        for key, value in flags.items():
            setattr(self, key, value)
        if set(flags) == {"show_timestamps"} and not self.wrap:
            # unwrapped, a row is a line either way: only how rows are drawn changes (rebuilding the
            # rows of a 50,000-line buffer made `t` wait ~30-100 ms, more while lines stream in)
            self._cache.clear()
            self.refresh()
            return
        self._rebuild_rows()

    def scroll_to_seq(self, seq: int) -> None:
        index = bisect.bisect_left(self.rows, (seq, 0))
        self.scroll_to(y=max(0, index - self.scrollable_content_region.height // 2), animate=False)
        self._cache.clear()
        self.refresh()

    def follow_end(self) -> None:
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    # ---- keys and wheel: scrolling back pauses following, `end` resumes it ----------------
    def _pane(self) -> "LogsPane | None":
        return self.parent if isinstance(self.parent, LogsPane) else None

    def _pause(self) -> None:
        pane = self._pane()
        if pane is not None and pane.follow:
            pane.follow = False

    def action_scroll_end(self) -> None:
        pane = self._pane()
        if pane is not None:
            pane.action_newest()
        else:
            super().action_scroll_end()

    def action_scroll_up(self) -> None:
        self._pause()
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self._pause()
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self._pause()
        super().action_scroll_home()

    def on_mouse_scroll_up(self, event) -> None:
        self._pause()  # Widget's own handler still scrolls (Textual calls both)

    # ---- rendering ----------------------------------------------------------------------
    def _render_strips(self, seq: int) -> list[Strip]:
        cached = self._cache.get(seq)
        if cached is not None:
            return cached
        self.rendered += 1
        line = self._line(seq)
        text = Text(no_wrap=True, end="")
        if self.show_timestamps:
            text.append(f"{line[STAMP][11:23]} ", style="dim")
        text.append(self.label_text(line).ljust(self.pad), style=_colour(line[SERVICE], line[SLOT], line[NODE]))
        text.append(" ")
        body = line[TEXT].expandtabs(8)
        text.append_text(Text.from_ansi(body, end="") if "\x1b" in body else Text(body, end=""))
        if self.highlight is not None:
            text.highlight_regex(self.highlight, style="black on #d7af00")
        if seq == self.current:
            text.stylize("reverse")
        segments = list(text.render(self.app.console))
        strip = Strip(segments).simplify()
        if self.wrap:
            width = self._wrap_width
            length = strip.cell_length
            strips = list(strip.divide([*range(width, length, width), length])) if length > width else [strip]
        else:
            strips = [strip]
        self._cache[seq] = strips
        return strips

    def render_lines(self, crop):
        started = monotonic()
        try:
            return super().render_lines(crop)
        finally:
            self.drawing += monotonic() - started

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, style)
        seq, sub = self.rows[index]
        strips = self._render_strips(seq)
        strip = strips[sub] if sub < len(strips) else Strip.blank(width, style)
        if self.wrap:
            return strip.crop_extend(0, width, style).apply_offsets(0, index)
        return strip.crop_extend(scroll_x, scroll_x + width, style).apply_offsets(scroll_x, index)


class LogsPane(Vertical):
    """Logs of one service's replicas (or all services), with follow, filter, search, save."""

    ALLOW_MAXIMIZE = True  # `z` zooms the whole pane, not just its inner table

    DEFAULT_CSS = """
    LogsPane { height: 1fr; border: round $primary-darken-2; }
    LogsPane:focus-within { border: round $accent; }
    LogsPane > LogView { height: 1fr; }
    LogsPane > #logs-status { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    LogsPane > #logs-filter { display: none; height: 3; }
    LogsPane > #logs-filter.shown { display: block; }
    """

    BINDINGS = bindings("logs")

    follow: reactive[bool] = reactive(True, init=False)

    class TailChanged(Message):
        """The user chose a new tail N (the pane restarts its own stream when it has a factory)."""

        def __init__(self, tail: int | str) -> None:
            super().__init__()
            self.tail = tail

    class Saved(Message):
        def __init__(self, path: Path, count: int) -> None:
            super().__init__()
            self.path = path
            self.count = count

    def __init__(
        self,
        *,
        max_lines: int = DEFAULT_MAX_LINES,
        stream_factory: StreamFactory | None = None,
        tail: int | str = 100,
        save_dir: Path | None = None,
        max_inflight: int = 4,
        id: str | None = "logs",
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.max_lines = max_lines
        self.stream_factory = stream_factory
        self.tail = tail
        self.save_dir = save_dir or Path.home()
        self.max_inflight = max_inflight
        self.scope: LogScope = ALL
        self.since: int | None = None  # seconds back (the since selector); None: the tail count alone
        self._since_timer = None
        self.stream: Stream | None = None
        self.generation = 0
        self.new_since_pause = 0
        self.filter_text = ""
        self.filter_error = ""
        self.received = 0
        self._inflight = 0
        self._inflight_lock = threading.Lock()
        self._pending: list = []  # lines of batches that came within FLUSH_EVERY of the last append
        self._flush_timer = None
        self._next_flush = 0.0  # monotonic time before which lines wait in _pending

    def compose(self):
        yield LogView(self.max_lines, id="logs-view")
        yield Static("", id="logs-status")
        yield Input(placeholder="filter: substring (capitals = case-sensitive) or re:REGEX · Enter keeps · Escape closes",
                    id="logs-filter")

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self._title()
        self._update_status()

    @property
    def service_id(self) -> str | None:
        """The followed service (None when following every service, a task or a node)."""
        return self.scope.id if self.scope.kind == "service" else None

    @property
    def service_name(self) -> str:
        return self.scope.name

    def _title(self) -> None:
        since = f" · since {SINCE_WORDS.get(self.since, self.since)}" if self.since is not None else ""
        self.border_title = f"4 Logs · {self.scope.title}{since}"

    def on_unmount(self) -> None:
        self._close_stream()

    # ---- what to follow -----------------------------------------------------------------
    def follow_service(self, service_id: str | None, name: str | None = None) -> None:
        """Follow `service_id` (None: every service, or what `name` says, e.g. a stack)."""
        self.follow_scope(LogScope.service(service_id, name or service_id) if service_id else LogScope(name=name or ALL.name))

    def follow_scope(self, scope: LogScope) -> None:
        """Follow `scope`. Clears the pane; with a stream_factory, closes the old stream (off the
        UI thread) and opens the new one at once: lines of the old scope never reach the new."""
        self.scope = scope
        self._title()
        self.generation += 1
        self._close_stream()
        self.action_clear()
        self.view.one_service = scope.kind in ("service", "task")  # the title names the service
        if self.stream_factory is not None:
            generation = self.generation
            tail = self.tail if self.since is None else "all"  # a since window: all its lines
            self.stream = self.stream_factory(scope, tail, self.since, lambda lines: self._deliver(lines, generation))

    def _deliver(self, lines: list, generation: int) -> bool:
        """Called from the stream's thread: post one batch, or refuse it while the UI is behind."""
        with self._inflight_lock:
            if self._inflight >= self.max_inflight or generation != self.generation:
                return generation != self.generation  # a stale stream's lines are simply dropped
            self._inflight += 1
        self.post_message(LogBatch(lines, generation))
        return True

    def _close_stream(self) -> None:
        stream, self.stream = self.stream, None
        with self._inflight_lock:
            self._inflight = 0
        self._pending = []  # the old stream's lines, not shown yet
        if stream is not None:
            threading.Thread(target=stream.close, name="logs-close", daemon=True).start()

    # ---- lines in -----------------------------------------------------------------------
    @while_composed
    def on_log_batch(self, message: LogBatch) -> None:
        """Batches are merged into one append on a timer: at most one per FLUSH_EVERY, and the pane
        spends at most LOGS_SHARE of the UI thread's time appending and drawing lines (measured:
        the next append waits twice as long as the last append and the rows drawn since took).  At
        full speed the pane took the whole UI thread (an append and a frame every ~45 ms, most of it
        waiting for the GIL and the CPU) and a key waited behind them; now the loop is free two
        thirds of the time, and each append takes more lines at once (throughput is kept: an
        append's cost is per line, a frame's is per frame)."""
        if message.generation is not None:
            with self._inflight_lock:
                self._inflight = max(0, self._inflight - 1)
            if message.generation != self.generation:
                return
        self._pending.extend(message.lines)
        wait = self._next_flush - monotonic()
        if (wait <= 0 and self._flush_timer is None) or len(self._pending) >= self.view.max_lines:
            self._flush()
        elif self._flush_timer is None:
            self._flush_timer = self.set_timer(max(wait, 0.001), self._flush)

    def _flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        lines, self._pending = self._pending, []
        started = monotonic()
        if lines:
            self.add_lines(lines)
        view = self.view
        done = monotonic()
        busy, view.drawing = done - started + view.drawing, 0.0
        self._next_flush = done + max(FLUSH_EVERY, busy * (1 / LOGS_SHARE - 1))

    @while_composed
    def add_lines(self, lines: Sequence[Any]) -> None:
        view = self.view
        self.received += len(lines)
        shown = view.append(lines)
        if self.follow:
            view.follow_end()
        else:
            self.new_since_pause += shown
        view.refresh()
        self._update_status()

    # ---- status line ----------------------------------------------------------------------
    def _update_status(self) -> None:
        view = self.view
        parts = ["● follow" if self.follow else "‖ paused"]
        parts.append(f"{len(view.lines):,} lines")
        if self.filter_error:
            parts.append(f"filter error: {self.filter_error}")
        elif view.matcher is not None:
            where = ""
            if view.current is not None:
                where = f"{bisect.bisect_left(view.matching, view.current) + 1}/"
            parts.append(f"/{self.filter_text}/ {where}{len(view.matching):,} matching")
        if not self.follow and self.new_since_pause:
            parts.append(f"+{self.new_since_pause:,} new (f or end to follow)")
        if view.show_timestamps:
            parts.append("times")
        if view.wrap:
            parts.append("wrap")
        parts.append(f"tail {self.tail}" if self.since is None else f"since {SINCE_WORDS.get(self.since, self.since)}")
        # one row, always: no layout pass of the screen (it ran on every batch, ~13 a second)
        self.query_one("#logs-status", Static).update(" · ".join(parts), layout=False)

    @property
    def status_text(self) -> str:
        return str(self.query_one("#logs-status", Static).render())

    # ---- actions --------------------------------------------------------------------------
    def watch_follow(self, follow: bool) -> None:
        self.view.follow = follow
        if follow:
            self.new_since_pause = 0
            self.view.follow_end()
        self.view.refresh()
        self._update_status()

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow

    def action_toggle_timestamps(self) -> None:
        self.view.set_flags(show_timestamps=not self.view.show_timestamps)
        if self.follow:
            self.view.follow_end()
        self._update_status()

    def action_toggle_wrap(self) -> None:
        self.view.set_flags(wrap=not self.view.wrap)
        if self.follow:
            self.view.follow_end()
        self._update_status()

    def action_newest(self) -> None:
        self.follow = True
        self.view.follow_end()

    def action_clear(self) -> None:
        self.view.clear_lines()
        self.new_since_pause = 0
        self._update_status()

    def action_open_filter(self) -> None:
        box = self.query_one("#logs-filter", Input)
        box.add_class("shown")
        box.value = self.filter_text
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "logs-filter":
            event.stop()
            self.set_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "logs-filter":
            event.stop()
            self.set_filter(event.value)
            self._close_filter_box()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.query_one("#logs-filter", Input).has_focus:
            event.stop()
            self._close_filter_box()

    def _close_filter_box(self) -> None:
        box = self.query_one("#logs-filter", Input)
        box.remove_class("shown")
        self.view.focus()

    def set_filter(self, pattern: str) -> None:
        """Show only lines matching `pattern` (substring; `re:REGEX` for a regex; "" for all)."""
        view = self.view
        try:
            matcher = compile_filter(pattern)
        except re.error as exc:
            self.filter_error = str(exc)
            self._update_status()
            return
        self.filter_error = ""
        self.filter_text = pattern
        view.matcher = matcher
        if not pattern:
            view.highlight = None
        elif pattern.startswith("re:"):
            view.highlight = re.compile(pattern[3:])
        else:
            view.highlight = re.compile(re.escape(pattern), 0 if pattern != pattern.lower() else re.IGNORECASE)
        view.current = None
        view.refilter()
        if self.follow:
            view.follow_end()
        self._update_status()

    def _step_match(self, step: int) -> None:
        view = self.view
        if view.matcher is None or not view.matching:
            self.notify("No filter: press / to search", severity="warning", timeout=2)
            return
        if view.current is None:
            # Start from the top row on screen (n) or from the newest match (N).
            top = view.rows[min(int(view.scroll_y), len(view.rows) - 1)][0] if view.rows else 0
            index = bisect.bisect_left(view.matching, top) if step > 0 and not self.follow else len(view.matching) - 1
        else:
            index = bisect.bisect_left(view.matching, view.current) + step
        index = max(0, min(len(view.matching) - 1, index))
        self.follow = False
        view.current = view.matching[index]
        view.scroll_to_seq(view.current)
        self._update_status()

    def action_next_match(self) -> None:
        self._step_match(+1)

    def action_previous_match(self) -> None:
        self._step_match(-1)

    def default_save_path(self) -> Path:
        """`~/swarmtui-task-spider.2-lab-worker-1-since5m-20261201-211500.log`: the scope in the name."""
        return self.save_dir / f"swarmtui-{self.scope.slug(self.since)}-{datetime.now():%Y%m%d-%H%M%S}.log"

    def action_save(self) -> None:
        def done(path: str | None) -> None:
            if path:
                self.save(Path(path).expanduser())

        self.app.push_screen(SaveDialog(str(self.default_save_path())), done)

    def save(self, path: Path) -> int:
        """Write the whole buffer (every line, not just the filtered ones) as plain text."""
        view = self.view
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8") as out:
                for line in view._kept:
                    out.write(f"{line[STAMP]} {_label(line[SERVICE], line[SLOT], line[NODE])} {strip_ansi(line[TEXT])}\n")
        except OSError as exc:
            self.notify(f"Could not save {path}: {exc.strerror or exc}", severity="error")
            return 0
        self.notify(f"Saved {len(view.lines):,} lines to {path}", timeout=4)
        self.post_message(self.Saved(path, len(view.lines)))
        return len(view.lines)

    def action_choose_tail(self) -> None:
        def done(value: str | None) -> None:
            if value:
                self.set_tail(int(value) if value.isdigit() else value)

        self.app.push_screen(TailDialog(self.tail), done)

    def set_tail(self, tail: int | str) -> None:
        """Load the last `tail` lines per replica of the same scope (a count replaces a since window)."""
        self.tail = tail
        self.since = None
        self.post_message(self.TailChanged(tail))
        self._refollow()

    def action_next_since(self) -> None:
        """Step the since window: all → 1m → 5m → 15m → 1h → all; the stream reopens once `s` rests."""
        self.since = next_since(self.since)
        self._title()
        self._update_status()
        if self._since_timer is not None:
            self._since_timer.stop()
        self._since_timer = self.set_timer(SINCE_SETTLE, self._refollow)

    def set_since(self, since: int | None) -> None:
        self.since = since
        self._refollow()

    def _refollow(self) -> None:
        self._since_timer = None
        if self.stream_factory is not None:
            self.follow_scope(self.scope)
        self._title()
        self._update_status()


__all__ = ["LogBatch", "LogView", "LogsPane", "replica_label", "replica_colour", "compile_filter", "strip_ansi",
           "DEFAULT_MAX_LINES"]
