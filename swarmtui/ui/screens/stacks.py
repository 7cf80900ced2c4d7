"""The `:stacks`, `:secrets` and `:configs` views: one table each, over the main screen.

They show plain models (Stack, SwarmObject) the app reads in a worker and hands over with
`show()`; every key calls back into the app (ui/stack_operations.py), which asks the read-only
gate, confirms and runs.  Values of secrets are never here: the Engine does not return them.
"""

from __future__ import annotations

from typing import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from swarmtui.cluster.models import Stack, SwarmObject
from swarmtui.ui.actions import Gated, bindings
from swarmtui.ui.widgets.footer import KeyFooter
from swarmtui.ui.widgets.ranks import STACK_STATES, natural, rank
from swarmtui.ui.widgets.table import LiveTable, Values


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def stack_cells(stack: Stack) -> tuple[str, ...]:
    return (stack.name, str(len(stack.services)), f"{stack.replicas_running}/{stack.replicas_desired}", stack.state,
            ", ".join(stack.images))


def stack_values(stack: Stack) -> Values:
    return (natural(stack.name), len(stack.services), (stack.replicas_running, stack.replicas_desired),
            rank(STACK_STATES, stack.state), ", ".join(stack.images))


def object_values(obj: SwarmObject) -> Values:
    return (natural(obj.name), obj.created, obj.updated, ",".join(f"{k}={v}" for k, v in obj.labels.items()), len(obj.used_by))


def object_cells(obj: SwarmObject) -> tuple[str, ...]:
    return (obj.name, _when(obj.created), _when(obj.updated), ",".join(f"{k}={v}" for k, v in obj.labels.items()),
            ", ".join(f"{u.service_name} → {u.target}" for u in obj.used_by) or "(unused)")


class TableView(Gated, ModalScreen[None]):
    DEFAULT_CSS = """
    TableView { align: center middle; }
    TableView > Vertical { width: 96%; height: 80%; border: thick $accent; background: $surface; }
    TableView .title { width: 100%; padding: 0 1; text-style: bold; }
    TableView DataTable { height: 1fr; }
    """
    COLUMNS: tuple[tuple[str, str], ...] = ()  # (key, label): the keys name the columns in config.toml's [sort]
    TITLE = ""
    SORT_NAME = ""

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.TITLE, classes="title", markup=False)
            yield LiveTable(self.COLUMNS, self.SORT_NAME, id="view-table")
        yield KeyFooter()  # the view's own keys, over the main screen's footer (whose q quits)

    def on_mount(self) -> None:
        self.query_one(LiveTable).focus()
        self.app.load_view(self)  # type: ignore[attr-defined]

    def show_rows(self, rows: Sequence[tuple[str, tuple[str, ...], Values | None, object]]) -> None:
        """(key, cells, sort values or None for the text, item) per row; the cursor stays on the same key."""
        self.items = {key: item for key, _, _, item in rows}
        self.query_one(LiveTable).sync({key: cells for key, cells, _, _ in rows},
                                       {key: values for key, _, values, _ in rows if values is not None})

    @property
    def selected_key(self) -> str | None:
        return self.query_one(LiveTable).highlighted_key

    @property
    def selected(self):
        key = self.selected_key
        return self.items.get(key) if key else None

    def action_reload(self) -> None:
        self.app.load_view(self)  # type: ignore[attr-defined]

    def action_close(self) -> None:
        self.dismiss(None)


class StacksScreen(TableView):
    BINDINGS = bindings("stacks")
    ACTION_SCOPE = "stacks"
    COLUMNS = (("name", "NAME"), ("services", "SERVICES"), ("replicas", "REPLICAS"), ("state", "STATE"), ("images", "IMAGES"))
    TITLE = "Stacks (services labelled com.docker.stack.namespace)"
    SORT_NAME = "stacks"

    def show(self, stacks: Sequence[Stack]) -> None:
        self.show_rows([(s.name, stack_cells(s), stack_values(s), s) for s in stacks])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # the table takes enter itself (select_cursor): the same as the table's `enter`
        self.action_narrow()

    def action_narrow(self) -> None:
        if self.selected is not None:
            self.app.narrow_to_stack(self.selected)  # type: ignore[attr-defined]

    def action_logs(self) -> None:
        if self.selected is not None:
            self.app.follow_stack_logs(self.selected)  # type: ignore[attr-defined]

    def action_deploy(self) -> None:
        self.app.deploy_stack(self.selected)  # type: ignore[attr-defined]

    def action_remove(self) -> None:
        if self.selected is not None:
            self.app.remove_stack(self.selected)  # type: ignore[attr-defined]


class ObjectsScreen(TableView):
    BINDINGS = bindings("objects")
    ACTION_SCOPE = "objects"
    COLUMNS = (("name", "NAME"), ("created", "CREATED"), ("updated", "UPDATED"), ("labels", "LABELS"), ("used_by", "USED BY → TARGET"))

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.SORT_NAME = f"{kind}s"  # secrets, configs: each remembers its own order
        self.TITLE = f"{kind.capitalize()}s (values are never shown)"

    def show(self, objects: Sequence[SwarmObject]) -> None:
        self.show_rows([(o.id, object_cells(o), object_values(o), o) for o in objects])

    def action_create(self) -> None:
        self.app.create_object(self.kind)  # type: ignore[attr-defined]

    def action_rotate(self) -> None:
        if self.selected is not None:
            self.app.rotate_object(self.selected)  # type: ignore[attr-defined]

    def action_remove(self) -> None:
        if self.selected is not None:
            self.app.remove_object(self.selected)  # type: ignore[attr-defined]
