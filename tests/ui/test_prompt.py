"""Keys typed right after Enter in a prompt go to the pane, as fast as a person (or tmux) types them."""

from __future__ import annotations

import asyncio

from textual import events

from tests.ui.recorded import SERVICE, main_screen, make_app


def test_a_key_right_after_enter_in_the_filter_goes_to_the_pane_not_the_filter() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await main_screen(pilot)
            await pilot.press("2", "slash", *SERVICE)
            box = app.query_one("#filter")
            assert box.has_focus and box.value == SERVICE
            # Enter and `3` waiting together, as when the app is busy while someone types `/name` Enter `3`
            app.post_message(events.Key("enter", "\r"))
            app.post_message(events.Key("3", "3"))
            await pilot.pause(0.5)
            assert box.value == SERVICE, "the key after Enter went into the closing filter"
            assert not box.has_class("visible")
            tasks = app.query_one("#tasks")
            assert app.focused is not None and tasks in app.focused.ancestors_with_self, app.focused
            assert f"match '{SERVICE}'" in app.query_one("#services").border_title
    asyncio.run(go())


def test_keys_typed_past_a_dialogs_enter_do_not_crash_the_app() -> None:
    """`s`, `3`, Enter, `4` as fast as they come: the form closes on Enter and the `4` is not its problem."""
    from swarmtui.ui.screens.form import FormScreen

    async def go() -> None:
        app = make_app()  # recorded sources: the scale it submits fails to reach any engine, harmlessly
        async with app.run_test(size=(160, 48)) as pilot:
            await main_screen(pilot)
            await pilot.press("2", "s")
            form = app.screen
            assert isinstance(form, FormScreen)
            for key, char in (("backspace", None), ("3", "3"), ("enter", "\r"), ("4", "4"), ("enter", "\r")):
                app.post_message(events.Key(key, char))
            await pilot.pause(0.5)
            assert app.return_code is None and app.is_running, "the app ended"
            assert not isinstance(app.screen, FormScreen)
    asyncio.run(go())
