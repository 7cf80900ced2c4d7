"""`?`: every key, grouped by pane, built from the one action table."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from swarmtui.ui.actions import ACTIONS

PANE_KEYS = {
    "global": [("tab / shift+tab", "next / previous pane"), ("1 … 6", "nodes, services, tasks, logs, queue, timeline"),
               ("esc", "back: close a dialog, clear a filter, restore a zoomed pane"), ("ctrl+p", "command palette")],
}
KEY_NAMES = {"question_mark": "?", "colon": ":", "slash": "/", "plus": "+", "minus": "-"}


def help_table(read_only: bool) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for pane in ("global", "services", "nodes"):
        table.add_row(f"[b]{pane.capitalize()}[/b]", "")
        for action in (a for a in ACTIONS if a.pane == pane):
            note = "  (disabled: read-only)" if read_only and action.dangerous else ""
            table.add_row(KEY_NAMES.get(action.key, action.key), action.help + note)
        for key, text in PANE_KEYS.get(pane, []):
            table.add_row(key, text)
        table.add_row("", "")
    table.add_row("[b]Logs / Queue[/b]", "their own keys show in the footer when focused")
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; height: 90%; border: thick $accent; background: $surface; padding: 1 2; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, read_only: bool = False) -> None:
        super().__init__()
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_table(self.read_only))
