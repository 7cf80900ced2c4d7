"""The Textual internals swarmtui relies on, in one place (Textual 8.x)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey


def drop_render_caches(table: DataTable) -> None:
    """Forget every line a DataTable rendered, so the next paint uses the current column widths.

    Why private: DataTable widens its columns in its own idle handler but keeps the lines it
    painted before with the old widths (rows added inside `batch_update`); no public call drops
    its line cache (`refresh()` repaints from it)."""
    table._clear_caches()


def key_name_of(character: str) -> str:
    """The key name Textual gives a printable character ('+' -> 'plus', '?' -> 'question_mark').

    Why private: the user's [keys] keymap is checked against the names Textual itself binds, and
    textual.keys has no public function from a character to its key name."""
    from textual.keys import _character_to_key

    return _character_to_key(character)


def order_rows(table: DataTable, row_keys: list[str]) -> None:
    """Show the rows in this order (every row key of the table, once).

    Why private: `DataTable.sort` hands its key function a row's cells but not its row key, and
    swarmtui sorts by values kept per row key (a number, a time), not by the drawn cells; this is
    the last half of `DataTable.sort` itself."""
    from textual._two_way_dict import TwoWayDict
    from textual.widgets.data_table import RowKey

    table._row_locations = TwoWayDict({RowKey(key): index for index, key in enumerate(row_keys)})
    table._update_count += 1
    table.refresh()


def set_column_label(table: DataTable, column: str, label: Text) -> None:
    """Relabel a column (the sort mark), widening it if the label needs it.

    Why private: DataTable has no call to change a column's label; it measures labels only when
    a column is added."""
    from textual.widgets._data_table import measure

    col = table.columns[ColumnKey(column)]
    col.label = label
    col.content_width = max(col.content_width, measure(table.app.console, label, 1))
    table._require_update_dimensions = True
    table._clear_caches()
    table.refresh()


def footer_key_class():
    """Textual's FooterKey, the widget Footer yields per binding.

    Why private: swarmtui's footer (widgets/footer.py) orders the keys itself and Textual only
    exports Footer, not the FooterKey it composes from (textual.widgets._footer)."""
    from textual.widgets._footer import FooterKey

    return FooterKey


def footer_bindings_ready(footer) -> bool:
    """Whether Footer has seen its screen's bindings (it composes nothing before).

    Why private: Footer keeps that flag in `_bindings_ready` and composes empty until it is set."""
    return footer._bindings_ready


def set_footer_key_disabled(key, disabled: bool) -> None:
    """Enable or disable a FooterKey already shown (dimmed, and a click rings the bell).

    Why private: FooterKey takes `disabled` only when it is made, keeps it in `_disabled`, and
    swarmtui's footer changes its keys in place instead of making them again (widgets/footer.py)."""
    if key._disabled != disabled:
        key._disabled = disabled
        key.set_class(disabled, "-disabled")


def skip_measuring(table: DataTable, row_key: str) -> None:
    """DataTable need not measure the cells of this row it was just given: they fit its columns.

    Why private: DataTable measures every added row's cells in its idle handler (the keys in
    `_new_rows`), with Rich, cell by cell; a filter key that brings 400 rows back spent a good part
    of its frame there although no column could widen (swarmtui checks that first, cheaply). The
    table's size is still updated (`_require_update_dimensions` stays set by add_row)."""
    from textual.widgets.data_table import RowKey

    table._new_rows.discard(RowKey(row_key))


def update_scrollbars(widget, virtual_size) -> None:
    """Size a widget's scrollbars to a new virtual size, without a layout pass.

    Why private: the layout pass does this (`Widget._scroll_update`), and a layout pass repaints the
    whole screen; swarmtui's tables skip it when their box cannot change (widgets/table.py)."""
    widget._scroll_update(virtual_size)


def remove_rows(table: DataTable, row_keys) -> None:
    """Remove these rows in one pass over the rest (DataTable.remove_row, for many rows at once).

    Why private: `remove_row` rebuilds the index of every remaining row for each row removed
    (O(rows) each: a filter key hiding 400 of 500 rows) and asks for a layout pass of the whole
    screen each time; the table's size is updated in its idle handler anyway (`_update_dimensions`,
    which LiveTable's virtual size watcher turns into a layout only when its box can change)."""
    from textual._two_way_dict import TwoWayDict
    from textual.widgets.data_table import CellKey, RowKey

    gone = {RowKey(key) for key in row_keys}
    if not gone:
        return
    locations = table._row_locations
    kept = sorted((locations.get(key), key) for key in locations if key not in gone)
    table._row_locations = TwoWayDict({key: index for index, (_, key) in enumerate(kept)})
    for row_key in gone:
        for column_key in table._data.get(row_key, ()):
            table._updated_cells.discard(CellKey(row_key, column_key))
        table.rows.pop(row_key, None)
        table._data.pop(row_key, None)
    table._require_update_dimensions = True
    table.check_idle()
    table.cursor_coordinate = table.cursor_coordinate
    table.hover_coordinate = table.hover_coordinate
    table._update_count += 1
    table.refresh()


def restyle_keeping_renders(table: DataTable) -> None:
    """What DataTable.notify_style_update does, but keeping the cells, rows and lines it rendered.

    Why private: DataTable drops every render cache on each restyle, and a pane switch restyles the
    two tables whose focus changed, so each re-rendered every visible cell with Rich (~25 ms of a
    switch at 500 nodes). Those caches are keyed by the base style and the pseudo-class state (focus
    included): an entry is right whenever the component styles of its state are what they were.
    The caller checks that before its next paint (the component styles are updated only after this
    call) and drops them with drop_render_caches when they are not."""
    from textual.widget import Widget

    Widget.notify_style_update(table)
    table._styles_cache.clear()
    table._get_styles_to_render_cell.cache_clear()
    table.refresh()
