"""What a filter key costs, counted on the recorded demo (the 500-row figures: docs/performance.md):
typing in the `/` prompt asked for a layout pass of the whole screen on every key (Input resets its
virtual size to its text's width, the layout sets it back); a prompt's box never changes size with
its text, so a key that leaves the table's rows as they were makes no layout pass."""

from __future__ import annotations

import asyncio

from tests.ui.recorded import main_screen, make_app


def test_typing_in_the_filter_prompt_makes_no_layout_pass_and_long_text_still_scrolls() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await main_screen(pilot)
            nodes = app.query_one("#nodes")
            nodes.focus()
            await pilot.press("slash")
            await pilot.pause(0.3)
            screen, layouts = app.screen, []
            original = screen._refresh_layout
            screen._refresh_layout = lambda *a, **k: (layouts.append(1), original(*a, **k))[1]
            rows = nodes.row_count
            for key in ["l", "a", "b", "-", "backspace", "backspace", "backspace", "backspace"]:
                await pilot.press(key)
                await pilot.pause()
            assert nodes.row_count == rows and app.query_one("#filter").value == ""
            assert layouts == [], f"{len(layouts)} layout passes for 8 keys"
            box = app.query_one("#filter")
            box.value = "x" * 200  # longer than the box: the layout gives it room to scroll to the cursor
            box.cursor_position = 200
            await pilot.pause()
            assert layouts and box.scroll_x > 0
    asyncio.run(go())


def test_the_tui_draws_at_120_frames_a_second_unless_told_otherwise() -> None:
    """swarmtui/ui/__init__.py: at Textual's 60, a change made just after a frame waited 17-33 ms for
    the next one (a filter key's rows: 37 ms median at 500 nodes, 22 ms at 120). Checked in a fresh
    interpreter, the way `swarmtui` starts: the setting only works if it comes before Textual's import."""
    import os
    import subprocess
    import sys

    probe = "import swarmtui.cli, swarmtui.ui.app, textual.constants as c; print(c.MAX_FPS)"
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    assert subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout.strip() == "120"
    told = subprocess.run([sys.executable, "-c", probe], env={**env, "TEXTUAL_FPS": "30"}, capture_output=True, text=True, check=True)
    assert told.stdout.strip() == "30"
