"""Below 100 columns the main screen shows one pane at a time. A resize switches the layout to the
new size (not the one before it), also while a dialog is open (the main screen's, not the dialog's)."""

from __future__ import annotations

import asyncio

from tests.ui.recorded import main_screen, make_app
from tests.ui.waiting import until


def test_resize_under_the_help_switches_the_main_layout() -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await main_screen(pilot)
            main = app.screen
            assert not main.has_class("-narrow")
            await pilot.resize_terminal(80, 24)
            await pilot.pause(0.3)
            assert main.has_class("-narrow"), "resized to 80 columns, yet the wide grid of panes"
            await pilot.resize_terminal(160, 48)
            await pilot.pause(0.3)
            assert not main.has_class("-narrow"), "resized to 160 columns, yet one pane at a time"
            await pilot.press("question_mark")
            await pilot.pause(0.2)
            assert app.screen is not main
            await pilot.resize_terminal(80, 24)
            await pilot.pause(0.3)
            await pilot.press("escape")
            await pilot.pause(0.2)
            assert app.screen is main
            assert main.has_class("-narrow"), "80 columns after the help closed, yet the wide grid of panes"
            assert sum(1 for pane in main.query("#panes > *") if pane.display) == 1
            await pilot.press("question_mark")
            await pilot.pause(0.2)
            await pilot.resize_terminal(160, 48)
            await pilot.pause(0.3)
            await pilot.press("escape")
            await pilot.pause(0.2)
            assert not main.has_class("-narrow"), "160 columns after the help closed, yet one pane at a time"

    asyncio.run(run())


def test_a_narrow_screen_shows_the_pane_switched_to_also_when_switched_while_wide() -> None:
    """The narrow layout's pane is marked only while the screen is narrow (a class change restyles
    the panes: docs/performance.md), so a resize to narrow marks the one last switched to."""
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await main_screen(pilot)
            main = app.screen

            def shown() -> list[str]:
                return [pane.id for pane in main.query("#panes > *") if pane.display]

            await pilot.press("3")
            await until(pilot, lambda: app._current_pane() == "tasks", what="the tasks pane focused")
            await pilot.resize_terminal(80, 24)
            await until(pilot, lambda: shown() == ["tasks"], what="80 columns showing the tasks pane")
            await pilot.press("1")
            await until(pilot, lambda: shown() == ["nodes"] and app._current_pane() == "nodes", what="the nodes pane shown")
            await pilot.resize_terminal(160, 48)
            await until(pilot, lambda: not main.has_class("-narrow"), what="the wide layout")
            await pilot.press("2")
            await until(pilot, lambda: app._current_pane() == "services", what="the services pane focused")
            await pilot.resize_terminal(80, 24)
            await until(pilot, lambda: shown() == ["services"], what="80 columns showing the services pane")

    asyncio.run(run())
