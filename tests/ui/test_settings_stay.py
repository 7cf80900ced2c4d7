"""Settings that stay: the theme, a remapped key and a sort order survive a restart; swarmtui
writes only what changed into the user's config.toml, keeps its comments, and a bad value
stops the start naming the key."""

from __future__ import annotations

import os
import re
import tomllib

import pytest

from swarmtui import cli
from swarmtui.config import ConfigError, load_settings
from swarmtui.settings_store import SettingsStore
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.remembering import SettingError
from swarmtui.ui.screens.form import FormScreen
from tests.ui.recorded import NO_DOCKER, main_screen, recorded_sources
from tests.ui.waiting import until

USER_FILE = """\
# my swarmtui settings: keep this comment
registry = "10.89.0.1:8003"   # the lab's registry
read_only = false

[keys]  # my keys
"services.scale_to" = "S"

[queue_links]
"example:swarm:spider" = "spider"   # who feeds on it
"""


def app_from(path) -> SwarmApp:
    settings = load_settings({"docker_host": NO_DOCKER}, env={}, path=path)
    return SwarmApp(settings, sources=recorded_sources(settings))


async def test_theme_key_and_sort_survive_a_restart_and_the_comments_stay(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    app = app_from(path)
    async with app.run_test(size=(160, 48)) as pilot:
        await main_screen(pilot)
        app.theme = "nord"  # what the palette's "Change theme" does
        await until(pilot, lambda: "nord" in path.read_text(), timeout=10, what="the theme written")
        services = app.query_one("#services")
        services.focus()
        await pilot.press("greater_than_sign", "greater_than_sign", "exclamation_mark")  # REPLICAS, reversed
        await until(pilot, lambda: "replicas desc" in path.read_text(), timeout=10, what="the sort order written")
    text = path.read_text()
    for line in USER_FILE.splitlines():
        assert line in text, f"the user's line {line!r} is kept as it was"
    data = tomllib.loads(text)
    assert data["theme"] == "nord" and data["sort"] == {"services": "replicas desc"}
    assert set(data) == {"registry", "read_only", "keys", "queue_links", "theme", "sort"}, "only what changed is added"

    again = app_from(path)
    async with again.run_test(size=(160, 48)) as pilot:
        await main_screen(pilot)
        assert again.theme == "nord"
        services = again.query_one("#services")
        assert (services.sort_column, services.sort_reverse) == ("replicas", True)
        assert str(services.columns[services.ordered_columns[1].key].label) == "REPLICAS ▼"
        services.focus()
        await pilot.press("S")  # the remapped key still scales after swarmtui wrote the file
        await until(pilot, lambda: isinstance(again.screen, FormScreen), timeout=10, what="the scale dialog on S")
    assert path.read_text() == text, "a start that changes nothing writes nothing"


async def test_back_to_the_tables_own_order_removes_the_key(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[sort]\nnodes = "tasks"  # busiest last\nservices = "name desc"\n')
    app = app_from(path)
    async with app.run_test(size=(160, 48)) as pilot:
        await main_screen(pilot)
        services = app.query_one("#services")
        services.focus()
        await pilot.press("less_than_sign")  # from NAME back to the table's own order
        await until(pilot, lambda: "services" not in path.read_text(), timeout=10, what="the services order forgotten")
    assert path.read_text() == '[sort]\nnodes = "tasks"  # busiest last\n'


@pytest.mark.parametrize("text, named", [
    ('theme = "nrod"\n', "theme: 'nrod' is not a theme"),
    ('[sort]\nservices = "replika desc"\n', "[sort] services: 'replika desc' is not a sort order"),
    ('[sort]\nservice = "name"\n', "[sort] service: no such table"),
    ('[sort]\nnodes = "tasks upward"\n', "[sort] nodes: 'tasks upward' is not a sort order"),
])
def test_a_bad_remembered_value_stops_the_start_naming_the_key(tmp_path, capsys, text, named):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(SettingError, match=re.escape(named)):
        app_from(path)
    assert cli.main(["--config", str(path), "--host", NO_DOCKER, "tui"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and named in err


@pytest.mark.parametrize("text, named", [('theme = 3\n', "theme: give a name"), ('sort = "name"\n', "sort: must be a table"),
                                         ('[sort]\nnodes = 1\n', "[sort] nodes: give")])
def test_a_value_of_the_wrong_type_is_named_by_the_config(tmp_path, capsys, text, named):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(named)):
        load_settings({}, env={}, path=path)
    assert cli.main(["--config", str(path), "tui"]) == 2
    assert named in capsys.readouterr().err


def test_a_failed_write_keeps_the_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    store = SettingsStore(path)

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ConfigError, match=re.escape("(No space left on device); the old file is unchanged")):
        store.remember(None, "theme", "nord")
    assert path.read_text() == USER_FILE
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_a_file_broken_meanwhile_is_not_overwritten(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("theme = \n# half-typed by the user while swarmtui runs\n")
    with pytest.raises(ConfigError, match="not valid TOML now"):
        SettingsStore(path).remember(None, "theme", "nord")
    assert path.read_text() == "theme = \n# half-typed by the user while swarmtui runs\n"


def test_a_new_file_is_private_and_a_symlinked_one_stays_a_symlink(tmp_path):
    new = tmp_path / "fresh" / "config.toml"
    SettingsStore(new).remember("sort", "tasks", "state")
    assert tomllib.loads(new.read_text()) == {"sort": {"tasks": "state"}}
    assert new.stat().st_mode & 0o777 == 0o600, "it may come to hold a Redis password"
    target = tmp_path / "dotfiles.toml"
    target.write_text(USER_FILE)
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    SettingsStore(link).remember(None, "layout", "wide")
    assert link.is_symlink() and 'layout = "wide"' in target.read_text()


async def test_a_key_remapped_with_swarmtui_keys_set_survives_a_restart(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("# my settings\n[keys]  # mine\n\"app.help\" = \"f1\"\n")
    assert cli.main(["--config", str(path), "keys", "set", "services.scale_to", "S"]) == 0
    assert path.read_text() == '# my settings\n[keys]  # mine\n"app.help" = "f1"\n"services.scale_to" = "S"\n'
    before = path.read_text()
    assert cli.main(["--config", str(path), "keys", "set", "services.rollback", "+"]) == 2  # + scales up there
    assert "'plus' is bound to both services.scale_up and services.rollback" in capsys.readouterr().err
    assert cli.main(["--config", str(path), "keys", "set", "tables.sort_next", "a"]) == 2  # a activates in the nodes table
    assert path.read_text() == before, "a refused key writes nothing"
    app = app_from(path)
    async with app.run_test(size=(160, 48)) as pilot:
        await main_screen(pilot)
        app.query_one("#services").focus()
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, FormScreen), timeout=10, what="the scale dialog on S")
    assert cli.main(["--config", str(path), "keys", "reset", "services.scale_to"]) == 0
    assert cli.main(["--config", str(path), "keys", "set", "app.help", "question_mark"]) == 0  # the default: no entry
    assert path.read_text() == "# my settings\n"


async def test_the_palette_sorts_the_focused_table(tmp_path):
    path = tmp_path / "config.toml"
    app = app_from(path)
    async with app.run_test(size=(160, 48)) as pilot:
        await main_screen(pilot)
        nodes = app.query_one("#nodes")
        nodes.focus()
        await pilot.press("ctrl+p", *"sort by the next column")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: nodes.sort_column == "hostname", timeout=10, what="the nodes sorted from the palette")
        await until(pilot, lambda: path.exists() and 'nodes = "hostname"' in path.read_text(), timeout=10, what="remembered")
