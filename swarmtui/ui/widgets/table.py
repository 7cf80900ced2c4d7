"""A DataTable that is updated in place, not rebuilt on every refresh.

Rows are keyed by Docker IDs. A sync removes vanished keys, touches only the
cells whose value changed, appends new rows and re-sorts only when the set or
order of rows changed (after dolphie's Processlist and k9s' table diffing), so
the cursor and scroll position survive every refresh. A filter hides rows that
do not contain the text without forgetting them.

At fleet scale (hundreds of rows) three DataTable costs matter: `remove_row` is
O(rows) each and a layout pass of the screen, so the rows a sync or a filter key
drops go in one pass (`remove_rows`); `update_cell(update_width=True)` re-measures
the whole column whenever a value gets narrower, so widths are only asked for when
a value is wider than its column; and a change of the row count is a layout pass
only when the table's box can change (watch_virtual_size).

Sorting (`<` `>` move the sort column, `!` reverses; the keys are in the action table's
"tables" scope) orders rows by values the table was given per row (a number, a time, a state's
rank), never by the drawn text; rows without a value for the column go last either way, and
rows that tie keep the table's own order.  The sort column is marked ▲ / ▼ in the header.
"""

from __future__ import annotations

from typing import Any, Mapping

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from swarmtui.ui._textual_private import (
    drop_render_caches,
    order_rows,
    remove_rows,
    restyle_keeping_renders,
    set_column_label,
    skip_measuring,
    update_scrollbars,
)
from swarmtui.ui.actions import bindings

Cells = tuple[Any, ...]
Values = tuple[Any, ...]  # one sortable value per column (None: sorts last)
MARKS = {False: " ▲", True: " ▼"}


def plain(value: Any) -> str:
    return value.plain if isinstance(value, Text) else str(value)


def search_text(cells: Cells) -> str:
    """What a filter matches a row against: its cells' text, lower case."""
    return " ".join(plain(v) for v in cells).lower()


def cell_widths(cells: Cells) -> tuple[int, ...] | None:
    """Each cell's width in columns, or None when one must be measured by DataTable (markup, several
    lines, a value it formats itself such as a float)."""
    widths = []
    for value in cells:
        if isinstance(value, str) and ("[" in value or "\n" in value):
            return None
        if not isinstance(value, (Text, str)):
            return None
        text = plain(value)
        if "\n" in text:
            return None
        widths.append(cell_len(text))
    return tuple(widths)


def parse_sort(spec: str, columns: tuple[tuple[str, str], ...]) -> tuple[str, bool]:
    """'replicas desc' -> ('replicas', True); ValueError naming the columns otherwise."""
    words = spec.split()
    keys = [key for key, _ in columns]
    if not words or len(words) > 2 or words[0] not in keys or words[1:] not in ([], ["asc"], ["desc"]):
        raise ValueError(f"{spec!r} is not a sort order: give \"COLUMN\" or \"COLUMN desc\", COLUMN one of {', '.join(keys)}")
    return words[0], words[1:] == ["desc"]


