"""What the TUI remembers between starts: the theme, the layout, each table's sort order.

They are read from config.toml with the rest of the settings and written back by
settings_store.py (only the key that changed).  A bad value stops the start, naming the key,
like a bad [keys] entry; a failed write is said and loses nothing.
"""

from __future__ import annotations

from typing import Any

from textual.theme import Theme

from swarmtui.config import ConfigError, Settings
from swarmtui.settings_store import SettingsStore
from swarmtui.ui.layouts import LAYOUTS
from swarmtui.ui.screens.stacks import ObjectsScreen, StacksScreen
from swarmtui.ui.widgets.nodes import NodesTable
from swarmtui.ui.widgets.queue import QueueTable
from swarmtui.ui.widgets.services import ServicesTable
from swarmtui.ui.widgets.table import LiveTable, parse_sort
from swarmtui.ui.widgets.tasks import TasksTable

THEME_SETTLE_SECONDS = 0.5  # the palette's theme list previews each theme it passes: write the one that stays

# [sort] key -> the columns of that table
SORTABLE: dict[str, tuple[tuple[str, str], ...]] = {
    "nodes": NodesTable.COLUMNS, "services": ServicesTable.COLUMNS, "tasks": TasksTable.COLUMNS,
    "queue": QueueTable.COLUMNS, "stacks": StacksScreen.COLUMNS, "secrets": ObjectsScreen.COLUMNS,
    "configs": ObjectsScreen.COLUMNS,
}


class SettingError(ValueError):
    """A remembered value in config.toml the TUI cannot use; the message names the key."""


def check_remembered(settings: Settings, themes) -> dict[str, tuple[str, bool]]:
    """The [sort] orders as (column, reversed) per table; SettingError for a bad theme, layout or order."""
    problems = []
    if settings.theme is not None and settings.theme not in themes:
        problems.append(f"theme: {settings.theme!r} is not a theme (one of {', '.join(sorted(themes))})")
    if settings.layout is not None and settings.layout not in LAYOUTS:
        problems.append(f"layout: {settings.layout!r} is not a layout (one of {', '.join(LAYOUTS)})")
    orders = {}
    for table, spec in settings.sort.items():
        if table not in SORTABLE:
            problems.append(f"[sort] {table}: no such table (tables: {', '.join(SORTABLE)})")
            continue
        try:
            orders[table] = parse_sort(spec, SORTABLE[table])
        except ValueError as exc:
            problems.append(f"[sort] {table}: {exc}")
    if problems:
        raise SettingError("; ".join(problems))
    return orders


class Remembering:
    """SwarmApp's side: apply what was remembered, remember what the user changes."""

    def start_remembering(self, settings: Settings) -> None:
        """In __init__: check the values (SettingError) and open the store."""
        self.sort_orders = check_remembered(settings, self.available_themes)  # type: ignore[attr-defined]
        self.settings_store = SettingsStore(settings.config_path)
        self._theme_kept = settings.theme or self.theme  # type: ignore[attr-defined]
        self._theme_timer = None

    def apply_remembered(self) -> None:
        """In on_mount: the theme, then follow the palette's theme changes."""
        app: Any = self
        app.theme = self._theme_kept
        app.theme_changed_signal.subscribe(app, self._theme_changed)

    def remember(self, section: str | None, key: str, value: Any) -> bool:
        """Write one setting into config.toml (None removes it); a failure is shown, never raised."""
        try:
            self.settings_store.remember(section, key, value)
        except ConfigError as exc:
            self.notify(f"not remembered: {exc}", severity="error")  # type: ignore[attr-defined]
            return False
        return True

    def _theme_changed(self, theme: Theme) -> None:
        if self._theme_timer is not None:
            self._theme_timer.stop()
        self._theme_timer = self.set_timer(THEME_SETTLE_SECONDS, self.keep_theme)  # type: ignore[attr-defined]

    def keep_theme(self) -> None:
        """Write the theme now if it changed (also called on quit, before the settle timer fires)."""
        theme = self.theme  # type: ignore[attr-defined]
        if theme != self._theme_kept:  # not the start's own announcement, nor a preview taken back
            self._theme_kept = theme
            self.remember(None, "theme", theme)

    # ---- sorting ---------------------------------------------------------------------
    def apply_sort(self, table: LiveTable) -> None:
        """A table's remembered order (at its start)."""
        if table.sort_name in self.sort_orders:
            table.set_sort(*self.sort_orders[table.sort_name])

    def remember_sort(self, table: LiveTable) -> None:
        """A table's order changed (its keys): remember it, or forget it back at its own order."""
        if table.sort_column is None:
            self.sort_orders.pop(table.sort_name, None)
        else:
            self.sort_orders[table.sort_name] = (table.sort_column, table.sort_reverse)
        self.remember("sort", table.sort_name, table.sort_spec)

    def action_sort_table(self, step: int) -> None:
        """The palette's sort entries: the focused table's keys."""
        table = self.focused  # type: ignore[attr-defined]
        if not isinstance(table, LiveTable):
            self.notify("sort: go to a table first", severity="warning")  # type: ignore[attr-defined]
            return
        table.action_sort_table(step)
