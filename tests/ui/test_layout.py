"""The main screen's layout on the recorded demo swarm: nothing cut at 160x48, the logs wide enough
for a 140-character line, `?` always in the footer, the logs layout on `v` (tests/ui/test_snapshots.py
has the pictures)."""

from __future__ import annotations

import asyncio

from swarmtui.cluster.logs import LogLine
from swarmtui.config import load_settings
from swarmtui.ui.remembering import SettingError
from swarmtui.ui.widgets.footer import KeyFooter
from swarmtui.ui.widgets.logs import LogBatch, LogsPane, LogView
from tests.ui.recorded import SERVICE, main_screen, make_app

TABLES = ("#services", "#nodes", "#tasks-table", "#queue-table")


def shown(widget) -> list[str]:
    """The widget's lines as drawn."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


def footer_text(app) -> str:
    return " ".join(f"{key.key_display} {key.description}" for key in app.screen.query_one(KeyFooter).children
                    if key.region.right <= app.size.width and key.region.width)


def run(size, body) -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await main_screen(pilot)
            await body(app, pilot)
    asyncio.run(go())


def test_no_column_header_is_cut_and_no_table_scrolls_sideways_at_160x48() -> None:
    async def body(app, pilot) -> None:
        for selector in TABLES:
            table = app.query_one(selector)
            header = shown(table)[0]
            for column in table.columns.values():
                assert f" {column.label.plain} " in f" {header} ", f"{selector}: {column.label.plain!r} cut in {header!r}"
            assert table.max_scroll_x == 0, f"{selector} scrolls sideways at 160 columns"
    run((160, 48), body)


def test_a_140_character_log_line_shows_in_full_at_160_columns() -> None:
    async def body(app, pilot) -> None:
        logs = app.query_one(LogsPane)
        text = ("0.01 done https://books.example/catalogue/" + "a-long-path-" * 20)[:139] + "Z"
        assert len(text) == 140
        line = LogLine("o0bhgrqlopbi", SERVICE, 1, "lab-manager-1", "2026-11-26T23:46:30.000000000Z", text)
        logs.post_message(LogBatch([line], logs.generation))
        await pilot.pause(0.3)
        view = logs.query_one(LogView)
        assert any(text in row for row in shown(view)), shown(view)[-3:]
        assert view.max_scroll_x == 0, "a line that fits still scrolls sideways"
    run((160, 48), body)


def test_the_footer_starts_with_help_then_the_focused_panes_keys() -> None:
    async def body(app, pilot) -> None:
        for size in ((80, 24), (160, 48)):
            await pilot.resize_terminal(*size)
            await pilot.press("4")  # the logs pane
            await pilot.pause(0.3)
            text = footer_text(app)
            assert text.startswith("? Help f Follow"), (size, text)
        assert "q Quit" in text and "/ Filter" in text and "z Zoom" in text, text  # 160 keeps the app's keys too
        await pilot.press("2")
        await pilot.pause(0.3)
        assert footer_text(app).endswith("z Zoom q Quit"), footer_text(app)  # the services pane's keys fit all
    run((160, 48), body)


def test_v_switches_to_the_logs_layout_and_back() -> None:
    async def body(app, pilot) -> None:
        logs = app.query_one(LogsPane)
        standard = logs.size.height
        await pilot.press("v")
        await pilot.pause(0.2)
        assert app.layout == "logs"
        assert not app.query_one("#nodes").display and not app.query_one("#tasks").display
        assert app.query_one("#queue").display and app.query_one("#timeline").display
        assert logs.size.height > standard + 10, (standard, logs.size.height)
        await pilot.press("3")  # the tasks pane is folded away in this layout: back to the standard one
        await pilot.pause(0.2)
        assert app.layout == "standard" and app.query_one("#tasks").display
        assert app.focused is app.query_one("#tasks-table")
    run((160, 48), body)


def test_an_unknown_layout_in_the_config_is_a_clear_error() -> None:
    try:
        make_app(layout="huge")
    except SettingError as exc:
        assert "layout: 'huge'" in str(exc) and "standard" in str(exc)
    else:
        raise AssertionError("layout = 'huge' accepted")


def test_the_layout_chosen_is_remembered_in_config_toml_and_used_at_the_next_start(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\nmax_replicas = 50\n')

    async def go() -> None:
        app = make_app(config_path=path)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause(0.2)
            await pilot.press("v")
            await pilot.pause(0.2)
        again = make_app(config_path=path, layout=load_settings(env={}, path=path).layout)
        async with again.run_test(size=(160, 48)) as pilot:
            await pilot.pause(0.2)
            assert again.layout == "logs" and not again.query_one("#nodes").display
    asyncio.run(go())
    text = path.read_text()
    assert 'layout = "logs"' in text and "# mine" in text and "max_replicas = 50" in text, text
