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
