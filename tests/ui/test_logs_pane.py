"""The logs pane as an operator meets it: mounted alone in a test app, fed LogBatch messages."""

from __future__ import annotations

import gc
import threading
import time

from textual import events
from textual.app import App, ComposeResult

from swarmtui.cluster.logs import LogLine
from swarmtui.ui import collector
from swarmtui.ui.widgets.logs import LogBatch, LogsPane, replica_colour
from tests.ui.waiting import until


def make_lines(count: int, start: int = 0, replicas: int = 3, service: str = "spider", text: str = "n={i}"):
    out = []
    for i in range(start, start + count):
        slot = i % replicas + 1
        ts = f"2026-01-02T03:04:{i // 1000 % 60:02d}.{i % 1000:03d}000000Z"
        out.append(LogLine(f"task{slot}", service, slot, f"lab-worker-{slot}", ts, text.format(i=i)))
    return out


class PaneApp(App):
    def __init__(self, **pane_kwargs) -> None:
        super().__init__()
        self.pane_kwargs = pane_kwargs
        self.messages: list = []

    def compose(self) -> ComposeResult:
        yield LogsPane(**self.pane_kwargs)

    def on_mount(self) -> None:
        self.query_one("#logs-view").focus()

    def on_logs_pane_tail_changed(self, message: LogsPane.TailChanged) -> None:
        self.messages.append(message)


def screen_rows(pane: LogsPane) -> list[str]:
    """What the view shows, row by row (the strips the compositor draws)."""
    view = pane.view
    return [view.render_line(y).text.rstrip() for y in range(view.scrollable_content_region.height)]


async def feed(pilot, pane: LogsPane, lines) -> None:
    """Post a batch and wait until the pane appended it (appends are paced: see on_log_batch)."""
    wanted = pane.received + len(lines)
    pane.post_message(LogBatch(lines))
    await until(pilot, lambda: pane.received >= wanted, what="the batch appended")
    await pilot.pause()


async def test_lines_are_prefixed_and_coloured_per_replica():
    app = PaneApp()
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(6))
        rows = [r for r in screen_rows(pane) if r]
        assert rows[0] == "spider.1@lab-worker-1 n=0"
        assert rows[1] == "spider.2@lab-worker-2 n=1"
        # same replica, same colour; another replica, another colour
        strip = pane.view.render_line(0)
        colour = next(seg.style.color for seg in strip if "spider.1" in seg.text)
        assert colour is not None
        assert replica_colour(make_lines(1)[0]) == replica_colour(make_lines(4)[3])
        assert replica_colour(make_lines(1)[0]) != replica_colour(make_lines(2)[1])


async def test_ansi_colours_render_and_escape_codes_vanish():
    app = PaneApp()
    async with app.run_test(size=(100, 10)) as pilot:
        pane = app.query_one(LogsPane)
        line = LogLine("t1", "spider", 1, "lab-manager-1", "2026-01-02T03:04:05.000000000Z",
                       "got \x1b[31mred\x1b[0m item \ufffd\ufffd")
        await feed(pilot, pane, [line])
        strip = pane.view.render_line(0)
        assert strip.text.rstrip() == "spider.1@lab-manager-1 got red item \ufffd\ufffd"
        red = [seg for seg in strip if seg.text == "red"]
        assert red and red[0].style.color.number == 1  # ANSI red


async def test_filter_substring_and_regex_show_only_matches_with_a_count():
    app = PaneApp()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(100))
        await pilot.press("slash", *"n=4")
        await pilot.press("enter")
        rows = [r for r in screen_rows(pane) if r]
        assert len(rows) == 11 and all("n=4" in r for r in rows)
        assert "11 matching" in pane.status_text
        await pilot.press("slash", *"ctrl+u".split(), *r"re:n=4\d$")
        await pilot.press("enter")
        rows = [r for r in screen_rows(pane) if r]
        assert [r.split()[-1] for r in rows] == [f"n={i}" for i in range(40, 50)]
        assert "10 matching" in pane.status_text
        # new lines are filtered as they arrive
        await feed(pilot, pane, make_lines(10, start=40))
        assert "20 matching" in pane.status_text
        # filtering by replica works too
        pane.set_filter("spider.2@")
        await pilot.pause()
        assert all(r.startswith("spider.2@") for r in screen_rows(pane) if r)
        # a broken regex says so and keeps the previous filter
        pane.set_filter("re:(")
        await pilot.pause()
        assert "filter error" in pane.status_text
        pane.set_filter("")
        await pilot.pause()
        assert "matching" not in pane.status_text and len(pane.view.matching) == 110
        assert all(screen_rows(pane))  # the whole view is filled again


