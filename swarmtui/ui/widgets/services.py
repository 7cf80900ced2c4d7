"""Services pane: replicas running/desired with a converged (✓) or converging (⟳) mark."""

from __future__ import annotations

from swarmtui.cluster.models import Service
from swarmtui.ui.format import replicas, styled
from swarmtui.ui.widgets.table import Cells, LiveTable


def update_text(service: Service) -> str:
    status = service.update_status
    if status is None:
        return ""
    return status.state if not status.message else f"{status.state}: {status.message}"


def service_cells(service: Service) -> Cells:
    return (
        service.name,
        replicas(service.replicas_running, service.replicas_desired, service.mode),
        service.tag,
        service.mode,
        service.network_mode,
        styled(update_text(service)) if service.update_status else "",
    )


class ServicesTable(LiveTable):
    BORDER_TITLE = "2 Services"
    COLUMNS = (
        ("name", "NAME"), ("replicas", "REPLICAS"), ("tag", "TAG"), ("mode", "MODE"),
        ("network", "NETWORK"), ("update", "UPDATE"),
    )

    def show(self, services: tuple[Service, ...]) -> None:
        self.sync({s.id: service_cells(s) for s in services})
