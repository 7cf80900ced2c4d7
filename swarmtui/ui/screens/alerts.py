"""`:alerts`: every alert raised since swarmtui started, newest first (severity, time, object, sentence)."""

from __future__ import annotations

from typing import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from swarmtui.alerts.models import Alert
from swarmtui.ui.actions import bindings

STYLES = {"CRITICAL": "bold red", "WARNING": "bold yellow", "INFO": "cyan", "RESOLVED": "green"}


def alerts_table(alerts: Sequence[Alert]) -> Table:
    table = Table(box=None, padding=(0, 1), expand=True)
    for name in ("TIME", "STATUS", "OBJECT", "WHAT"):
        table.add_column(name, no_wrap=name != "WHAT", style="bold" if name == "OBJECT" else "")
    for alert in reversed(alerts):
        table.add_row(alert.when.replace("T", " ").rstrip("Z"), Text(alert.status, STYLES.get(alert.status, "")), alert.object, alert.sentence)
    return table


class AlertsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    AlertsScreen { align: center middle; }
    AlertsScreen > VerticalScroll { width: 90%; height: 80%; border: thick $accent; background: $surface; padding: 0 1; }
    """
    BINDINGS = bindings("alerts")

    def __init__(self, alerts: Sequence[Alert]) -> None:
        super().__init__()
        self.alerts = tuple(alerts)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = f"Alerts ({len(self.alerts)}) — esc closes"
            yield Static(alerts_table(self.alerts) if self.alerts else "No alert since swarmtui started.", id="alerts-list")