async def test_next_and_previous_match_move_through_matches():
    app = PaneApp()
    async with app.run_test(size=(100, 12)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(200))
        pane.set_filter("re:n=1\\d$")
        await pilot.pause()
        await pilot.press("N")  # from the newest match backwards
        assert "10/10 matching" in pane.status_text
        await pilot.press("N", "N")
        assert "8/10 matching" in pane.status_text
        await pilot.press("n")
        assert "9/10 matching" in pane.status_text
        assert pane.view.line(pane.view.current).text == "n=18"
        assert any(r.endswith("n=18") for r in screen_rows(pane))
        assert not pane.follow  # searching holds the view still


async def test_follow_off_holds_the_view_and_counts_new_lines():
    app = PaneApp()
    async with app.run_test(size=(100, 12)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(50))
        assert screen_rows(pane)[-1].endswith("n=49")  # following: the newest line is on screen
        await pilot.press("f")
        before = screen_rows(pane)
        await feed(pilot, pane, make_lines(30, start=50))
        await feed(pilot, pane, make_lines(7, start=80))
        assert screen_rows(pane) == before
        assert "+37 new" in pane.status_text
        await pilot.press("end")
        assert pane.follow and screen_rows(pane)[-1].endswith("n=86")
        assert "new" not in pane.status_text


