"""The services pane grouped by stack (`g`) and narrowed to one stack (enter in :stacks), on recorded models."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from swarmtui.cluster.models import STACK_LABEL, Service
from swarmtui.ui.widgets.services import ServicesTable
from swarmtui.ui.widgets.table import plain


def svc(name: str, stack: str = "") -> Service:
    return Service(id=f"id-{name}", name=name, image="reg/spider:0.01", mode="replicated", replicas_running=1,
                   replicas_desired=1, labels={STACK_LABEL: stack} if stack else {})


SERVICES = (svc("zeta_web", "zeta"), svc("adhoc"), svc("crawl_spider", "crawl"), svc("crawl_redis", "crawl"), svc("beta"))


class Pane(App):
    def compose(self) -> ComposeResult:
        yield ServicesTable(id="services")


def names(table) -> list[str]:
    return [plain(table.get_row_at(i)[0]) for i in range(table.row_count)]


def test_group_by_stack_then_narrow_to_one_and_back():
    async def run() -> None:
        app = Pane()
        async with app.run_test() as pilot:
            table = app.query_one(ServicesTable)
            table.show(SERVICES)
            await pilot.pause()
            assert names(table) == ["adhoc", "beta", "crawl_redis", "crawl_spider", "zeta_web"]
            table.action_toggle_stack_groups()
            await pilot.pause()
            assert names(table) == ["crawl_redis", "crawl_spider", "zeta_web", "adhoc", "beta"]  # loose services last
            assert table.border_title.endswith("by stack")
            table.narrow("crawl")
            table.show(SERVICES)  # a refresh keeps the narrowing
            await pilot.pause()
            assert names(table) == ["crawl_redis", "crawl_spider"]
            assert "stack crawl (esc: all)" in table.border_title
            table.narrow(None)
            await pilot.pause()
            assert len(names(table)) == 5 and "stack crawl" not in table.border_title

    asyncio.run(run())
