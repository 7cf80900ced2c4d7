"""What a full garbage collection walks once the TUI is up (docs/performance.md, "Second round"):
a full collection walked the whole start-up heap (modules, stylesheets, the widget tree), ~300 ms at
full log speed with every thread held; once the first snapshot is on screen that heap is frozen out
of later collections (swarmtui/ui/collector.py)."""

from __future__ import annotations

import asyncio
import gc

from tests.ui.recorded import main_screen, make_app
from tests.ui.waiting import until


def test_once_the_first_snapshot_is_shown_a_full_collection_walks_a_fraction_of_the_heap() -> None:
    async def go() -> None:
        gc.unfreeze()  # what an earlier test in this process froze
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            walked_before = len(gc.get_objects())  # what a full collection walks now
            await main_screen(pilot)
            await until(pilot, lambda: gc.get_freeze_count() > 0, what="the start-up heap frozen")
            walked = len(gc.get_objects())
            assert walked < walked_before / 3, f"a full collection still walks {walked} of {walked_before} objects"
            assert app.query_one("#services").row_count == 3, "the app goes on as before"
            await pilot.press("2")
            await until(pilot, lambda: app._current_pane() == "services", what="a pane switch after the freeze")
    asyncio.run(go())