async def test_the_mouse_wheel_up_scrolls_back_and_stops_following():
    app = PaneApp()
    async with app.run_test(size=(100, 12)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(50))
        newest = screen_rows(pane)
        for _ in range(3):  # what the terminal sends for a turn of the wheel over the view
            pane.view.post_message(events.MouseScrollUp(pane.view, 5, 5, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert not pane.follow and screen_rows(pane) != newest
        before = screen_rows(pane)
        await feed(pilot, pane, make_lines(5, start=50))
        assert screen_rows(pane) == before and "+5 new" in pane.status_text


async def test_clear_empties_the_pane():
    app = PaneApp()
    async with app.run_test(size=(100, 12)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(50))
        await pilot.press("c")
        assert not any(screen_rows(pane)) and "0 lines" in pane.status_text
        await feed(pilot, pane, make_lines(2, start=50))
        assert [r for r in screen_rows(pane) if r][0].endswith("n=50")


async def test_save_writes_the_whole_buffer_to_the_default_path(tmp_path):
    app = PaneApp(save_dir=tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(LogsPane)
        pane.follow_service("abc123", "spider")
        await feed(pilot, pane, make_lines(120, text="n={i} \x1b[32mok\x1b[0m"))
        pane.set_filter("n=1")  # saving keeps every line, not just the filtered ones
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.id == "save-dialog"
        await pilot.press("enter")
        await pilot.pause()
        files = list(tmp_path.glob("swarmtui-spider-*.log"))
        assert len(files) == 1
        lines = files[0].read_text().splitlines()
        assert len(lines) == 120
        assert lines[7] == "2026-01-02T03:04:00.007000000Z spider.2@lab-worker-2 n=7 ok"


async def test_buffer_is_bounded_and_keeps_the_newest_lines():
    app = PaneApp(max_lines=1000)
    async with app.run_test(size=(100, 12)) as pilot:
        pane = app.query_one(LogsPane)
        for start in range(0, 5000, 500):
            await feed(pilot, pane, make_lines(500, start=start))
        assert len(pane.view.lines) == 1000 and pane.received == 5000
        assert "1,000 lines" in pane.status_text
        assert pane.view.lines[0].text == "n=4000"
        assert screen_rows(pane)[-1].endswith("n=4999")


async def test_paused_view_holds_still_while_old_lines_are_dropped():
    app = PaneApp(max_lines=300)
    async with app.run_test(size=(100, 12)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(300))
        await pilot.press("f")
        pane.view.scroll_to(y=250, animate=False)
        await pilot.pause()
        before = screen_rows(pane)
        await feed(pilot, pane, make_lines(100, start=300))
        assert screen_rows(pane) == before


async def test_timestamps_and_wrap_toggle():
    app = PaneApp()
    async with app.run_test(size=(60, 12)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(3, text="x" * 100 + " {i}"))
        assert screen_rows(pane)[0].startswith("spider.1@")
        await pilot.press("t")
        assert screen_rows(pane)[0].startswith("03:04:00.000 spider.1@")
        assert len(pane.view.rows) == 3
        await pilot.press("w")
        rows = [r for r in screen_rows(pane) if r]
        assert len(pane.view.rows) > 3 and rows[-1].endswith(" 2")
        assert all(len(r) <= pane.view.scrollable_content_region.width for r in rows)


async def test_tail_dialog_sets_the_history_length():
    app = PaneApp()
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(LogsPane)
        await pilot.press("T")
        assert app.screen.id == "tail-dialog"
        await pilot.press("ctrl+u", "x", "enter")
        assert app.screen.id == "tail-dialog"  # not a number: the dialog stays and says so
        await pilot.press("backspace", *"500", "enter")
        await pilot.pause()
        assert pane.tail == 500 and app.messages[-1].tail == 500
        assert "tail 500" in pane.status_text


class FakeStream:
    def __init__(self, scope, tail, since, on_batch):
        self.scope, self.tail, self.since, self.on_batch = scope, tail, since, on_batch
        self.service_id = scope.id
        self.closed = threading.Event()

    def close(self):
        self.closed.set()


async def test_switching_services_closes_the_old_stream_and_drops_its_lines():
    made: list[FakeStream] = []

    def factory(scope, tail, since, on_batch):
        made.append(FakeStream(scope, tail, since, on_batch))
        return made[-1]

    app = PaneApp(stream_factory=factory, tail=20)
    async with app.run_test(size=(100, 12)) as pilot:
        pane = app.query_one(LogsPane)
        pane.follow_service("s1", "alpha")
        made[0].on_batch(make_lines(5, service="alpha"))
        await pilot.pause()
        pane.follow_service("s2", "beta")
        made[0].on_batch(make_lines(5, service="alpha"))  # a late batch of the old stream
        made[1].on_batch(make_lines(2, service="beta"))
        await pilot.pause()
        deadline = time.monotonic() + 2
        while not made[0].closed.is_set() and time.monotonic() < deadline:
            await pilot.pause(0.01)
        assert made[0].closed.is_set() and not made[1].closed.is_set()
        assert (made[1].service_id, made[1].tail) == ("s2", 20)
        # one service followed: its name is in the title, the replica column keeps only .slot@node
        assert [r for r in screen_rows(pane) if r] == [".1@lab-worker-1 n=0", ".2@lab-worker-2 n=1"]
        assert pane.border_title.endswith("Logs · beta")  # the app numbers its panes
        pane.follow_service(None, "all services")
        made[2].on_batch(make_lines(1, service="beta"))
        await pilot.pause(0.1)
        assert [r for r in screen_rows(pane) if r] == ["beta.1@lab-worker-1 n=0"]  # every service: the full label
    assert made[1].closed.wait(2)  # unmounting closes the current stream


async def test_scopes_and_the_since_selector_reopen_the_stream_and_show_in_the_title(tmp_path):
    from swarmtui.ui.log_scope import LogScope

    made: list[FakeStream] = []

    def factory(scope, tail, since, on_batch):
        made.append(FakeStream(scope, tail, since, on_batch))
        return made[-1]

    app = PaneApp(stream_factory=factory, tail=50, save_dir=tmp_path)
    async with app.run_test(size=(100, 12)) as pilot:
        pane = app.query_one(LogsPane)
        pane.follow_scope(LogScope.task("t2", "spider.2@lab-worker-2"))
        assert pane.border_title.endswith("Logs · task spider.2@lab-worker-2")
        assert (made[-1].scope.kind, made[-1].scope.id, made[-1].tail, made[-1].since) == ("task", "t2", 50, None)
        made[-1].on_batch(make_lines(3))
        await pilot.pause()
        await pilot.press("s", "s")  # all → 1m → 5m: one reopen once the key rests, not one per press
        assert pane.border_title.endswith("task spider.2@lab-worker-2 · since 5m") and "since 5m" in pane.status_text
        deadline = time.monotonic() + 5
        while made[-1].since != 300 and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert [(m.since, m.tail) for m in made] == [(None, 50), (300, "all")]  # a window: all of its lines
        assert made[-1].scope == LogScope.task("t2", "spider.2@lab-worker-2") and made[0].closed.wait(2)
        assert not any(screen_rows(pane))  # the old scope's lines are gone
        made[-1].on_batch(make_lines(4))
        await pilot.pause()
        assert pane.default_save_path().name.startswith("swarmtui-task-spider.2-lab-worker-2-since5m-")
        # T: a count again, for the same scope
        pane.set_tail(500)
        await pilot.pause()
        assert (made[-1].scope.kind, made[-1].tail, made[-1].since) == ("task", 500, None)
        assert "tail 500" in pane.status_text and "since" not in pane.border_title
        pane.follow_scope(LogScope.node("n1", "lab-worker-1"))
        assert pane.border_title.endswith("Logs · node lab-worker-1")
        assert pane.default_save_path().name.startswith("swarmtui-node-lab-worker-1-2")


async def test_a_batch_of_lines_at_the_cap_costs_no_layout_pass_of_the_screen():
    # Counted, not timed: the status line under the view asked for a layout of the screen on every
    # batch (~13 a second while 50 replicas stream), which a key's redraw then waited behind.  At the
    # buffer's cap (where a fast stream lives) the view's virtual size no longer moves either.
    app = PaneApp(max_lines=1000)
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(1000, start=1000))  # n=1000..: every line as wide as the next ones
        await pilot.pause()
        layouts = []
        screen = app.screen
        original = screen._refresh_layout
        screen._refresh_layout = lambda *a, **k: (layouts.append(1), original(*a, **k))[1]
        for i in range(1, 6):
            await feed(pilot, pane, make_lines(400, start=2000 + i * 400))
        await until(pilot, lambda: pane.received == 1000 + 5 * 400, what="every batch appended")  # appends are paced
        assert "1,000 lines" in pane.status_text  # the status line still follows every batch
        assert screen_rows(pane)[-1].endswith(f"n={2000 + 5 * 400 + 399}")  # and the view the newest line
        assert layouts == [], f"{len(layouts)} layout passes for 5 batches"


async def test_timestamps_on_a_full_buffer_redraw_the_rows_without_rebuilding_them():
    # Counted, not timed: `t` while unwrapped rebuilt the row index of the whole buffer (50,000 lines)
    # before its redraw; only the drawing changes, so only the rows on screen are drawn again.
    app = PaneApp(max_lines=5000)
    async with app.run_test(size=(80, 12)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(5000))
        view = pane.view
        rendered = []
        original = view._render_strips
        view._render_strips = lambda seq: (rendered.append(seq), original(seq))[1]
        rows_before = view.rows
        await pilot.press("t")
        await pilot.pause()
        assert screen_rows(pane)[-1].startswith("03:04:04.999 spider.")  # the newest line, with its time
        assert view.rows is rows_before, "the row index of the whole buffer was rebuilt"
        assert 0 < len(set(rendered)) <= view.scrollable_content_region.height
        await pilot.press("t")
        await pilot.pause()
        assert screen_rows(pane)[-1].startswith("spider.")


async def test_batches_that_come_together_are_appended_once_and_none_is_lost():
    """A stream at full speed hands the pane a batch every few ms: those queued within one frame
    make one append (one eviction, one status line, one repaint), not one each; every line is
    kept, in order (bench/logs_replay.py has the key latency figures)."""
    app = PaneApp()
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(LogsPane)
        appends = []
        append = pane.view.append
        pane.view.append = lambda lines: appends.append(len(lines)) or append(lines)
        lines = make_lines(120)
        for i in range(0, 120, 10):  # twelve batches, posted back to back
            pane.post_message(LogBatch(lines[i:i + 10]))
        await pilot.pause(0.3)
        assert pane.received == 120 and len(appends) <= 3, appends
        assert [ln.text for ln in pane.view.lines] == [ln.text for ln in lines]


async def test_rows_on_screen_are_not_rendered_again_when_old_lines_are_dropped():
    """Counted: at the buffer's cap every append drops the oldest lines, and that cleared the cache
    of rendered rows, so every row on screen was rendered again after each append (the cache is
    keyed by sequence numbers, which dropping lines does not change).  Now only the new rows are."""
    app = PaneApp(max_lines=1000)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(1000))
        await until(pilot, lambda: screen_rows(pane)[-1].endswith("n=999"), what="the newest line on screen")
        view = pane.view
        height = view.scrollable_content_region.height
        before = view.rendered
        await feed(pilot, pane, make_lines(3, start=1000))
        await until(pilot, lambda: screen_rows(pane)[-1].endswith("n=1002"), what="the new lines on screen")
        assert len(view.lines) == 1000
        assert view.rendered - before == 3, f"{view.rendered - before} rows rendered for 3 new lines ({height} on screen)"


async def test_a_slow_append_makes_the_next_one_wait_so_keys_get_the_ui_thread():
    """Counted: the pane spends at most a third of the UI thread on lines.  While a stream hands
    over a batch every 20 ms and each append costs 0.1 s (a slow machine at full speed), the next
    append waits twice what the last one cost: at most 4 appends in a second instead of ~9 (every
    line still kept, in order).  Before, appends ran back to back and a key waited behind them."""
    app = PaneApp()
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(LogsPane)
        appends = []
        append = pane.view.append

        def slow_append(lines):
            appends.append(len(lines))
            time.sleep(0.1)  # the cost of a big append on a loaded machine, simulated
            return append(lines)

        pane.view.append = slow_append
        lines = make_lines(500)

        def stream() -> None:
            for i in range(0, 500, 10):
                pane.post_message(LogBatch(lines[i:i + 10]))
                time.sleep(0.02)

        feeder = threading.Thread(target=stream)
        feeder.start()
        started = time.monotonic()
        # every line kept, however long the paced appends take under load
        await until(pilot, lambda: not feeder.is_alive() and pane.received == 500, 60, "the 500 lines appended")
        elapsed = time.monotonic() - started
        assert pane.received == 500, pane.received
        assert [ln.text for ln in pane.view.lines] == [ln.text for ln in lines]
        assert len(appends) <= 1 + 4 * elapsed, f"{len(appends)} appends in {elapsed:.1f} s: {appends}"


async def test_kept_lines_are_not_walked_by_the_garbage_collector():
    """Counted: the objects a full garbage collection walks.  As LogLine objects, every kept line of
    a fast stream reached the oldest generation, so a full collection (~160 ms of CPU at 50,000
    lines, every thread held: the key-latency tail) came every ~2 s; kept as plain tuples of strings
    and ints, the collector stops tracking them.  The lines still read as before."""
    app = PaneApp(max_lines=2000)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(LogsPane)
        await feed(pilot, pane, make_lines(3000))
        gc.collect()
        view = pane.view
        assert len(view.lines) == 2000
        assert sum(gc.is_tracked(line) for line in view._kept) == 0
        assert view.lines[0].text == "n=1000" and view.lines[-1].slot == 2999 % 3 + 1
        assert screen_rows(pane)[-1].endswith("n=2999")


async def test_a_fast_stream_makes_no_full_garbage_collection():
    """Counted: full collections (each walks every object of the process, every thread held: ~180 ms
    at 500 nodes) while 150,000 lines pass through the pane.  With Python's default thresholds every
    line outlived two young collections on its way to the pane and reached the oldest generation,
    and full collections followed; with the TUI's (swarmtui/ui/collector.py) lines die young."""
    full = []

    def count(phase, info):
        if phase == "stop" and info["generation"] == 2:
            full.append(1)

    before = gc.get_threshold()
    collector.tune()
    gc.callbacks.append(count)
    try:
        app = PaneApp(max_lines=50_000)
        async with app.run_test(size=(100, 30)) as pilot:
            pane = app.query_one(LogsPane)
            gc.collect()
            full.clear()
            for start in range(0, 150_000, 5000):
                pending = [make_lines(1000, start=start + i) for i in range(0, 5000, 1000)]  # alive together, as in flight
                for batch in pending:
                    pane.post_message(LogBatch(batch))
                del pending, batch
                await until(pilot, lambda s=start: pane.received >= s + 5000, what="the batches appended")
            assert len(pane.view.lines) == 50_000
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*before)
    assert len(full) == 0, f"{len(full)} full collections"


async def test_a_wrapped_line_takes_the_rows_its_drawn_text_needs_however_it_is_counted():
    """Wrapping counts a plain ASCII line's row without making its text (most crawler lines);
    tabs, escape sequences and wide characters are measured on the text drawn, as before."""
    from rich.cells import cell_len

    texts = ["GET /item/1 200 ok " * 12, "a\tb\tc " * 30, "\x1b[31mred\x1b[0m " * 25, "日本語のテキスト" * 12, "", "x"]
    app = PaneApp()
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.query_one("#logs-view")
        lines = [LogLine("t1", "spider", 1, "lab-worker-1", "2026-01-02T03:04:05.000000000Z", t) for t in texts]
        lines.append(LogLine("t2", "spider", None, "lab-worker-2", "", "no timestamp " * 9))
        view.append(lines)
        await pilot.pause()
        for stamps in (False, True):
            view.show_timestamps = stamps
            for line in view._kept:
                assert view._row_length(line) == cell_len(view.row_text(line).expandtabs(8)), (stamps, line)
