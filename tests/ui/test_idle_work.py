"""What an idle second costs, counted on the recorded demo (the 500-node figures: docs/performance.md):
the queue pane, polled every second, rewrites its status and advice lines (each a layout pass of
the whole screen) only when their words changed."""

from __future__ import annotations

import asyncio
import dataclasses

from textual.widgets import Static

from swarmtui.ui.widgets.queue import QueuePane
from tests.ui.recorded import main_screen, make_app, queue_snapshot


def test_the_same_queue_reading_rewrites_no_line_and_a_new_one_rewrites_the_status() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await main_screen(pilot)
            pane = app.query_one(QueuePane)
            # the app's own poll (every second) shows what the test showed last, not the recorded
            # reading again: under load one landed after the new reading (a second status rewrite)
            shown = [queue_snapshot()]
            app.queue_monitor.poll = lambda: shown[0]
            status = pane.query_one("#queue-status", Static)
            updates = []
            for static in pane.query(Static):
                update = static.update
                static.update = lambda *a, _u=update, _s=static, **k: updates.append(_s.id) or _u(*a, **k)
            for _ in range(3):
                pane.show(queue_snapshot())
                await pilot.pause()
            assert updates == [], updates
            assert "keys" in str(status.content)
            shown[0] = dataclasses.replace(queue_snapshot(), elapsed_ms=queue_snapshot().elapsed_ms + 7)
            pane.show(shown[0])
            await pilot.pause()
            assert updates == ["queue-status"], updates
    asyncio.run(go())
