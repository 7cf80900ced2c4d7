"""A DataTable that is updated in place, not rebuilt on every refresh.

Rows are keyed by Docker IDs. A sync removes vanished keys, touches only the
cells whose value changed, appends new rows and re-sorts only when the set or
order of rows changed (after dolphie's Processlist and k9s' table diffing), so
the cursor and scroll position survive every refresh. A filter hides rows that
do not contain the text without forgetting them.

At fleet scale (hundreds of rows) two DataTable costs matter: `remove_row` is
O(rows) each, so a sync or a filter key that drops more than BULK_REMOVALS rows
rebuilds the rows once instead (the cursor stays on its row); and
`update_cell(update_width=True)` re-measures the whole column whenever a value
gets narrower, so widths are only asked for when a value is wider than its column.
"""

from __future__ import annotations

from typing import Any, Mapping

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from swarmtui.ui._textual_private import drop_render_caches

Cells = tuple[Any, ...]
BULK_REMOVALS = 32  # more rows gone than this in one sync: rebuild instead of remove_row each


def plain(value: Any) -> str:
    return value.plain if isinstance(value, Text) else str(value)


class LiveTable(DataTable):
    # (column key, label) pairs; subclasses set them.
    COLUMNS: tuple[tuple[str, str], ...] = ()

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._all: dict[str, Cells] = {}
        self._shown: dict[str, Cells] = {}
        self.filter_text = ""
        self._widths_stale = False

    def on_mount(self) -> None:
        for key, label in self.COLUMNS:
            self.add_column(label, key=key)

    # ---- what subclasses may override --------------------------------------
    def sort_key(self, cells: Cells) -> Any:
        return plain(cells[0])

    # ---- public -------------------------------------------------------------
    @property
    def highlighted_key(self) -> str | None:
        if not self._shown or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def sync(self, rows: Mapping[str, Cells]) -> None:
        self._all = dict(rows)
        self._apply()

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
        return {k: c for k, c in self._all.items() if self.filter_text in " ".join(plain(v) for v in c).lower()}

    def _apply(self) -> None:
        visible = self._visible()
        keep_key = self.highlighted_key
        gone = [k for k in self._shown if k not in visible]
        if len(gone) > BULK_REMOVALS:
            self._rebuild(visible, keep_key)
            return
        reorder = False
        columns = [key for key, _ in self.COLUMNS]
        for key in gone:
            self.remove_row(key)
            del self._shown[key]
            reorder = True
        for key, cells in visible.items():
            old = self._shown.get(key)
            if old is None:
                self.add_row(*cells, key=key)
                reorder = True
            elif old != cells:
                for column, before, after in zip(columns, old, cells):
                    if before != after:
                        self.update_cell(key, column, after, update_width=self._widens(column, after))
                reorder = reorder or self.sort_key(old) != self.sort_key(cells)
            self._shown[key] = cells
        if reorder and self._shown:
            self.sort(key=self.sort_key)
        self._keep_cursor(keep_key)

    def _rebuild(self, visible: Mapping[str, Cells], keep_key: str | None) -> None:
        """Many rows gone at once (a filter key, a scale-down): one clear and one add per row."""
        self.clear()
        self._shown = {}
        # the first row added is highlighted by the DataTable: make it the cursor's own row
        order = sorted(visible, key=lambda k: (k != keep_key,))
        for key in order:
            self.add_row(*visible[key], key=key)
            self._shown[key] = visible[key]
        if self._shown:
            self.sort(key=self.sort_key)
        self._keep_cursor(keep_key, scroll=True)

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
