"""Every field of a dialog is drawn: a field's id must not be one the app's stylesheet hides
(the shell dialog's 'command' field was the app's #command line: focused, 0x0, invisible)."""

from __future__ import annotations

import asyncio

from textual.widgets import Input

from swarmtui.ui.screens.form import FormScreen
from tests.ui.recorded import main_screen, make_app
from tests.ui.waiting import until


def test_the_shell_dialog_shows_its_command_field() -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await main_screen(pilot)
            await pilot.press("3", "e")
            await until(pilot, lambda: isinstance(app.screen, FormScreen), what="the shell dialog")
            await pilot.pause(0.2)
            boxes = list(app.screen.query(Input))
            assert boxes, "the shell dialog has no input"
            for box in boxes:
                assert box.region.width > 10 and box.region.height == 3, (box.id, box.region)
            await pilot.press(*"sh")
            assert boxes[-1].value == "sh"

    asyncio.run(run())
