"""The queue pane as a user sees it, fed snapshots taken from a real redis-server."""

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Static, TextArea

from swarmtui.queue.monitor import QueueMonitor
from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.widgets.queue import QueuePane, QueueTable
from swarmtui.ui.widgets.table import plain

pytestmark = pytest.mark.redis


class PaneApp(App):
    def __init__(self, monitor):
        super().__init__()
        self.monitor = monitor
        self.done = []

    def compose(self) -> ComposeResult:
        yield QueuePane(self.monitor)

    def on_mount(self) -> None:
        self.query_one(QueueTable).focus()

    def on_queue_pane_action_done(self, message: QueuePane.ActionDone) -> None:
        self.done.append(message.text)


@pytest.fixture
def spider_queue(redis_client, key_prefix):
    name = f"{key_prefix}:spider"
    redis_client.rpush(name, *range(1234))
    redis_client.rpush(f"{name}:processing:gone", "x", "y")
    redis_client.rpush(f"{name}:results", "done")
    return name


def row_text(pane, key):
    return [plain(c) for c in pane.query_one(QueueTable).get_row(key)]


def text_of(widget: Static) -> str:
    return str(widget.render())


async def test_rows_show_depth_in_flight_orphans_and_scaling(redis_server, redis_client, spider_queue):
    monitor = QueueMonitor(redis_server.url, [spider_queue, f"{spider_queue}:processing:*", f"{spider_queue}:results"], links={spider_queue: "spider"})
    app = PaneApp(monitor)
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.query_one(QueuePane)
        pane.show(monitor.poll())
        await pilot.pause()
        assert row_text(pane, spider_queue)[:4] == [spider_queue, "list", "1,234", "2 (2 orphaned)"]
        assert row_text(pane, spider_queue)[6] == "…"  # drain time needs a second sample
        assert pane.query_one(QueueTable).row_count == 2  # the processing list is folded into in-flight
        status = text_of(pane.query_one("#queue-status"))
        assert status.startswith(f"Redis 127.0.0.1:{redis_server.port} db 0 · 2 keys · read in")
        assert redis_server.password not in status
        for _ in range(4):  # the fleet finishes 4 items
            redis_client.rpush(f"{spider_queue}:results", redis_client.lpop(spider_queue))
        pane.set_replicas({"spider": 2})
        pane.show(monitor.poll())
        await pilot.pause()
        cells = row_text(pane, spider_queue)
        assert cells[2] == "1,230" and cells[5].endswith("/s") and cells[6] != "…"
        advice = text_of(pane.query_one("#queue-advice"))
        assert f"{spider_queue}: 2 in-flight item(s) belong to replicas that are gone — press r to requeue" in advice
        assert "spider: 2 replicas ×" in advice and "+1 →" in advice


async def test_redis_down_shows_one_error_line_and_keeps_rows(redis_server, spider_queue):
    monitor = QueueMonitor(redis_server.url, [spider_queue])
    app = PaneApp(monitor)
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.query_one(QueuePane)
        pane.show(monitor.poll())
        wrong = QueueMonitor(f"redis://:nope@127.0.0.1:{redis_server.port}/0", [spider_queue]).poll()
        pane.show(wrong)
        await pilot.pause()
        status = pane.query_one("#queue-status")
        assert text_of(status) == f"⚠ Redis at 127.0.0.1:{redis_server.port} refused the password (WRONGPASS); retrying"
        assert status.has_class("error")
        pane.show(monitor.poll())  # back to a good snapshot: the line clears by itself
        await pilot.pause()
        assert not status.has_class("error") and row_text(pane, spider_queue)[2] == "1,234"


async def test_ctrl_d_asks_with_count_and_redis_cli_then_purges(redis_server, redis_client, spider_queue):
    monitor = QueueMonitor(redis_server.url, [spider_queue])
    app = PaneApp(monitor)
    async with app.run_test(size=(140, 30)) as pilot:
        app.query_one(QueuePane).show(monitor.poll())
        await pilot.pause()
        await pilot.press("ctrl+d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmScreen)
        shown = " ".join(str(w.render()) for w in screen.query(Static))
        assert f"Purge {spider_queue}?" in shown and "holding 1,234 item(s)" in shown
        assert f"redis-cli -h 127.0.0.1 -p {redis_server.port} --askpass DEL {spider_queue}" in shown
        await pilot.press("n")
        await pilot.pause()
        assert redis_client.llen(spider_queue) == 1234  # No leaves it alone
        await pilot.press("ctrl+d", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not redis_client.exists(spider_queue)
        assert app.done == [f"Purged {spider_queue}: 1234 item(s) deleted"]


async def test_push_dialog_requeue_and_watch_keys(redis_server, redis_client, spider_queue):
    monitor = QueueMonitor(redis_server.url, [spider_queue, f"{spider_queue}:processing:*"])
    app = PaneApp(monitor)
    async with app.run_test(size=(140, 40)) as pilot:
        pane = app.query_one(QueuePane)
        pane.show(monitor.poll())
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert app.screen.query_one("#push-key", Input).value == spider_queue  # prefilled with the highlighted key
        app.screen.query_one(TextArea).text = "https://new-1/\nhttps://new-2/\n"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        assert redis_client.lrange(spider_queue, -2, -1) == ["https://new-1/", "https://new-2/"]
        await pilot.press("r")
        await app.workers.wait_for_complete()
        assert redis_client.lrange(spider_queue, 0, 1) == ["x", "y"]  # the gone replica's items are next in line
        assert app.done[-1] == f"Requeued 2 item(s) from 1 gone replica(s) onto {spider_queue}"
        # a: watch another key; x: stop watching the highlighted one
        redis_client.zadd(f"{spider_queue}:requests", {"u": 1})
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*f"{spider_queue}:req*", "enter")
        await pilot.pause()
        pane.show(monitor.poll())
        await pilot.pause()
        assert row_text(pane, f"{spider_queue}:requests")[:3] == [f"{spider_queue}:requests", "zset", "1"]
        await pilot.press("x")  # cursor is on the first row: the spider queue
        await pilot.pause()
        assert monitor.patterns == (f"{spider_queue}:processing:*", f"{spider_queue}:req*")
        assert pane.query_one(QueueTable).row_count == 1
