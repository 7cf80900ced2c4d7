"""The user's [keys] keymap: a remapped key works where it is bound, a wrong entry stops the start."""

from __future__ import annotations

import re

import pytest

from swarmtui import cli
from swarmtui.ui.actions import KeymapError
from swarmtui.ui.screens.form import FormScreen
from tests.ui.recorded import main_screen, make_app


def footer_keys(app) -> dict[str, str]:
    return {b.binding.id: key for key, b in app.screen.active_bindings.items() if b.binding.id}


async def test_remapped_keys_work_and_the_old_ones_do_not():
    app = make_app(keys={"services.scale_to": "S", "app.pane_nodes": "N", "app.help": "f1"})
    async with app.run_test(size=(160, 48)) as pilot:
        await main_screen(pilot)
        assert footer_keys(app)["services.scale_to"] == "S"
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen), "the old key no longer scales"
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen), "the new key opens the scale dialog"
        await pilot.press("escape")
        await pilot.press("N")
        await pilot.pause()
        assert app.focused is app.query_one("#nodes")
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        rows = [row for _, section in app.screen.sections for row in section]
        assert any(keys == "f1" and "help" in text for keys, _, text in rows), "the help shows the user's key"


@pytest.mark.parametrize("keys, named", [
    ({"services.scale_too": "S"}, "[keys] services.scale_too: no such action"),
    ({"services.scale_to": "ctrl+bogus"}, "[keys] services.scale_to: 'ctrl+bogus' is not a key name"),
])
def test_a_bad_entry_stops_the_app_naming_it(keys, named):
    with pytest.raises(KeymapError, match=re.escape(named)):
        make_app(keys=keys)


def test_the_cli_says_which_entry_is_wrong_and_exits_2(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"nodes.drian" = "x"\n')
    assert cli.main(["--config", str(config), "tui"]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "nodes.drian: no such action (did you mean nodes.drain?)" in err