class LiveTable(DataTable):
    # (column key, label) pairs; subclasses set them.
    COLUMNS: tuple[tuple[str, str], ...] = ()
    BINDINGS = bindings("tables")  # sorting, on every table
    SORT_NAME = ""  # the key in config.toml's [sort] that remembers this table's order

    # DataTable sets its virtual size whenever its rows change, and Textual makes that a layout pass
    # of the whole screen, every widget repainted (~45 ms at 500 nodes: most of a filter key's frame).
    # A table taller than its box before and after keeps its box: only its scrollbar moves
    # (watch_virtual_size asks for the layout in every other case).
    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, columns: tuple[tuple[str, str], ...] | None = None, sort_name: str = "", **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        if columns is not None:
            self.COLUMNS = columns
        self.sort_name = sort_name or self.SORT_NAME
        self._all: dict[str, Cells] = {}
        self._shown: dict[str, Cells] = {}
        self._values: dict[str, Values] = {}
        self._previous_values: dict[str, Values] = {}
        # per row: its cells, their search_text and cell_widths (made again only when the cells change)
        self._searched: dict[str, tuple[Cells, str, tuple[int, ...] | None]] = {}
        self.filter_text = ""
        self.rows_measured = 0  # rows whose search text and cell widths were made (counted by tests)
        self._styles_seen: dict[Any, tuple] = {}  # pseudo-class state -> the styles rendered under it
        self.restyles_kept = 0  # restyles that kept the rendered cells (counted by tests)
        self._restyled = False
        self._widths_stale = False
        self.sort_column: str | None = None  # None: the table's own order (sort_key)
        self.sort_reverse = False

    def on_mount(self) -> None:
        for key, label in self.COLUMNS:
            self.add_column(label, key=key)
        self._mark_header()
        apply_sort = getattr(self.app, "apply_sort", None)  # SwarmApp: the order remembered in config.toml
        if apply_sort is not None and self.sort_name:
            apply_sort(self)

    # ---- what subclasses may override --------------------------------------
    def sort_key(self, cells: Cells) -> Any:
        return plain(cells[0])

    # ---- public -------------------------------------------------------------
    @property
    def highlighted_key(self) -> str | None:
        if not self._shown or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def sync(self, rows: Mapping[str, Cells], values: Mapping[str, Values] | None = None) -> None:
        """`values`: per row key, what each column sorts by (default: the cell's text)."""
        self._all = dict(rows)
        self._previous_values, self._values = self._values, dict(values or {})
        self._apply()

    # ---- sorting --------------------------------------------------------------
    @property
    def sort_spec(self) -> str | None:
        """How config.toml's [sort] writes the order (None: the table's own)."""
        if self.sort_column is None:
            return None
        return f"{self.sort_column} desc" if self.sort_reverse else self.sort_column

    def set_sort(self, column: str | None, reverse: bool = False) -> None:
        self.sort_column, self.sort_reverse = column, reverse and column is not None
        self._mark_header()
        if self._shown:
            keep_key = self.highlighted_key
            self._reorder()
            self._keep_cursor(keep_key, scroll=True)

    def step_sort(self, step: int) -> None:
        """The next (previous) column; after the last one the table's own order."""
        keys = [None, *(key for key, _ in self.COLUMNS)]
        self.set_sort(keys[(keys.index(self.sort_column) + step) % len(keys)])

    def flip_sort(self) -> None:
        self.set_sort(self.sort_column or self.COLUMNS[0][0], not self.sort_reverse)

    def action_sort_table(self, step: int) -> None:
        """`>` / `<` (step 1 / -1) move the sort column, `!` (0) reverses it."""
        self.flip_sort() if step == 0 else self.step_sort(step)
        remember = getattr(self.app, "remember_sort", None)  # SwarmApp: into config.toml's [sort]
        if remember is not None and self.sort_name:
            remember(self)

    def _mark_header(self) -> None:
        if not self.columns:
            return  # not mounted yet: on_mount marks it
        for key, label in self.COLUMNS:
            mark = MARKS[self.sort_reverse] if key == self.sort_column else ""
            if plain(self.columns[ColumnKey(key)].label) != label + mark:
                set_column_label(self, key, Text(label + mark))

    def sort_value(self, key: str, column: str) -> Any:
        """What row `key` sorts by in `column` now (None: no value, it goes last)."""
        return self._value(key, next(i for i, (k, _) in enumerate(self.COLUMNS) if k == column))

    def _value(self, key: str, index: int) -> Any:
        values = self._values.get(key)
        if values is not None:
            return values[index]
        return plain(self._shown[key][index]).lower()

    def _reorder(self) -> None:
        order = sorted(self._shown, key=lambda k: self.sort_key(self._shown[k]))
        if self.sort_column is not None:
            index = next(i for i, (k, _) in enumerate(self.COLUMNS) if k == self.sort_column)
            values = {k: self._value(k, index) for k in order}
            present = [k for k in order if values[k] is not None]
            try:
                present.sort(key=values.__getitem__, reverse=self.sort_reverse)  # stable: ties keep the own order
            except TypeError:  # values of mixed types in one column: fall back to the text
                present.sort(key=lambda k: plain(self._shown[k][index]).lower(), reverse=self.sort_reverse)
            order = present + [k for k in order if values[k] is None]
        order_rows(self, order)

    def _rank(self, key: str, cells: Cells, values: Mapping[str, Values]) -> Any:
        """What decides a row's place: its sort column's value, then the table's own order."""
        own = self.sort_key(cells)
        if self.sort_column is None:
            return own
        index = next(i for i, (k, _) in enumerate(self.COLUMNS) if k == self.sort_column)
        row = values.get(key)
        return (row[index] if row is not None else plain(cells[index]), own)

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip().lower()
        self._apply()

    def patch(self, key: str, column: str, value: Any) -> None:
        """Change one cell now, ahead of the next sync (which brings the whole truth)."""
        cells = self._all.get(key)
        index = next((i for i, (k, _) in enumerate(self.COLUMNS) if k == column), None)
        if cells is None or index is None or cells[index] == value:
            return
        self._all[key] = cells[:index] + (value,) + cells[index + 1:]
        if key in self._shown:
            self._shown[key] = self._all[key]
            self.update_cell(key, column, value, update_width=self._widens(column, value))

    @property
    def total_rows(self) -> int:
        return len(self._all)

    def notify_style_update(self) -> None:
        """A restyle (a pane switch restyles the tables losing and gaining focus): the rendered cells
        are kept until the next paint, which drops them unless the styles of the pseudo-class state
        it paints in are the ones last painted in it (Textual updates component styles after this)."""
        if not self.is_mounted:
            super().notify_style_update()
            return
        self._restyled = True
        restyle_keeping_renders(self)

    def render_lines(self, crop):
        if self._restyled:
            self._restyled = False
            if self._styles_hold():
                self.restyles_kept += 1
            else:
                drop_render_caches(self)
        return super().render_lines(crop)

    def _styles_hold(self) -> bool:
        """Whether the styles of this pseudo-class state are the ones its cached renders were made with."""
        state = self.get_pseudo_class_state()
        styles = (self.rich_style, *(self.get_component_rich_style(name) for name in sorted(self.COMPONENT_CLASSES)))
        seen = self._styles_seen.get(state)
        if seen == styles:
            return True
        if seen is not None:  # the styles themselves changed (a theme): what any state rendered may be stale
            self._styles_seen = {}
        self._styles_seen[state] = styles
        return False

    def watch_virtual_size(self, old: Size, new: Size) -> None:
        view = self.scrollable_content_region
        if view.height > 0 and old.width == new.width and min(old.height, new.height) > view.height:
            update_scrollbars(self, new)
            self.refresh()
        else:
            self.refresh(layout=True)

    def on_idle(self) -> None:
        # DataTable measures new cells in its own idle handler (which runs before this one) but
        # keeps lines it painted before that with the old column widths: drop them once.
        if self._widths_stale:
            self._widths_stale = False
            drop_render_caches(self)
            self.refresh()

    # ---- internals ----------------------------------------------------------
    def _visible(self) -> dict[str, Cells]:
        if not self.filter_text:
            return self._all
        return {k: c for k, c in self._all.items() if self.filter_text in self._search_text(k, c)}

    def _row_info(self, key: str, cells: Cells) -> tuple[Cells, str, tuple[int, ...] | None]:
        """A row's search_text and cell_widths, made again only when its cells changed (each filter
        key reads all rows; a filter showing 400 rows again measured each of their cells)."""
        hit = self._searched.get(key)
        if hit is None or hit[0] is not cells:
            if len(self._searched) > 2 * len(self._all) + 64:  # rows gone for good
                self._searched = {k: v for k, v in self._searched.items() if k in self._all}
            hit = self._searched[key] = (cells, search_text(cells), cell_widths(cells))
            self.rows_measured += 1
        return hit

    def _search_text(self, key: str, cells: Cells) -> str:
        return self._row_info(key, cells)[1]

    def _limits(self) -> list[int]:
        """Each column's width now (-1: not there yet, nothing fits)."""
        return [col.content_width if (col := self.columns.get(ColumnKey(key))) is not None else -1 for key, _ in self.COLUMNS]

    def _add_row(self, key: str, cells: Cells, limits: list[int]) -> None:
        """`limits`: _limits() (the same for every row of one sync: DataTable measures rows later)."""
        self.add_row(*cells, key=key)
        if self._fits(key, cells, limits):
            skip_measuring(self, key)

    def _fits(self, key: str, cells: Cells, limits: list[int]) -> bool:
        """Whether every cell is one line of known width that fits its column as it is now (then
        DataTable need not measure the row: a filter showing rows again, most rows of a sync)."""
        widths = self._row_info(key, cells)[2]
        return widths is not None and all(w <= limit for w, limit in zip(widths, limits))

    def _apply(self) -> None:
        visible = self._visible()
        keep_key = self.highlighted_key
        gone = [k for k in self._shown if k not in visible]
        remove_rows(self, gone)  # the rows left keep their order: no reorder for removals alone
        for key in gone:
            del self._shown[key]
        reorder = False
        columns = [key for key, _ in self.COLUMNS]
        limits = self._limits()
        for key, cells in visible.items():
            old = self._shown.get(key)
            if old is None:
                self._add_row(key, cells, limits)
                reorder = True
            elif old != cells:
                for column, before, after in zip(columns, old, cells):
                    if before != after:
                        self.update_cell(key, column, after, update_width=self._widens(column, after))
                reorder = reorder or self._rank(key, old, self._previous_values) != self._rank(key, cells, self._values)
            elif not reorder and self.sort_column is not None:
                reorder = self._rank(key, old, self._previous_values) != self._rank(key, cells, self._values)
            self._shown[key] = cells
        self._previous_values = self._values
        if reorder and self._shown:
            self._reorder()
        self._keep_cursor(keep_key, scroll=bool(gone))  # rows gone above it: its row may be off screen now

    def _keep_cursor(self, keep_key: str | None, scroll: bool = False) -> None:
        if keep_key in self._shown:
            row = self.get_row_index(keep_key)
            if row != self.cursor_row:
                self.move_cursor(row=row, animate=False, scroll=scroll)

    def _widens(self, column: str, value: Any) -> bool:
        """Whether `value` needs more room than its column has (only then ask DataTable to measure:
        a narrower value makes it re-measure every cell of the column)."""
        if isinstance(value, str) and "[" in value:
            return True  # markup: let DataTable measure it
        col = self.columns.get(ColumnKey(column))
        return col is None or cell_len(plain(value)) > col.content_width
