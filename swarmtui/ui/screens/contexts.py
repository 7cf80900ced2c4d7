"""`:ctx`: the docker CLI's contexts with what each engine says about itself; enter switches to one."""

from __future__ import annotations

from typing import Sequence

from textual.widgets import DataTable

from swarmtui.ui.actions import bindings
from swarmtui.ui.screens.stacks import TableView


def context_cells(state, current: str) -> tuple[str, ...]:
    """A swarmtui.cluster.context_cli.ContextState as a row; `current` is the context swarmtui shows."""
    mark = " ◀ open" if state.name == current else (" *" if state.current else "")
    return (state.name + mark, state.endpoint, state.swarm_id[:12] or "-", state.role or "-",
            "yes" if not state.error else state.error[:90])


class ContextsScreen(TableView):
    BINDINGS = bindings("contexts")
    ACTION_SCOPE = "contexts"
    COLUMNS = (("name", "NAME"), ("endpoint", "ENDPOINT"), ("swarm", "SWARM"), ("role", "ROLE"), ("reachable", "REACHABLE"))
    TITLE = "Docker contexts (* = the docker CLI's current one); enter switches swarmtui to it"

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def show(self, states: Sequence) -> None:
        self.show_rows([(s.name, context_cells(s, self.current), None, s) for s in states])  # sorted by the text

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_switch()

    def action_switch(self) -> None:
        if self.selected is not None:
            self.dismiss(None)
            self.app.switch_context(self.selected.name)  # type: ignore[attr-defined]
