"""A DataTable that is updated in place, never rebuilt.

Rows are keyed by Docker IDs. A sync removes vanished keys, touches only the
cells whose value changed, appends new rows and re-sorts only when the set or
order of rows changed (after dolphie's Processlist and k9s' table diffing), so
the cursor and scroll position survive every refresh. A filter hides rows that
do not contain the text without forgetting them.
"""

from __future__ import annotations

from typing import Any, Mapping

from rich.text import Text
from textual.widgets import DataTable

Cells = tuple[Any, ...]


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

    @property
    def total_rows(self) -> int:
        return len(self._all)

    def on_idle(self) -> None:
        # DataTable measures new cells in its own idle handler (which runs before this one) but
        # keeps lines it painted before that with the old column widths: drop them once.
        if self._widths_stale:
            self._widths_stale = False
            self._clear_caches()
            self.refresh()

    # ---- internals ----------------------------------------------------------
    def _visible(self) -> dict[str, Cells]:
        if not self.filter_text:
            return self._all
        return {k: c for k, c in self._all.items() if self.filter_text in " ".join(plain(v) for v in c).lower()}

    def _apply(self) -> None:
        visible = self._visible()
        keep_key = self.highlighted_key
        reorder = changed = False
        columns = [key for key, _ in self.COLUMNS]
        for key in [k for k in self._shown if k not in visible]:
            self.remove_row(key)
            del self._shown[key]
            reorder = True
        for key, cells in visible.items():
            old = self._shown.get(key)
            if old is None:
                self.add_row(*cells, key=key)
                reorder = True
            elif old != cells:
                changed = True
                for column, before, after in zip(columns, old, cells):
                    if before != after:
                        self.update_cell(key, column, after, update_width=True)
                reorder = reorder or self.sort_key(old) != self.sort_key(cells)
            self._shown[key] = cells
        self._widths_stale = self._widths_stale or reorder or changed
        if reorder and self._shown:
            self.sort(key=self.sort_key)
        if keep_key in self._shown:
            row = self.get_row_index(keep_key)
            if row != self.cursor_row:
                self.move_cursor(row=row, animate=False, scroll=False)
