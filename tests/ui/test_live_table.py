"""LiveTable updates in place: the cursor stays on its row, unchanged cells are not touched."""

from textual.app import App, ComposeResult

from swarmtui.ui.widgets.table import LiveTable


class Pets(LiveTable):
    COLUMNS = (("name", "NAME"), ("legs", "LEGS"))


class Host(App):
    def compose(self) -> ComposeResult:
        yield Pets()


async def test_sync_keeps_the_cursor_on_the_same_row_and_filters_without_forgetting():
    app = Host()
    async with app.run_test() as pilot:
        table = app.query_one(Pets)
        table.sync({"c": ("cat", "4"), "d": ("dog", "4"), "e": ("emu", "2")})
        await pilot.pause()
        table.move_cursor(row=2)
        assert table.highlighted_key == "e"
        table.sync({"a": ("ant", "6"), "c": ("cat", "4"), "e": ("emu", "2")})  # dog gone, ant first
        await pilot.pause()
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["ant", "cat", "emu"]
        assert table.highlighted_key == "e", "the cursor follows its row, not its index"
        table.set_filter("a")
        await pilot.pause()
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["ant", "cat"]
        table.set_filter("")
        assert table.row_count == 3 and table.total_rows == 3


async def test_unchanged_rows_are_not_rewritten():
    app = Host()
    async with app.run_test() as pilot:
        table = app.query_one(Pets)
        table.sync({"c": ("cat", "4"), "d": ("dog", "4")})
        await pilot.pause()
        writes = []
        original = table.update_cell
        table.update_cell = lambda *a, **k: (writes.append(a), original(*a, **k))
        table.sync({"c": ("cat", "4"), "d": ("dog", "3")})
        assert writes == [("d", "legs", "3")]


def names(table) -> list[str]:
    return [table.get_row_at(i)[0] for i in range(table.row_count)]


async def test_sorting_is_by_value_keeps_the_cursor_and_reverses():
    app = Host()
    async with app.run_test() as pilot:
        table = app.query_one(Pets)
        rows = {"c": ("cat", "4"), "s": ("spider", "8"), "e": ("emu", "2"), "k": ("centipede", "100"), "x": ("ghost", "?")}
        values = {"c": ("cat", 4), "s": ("spider", 8), "e": ("emu", 2), "k": ("centipede", 100), "x": ("ghost", None)}
        table.sync(rows, values)
        await pilot.pause()
        table.move_cursor(row=names(table).index("spider"))
        table.focus()
        await pilot.press("greater_than_sign", "greater_than_sign")  # NAME, then LEGS
        assert table.sort_spec == "legs"
        assert names(table) == ["emu", "cat", "spider", "centipede", "ghost"], "100 after 8 (as text it would be first); no value last"
        assert table.highlighted_key == "s", "the cursor stays on its row"
        assert [str(c.label) for c in table.ordered_columns] == ["NAME", "LEGS ▲"]
        await pilot.press("exclamation_mark")
        assert names(table) == ["centipede", "spider", "cat", "emu", "ghost"] and table.highlighted_key == "s"
        assert [str(c.label) for c in table.ordered_columns] == ["NAME", "LEGS ▼"]
        table.sync({**rows, "a": ("ant", "6")}, {**values, "a": ("ant", 6)})  # a refresh keeps the order
        await pilot.pause()
        assert names(table) == ["centipede", "spider", "ant", "cat", "emu", "ghost"] and table.highlighted_key == "s"
        await pilot.press("greater_than_sign")  # past the last column: the table's own order, unmarked
        assert table.sort_spec is None and names(table)[0] == "ant"
        assert [str(c.label) for c in table.ordered_columns] == ["NAME", "LEGS"]


async def test_a_refresh_of_500_nodes_styles_only_the_nodes_that_changed(monkeypatch):
    # Counted, not timed: 500 nodes' cells cost ~0.2 s of the UI thread per refresh to make.
    import dataclasses
    import json
    from pathlib import Path

    from swarmtui.cluster import convert
    from swarmtui.ui.widgets import nodes as nodes_module

    raw = json.loads((Path(__file__).parents[1] / "unit" / "fixtures" / "cluster_nodes.json").read_text())[0]
    base = convert.node(raw, 3)
    fleet = tuple(dataclasses.replace(base, id=f"n{i:03d}", hostname=f"crawl-{i:03d}") for i in range(500))

    class NodesHost(App):
        def compose(self) -> ComposeResult:
            yield nodes_module.NodesTable()

    made = []
    node_cells = nodes_module.node_cells
    monkeypatch.setattr(nodes_module, "node_cells", lambda n: (made.append(n.id), node_cells(n))[1])
    async with NodesHost().run_test() as pilot:
        table = pilot.app.query_one(nodes_module.NodesTable)
        table.show(fleet)
        await pilot.pause()
        assert len(made) == 500 and table.row_count == 500
        made.clear()
        down = dataclasses.replace(fleet[7], status="down")
        table.show(fleet[:7] + (down,) + fleet[8:])
        await pilot.pause()
        assert made == ["n007"], f"{len(made)} nodes styled for one change"
        assert table.get_cell("n007", "status").plain == "Down"


async def test_a_filter_key_reads_each_row_once_and_measures_only_rows_that_could_widen(monkeypatch):
    """A filter key on 500 rows: each row's search text is made once (not again per key while its
    cells stay the same), and rows shown again are not measured again by DataTable unless a cell
    could widen its column (the 500-node figures: docs/performance.md)."""
    from swarmtui.ui.widgets import table as table_module

    made = []
    real = table_module.search_text
    monkeypatch.setattr(table_module, "search_text", lambda cells: made.append(cells) or real(cells))
    widths = []  # cells measured to know whether a row shown again fits its columns (each key measured them all)
    real_widths = table_module.cell_widths
    monkeypatch.setattr(table_module, "cell_widths", lambda cells: widths.append(cells) or real_widths(cells))
    app = Host()
    async with app.run_test() as pilot:
        table = app.query_one(Pets)
        rows = {f"k{i}": (f"crawl-{'fra' if i % 5 else 'ams'}-{i:03}", str(i % 9)) for i in range(500)}
        table.sync(rows)
        await pilot.pause()
        measured = []
        update_dimensions = table._update_dimensions  # DataTable's idle measuring of the rows it was given
        table._update_dimensions = lambda new_rows: measured.append(len(new_rows)) or update_dimensions(new_rows)
        for text in ("c", "crawl-a", "crawl-am", "crawl-a", "c", ""):
            table.set_filter(text)
            await pilot.pause()
        assert len(made) == 500, f"{len(made)} search texts made for 500 rows and 6 keys"
        assert len(widths) == 500, f"{len(widths)} rows' cells measured for 500 rows and 6 keys"
        assert table.row_count == 500 and sum(measured) == 0, measured
        # a wide row that arrived while filtered out: measured when shown, and its column widens
        table.set_filter("ams")
        table.sync({**rows, "w": ("crawl-fra-" + "x" * 40, "1")})
        await pilot.pause()
        table.set_filter("")
        await pilot.pause()
        assert sum(measured) == 1 and table.columns[next(iter(table.columns))].content_width == 50
        assert len(made) == 501
