"""Services pane: replicas running/desired with a converged (✓) or converging (⟳) mark, and a
crash-looping service marked "failing: exit 1 ×5 in 2m"."""

from __future__ import annotations

from rich.text import Text

from swarmtui.cluster.health import describe
from swarmtui.cluster.models import STACK_LABEL, Service, Task
from swarmtui.ui.format import replicas, styled
from swarmtui.ui.widgets.ranks import UPDATE_STATES, natural, rank
from swarmtui.ui.widgets.table import Cells, LiveTable, Values, plain


ROLLING = ("updating", "rollback_started")


def update_progress(service: Service, tasks: tuple[Task, ...]) -> str:
    """'2/4' replicas already running the target image while an update or rollback rolls."""
    if service.update_status is None or service.update_status.state not in ROLLING:
        return ""
    mine = [t for t in tasks if t.service_id == service.id and t.state == "running" and t.desired_state == "running"]
    if not mine:
        return ""
    done = sum(1 for t in mine if t.image.split("@")[0] == service.image)
    return f"{done}/{service.replicas_desired}"


def update_text(service: Service, progress: str = "") -> str:
    status = service.update_status
    if status is None:
        return ""
    text = status.state + (f" {progress}" if progress else "")
    return text if not status.message else f"{text}: {status.message}"


def service_cells(service: Service, progress: str = "", autoscale: str = "") -> Cells:
    return (
        service.name,
        replicas(service.replicas_running, service.replicas_desired, service.mode),
        Text(describe(service.failing), style="bold red") if service.failing else "",
        autoscale,  # its policy and the autoscaler's next decision
        service.tag,
        service.mode,
        service.network_mode,
        styled(update_text(service, progress)) if service.update_status else "",
    )


def service_values(service: Service, autoscale: str = "") -> Values:
    """What each column sorts by (see service_cells): REPLICAS by running then desired, HEALTH by failures."""
    return (
        natural(service.name), (service.replicas_running, service.replicas_desired),
        service.failing.count if service.failing else 0, autoscale.lower(), natural(service.tag), service.mode,
        service.network_mode, rank(UPDATE_STATES, service.update_status.state if service.update_status else ""),
    )


class ServicesTable(LiveTable):
    BORDER_TITLE = "2 Services"
    SORT_NAME = "services"
    COLUMNS = (
        ("name", "NAME"), ("replicas", "REPLICAS"), ("health", "HEALTH"), ("autoscale", "AUTOSCALE"), ("tag", "TAG"),
        ("mode", "MODE"), ("network", "NETWORK"), ("update", "UPDATE"),
    )

    group_by_stack = False  # `g`: rows ordered by stack, then name
    stack_name: str | None = None  # `enter` in the stacks view: only that stack's services

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._stack_of: dict[str, str] = {}  # service name -> its stack ("" for none)
        self._stack_by_id: dict[str, str] = {}

    def show(self, services: tuple[Service, ...], tasks: tuple[Task, ...] = (), autoscale: dict[str, str] | None = None) -> None:
        """`tasks` (the selected service's) lets a rolling update show how far it got; `autoscale`:
        service name -> its policy and next decision."""
        autoscale = autoscale or {}
        self._stack_of = {s.name: s.labels.get(STACK_LABEL, "") for s in services}
        self._stack_by_id = {s.id: s.labels.get(STACK_LABEL, "") for s in services}
        self.sync({s.id: service_cells(s, update_progress(s, tasks), autoscale.get(s.name, "")) for s in services},
                  {s.id: service_values(s, autoscale.get(s.name, "")) for s in services})

    # ---- stacks ------------------------------------------------------------------------
    def sort_key(self, cells: Cells):
        name = plain(cells[0])
        if not self.group_by_stack:
            return name
        stack = self._stack_of.get(name, "")
        return (stack == "", stack, name)  # loose services last

    def _visible(self) -> dict[str, Cells]:
        rows = super()._visible()
        if self.stack_name is None:
            return rows
        return {k: c for k, c in rows.items() if self._stack_by_id.get(k) == self.stack_name}

    def _retitle(self) -> None:
        parts = [self.BORDER_TITLE]
        if self.stack_name is not None:
            parts.append(f"stack {self.stack_name} (esc: all)")
        if self.group_by_stack:
            parts.append("by stack")
        self.border_title = " · ".join(parts)

    def narrow(self, stack: str | None) -> None:
        self.stack_name = stack
        self._retitle()
        self._apply()

    def action_toggle_stack_groups(self) -> None:
        self.group_by_stack = not self.group_by_stack
        self._retitle()
        self.set_sort(self.sort_column, self.sort_reverse)  # the new own order breaks the ties
