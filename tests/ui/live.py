"""Helpers of the UI tests on the real lab: services to look at, table cells as text, selections."""

from __future__ import annotations

from textual.widgets import Input

from swarmtui.config import Settings
from swarmtui.ui.app import SwarmApp


def make_service(docker_client, lab, name: str, replicas: int = 2):
    import docker

    return docker_client.services.create(
        f"{lab.registry}/spider:0.01", name=name, networks=["host"],
        command=["python3", "-c", "import time; time.sleep(10**6)"],
        mode=docker.types.ServiceMode("replicated", replicas=replicas), stop_grace_period=1_000_000_000,
    )


def remove_quietly(service) -> None:
    import docker

    try:
        service.remove()
    except docker.errors.NotFound:
        pass


def desired(docker_client, name: str) -> int:
    service = docker_client.services.get(name)
    return service.attrs["Spec"]["Mode"]["Replicated"]["Replicas"]


def cells(table) -> list[list[str]]:
    return [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)]


def select_service(app, name: str) -> None:
    services = app.query_one("#services")
    row = next(i for i, r in enumerate(cells(services)) if r[0] == name)
    services.move_cursor(row=row)
    services.focus()


def app_for(lab, **kw) -> SwarmApp:
    return SwarmApp(Settings(docker_host=lab.docker_host, **kw))


def node_spec(docker_client, hostname: str) -> dict:
    return next(n for n in docker_client.nodes.list() if n.attrs["Description"]["Hostname"] == hostname).attrs["Spec"]


def select_node(app, hostname: str) -> None:
    nodes = app.query_one("#nodes")
    nodes.move_cursor(row=next(i for i, r in enumerate(cells(nodes)) if r[0] == hostname))
    nodes.focus()


async def command(pilot, word: str) -> None:
    """`:word` on the main screen (views and dialogs over it are closed first)."""
    while len(pilot.app.screen_stack) > 1:
        await pilot.press("escape")
        await pilot.pause(0.1)
    await pilot.press("colon")
    pilot.app.query_one("#command", Input).value = word
    await pilot.press("enter")
