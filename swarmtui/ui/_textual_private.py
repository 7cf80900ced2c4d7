"""The Textual internals swarmtui relies on, in one place (Textual 8.x)."""

from __future__ import annotations

from textual.widgets import DataTable


def drop_render_caches(table: DataTable) -> None:
    """Forget every line a DataTable rendered, so the next paint uses the current column widths.

    Why private: DataTable widens its columns in its own idle handler but keeps the lines it
    painted before with the old widths (rows added inside `batch_update`); no public call drops
    its line cache (`refresh()` repaints from it)."""
    table._clear_caches()
