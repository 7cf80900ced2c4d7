"""The TUI against the real lab: the docker CLI command a dialog or a confirmation shows before
an operation is the one the "done" notification reports after it."""

from __future__ import annotations

import pytest

from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.errors import ClusterError
from swarmtui.ui.messages import OperationDone, OperationFailed
from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.screens.form import FormScreen
from tests.ui.live import app_for, cells, select_node, select_service
from tests.ui.waiting import until

pytestmark = pytest.mark.lab


class Operator:
    """Opens an action, reads the command shown, says yes, and returns (shown, reported)."""

    def __init__(self, app, pilot, messages: list) -> None:
        self.app, self.pilot, self.messages = app, pilot, messages

    async def shown_then_done(self, action: str, **fields: str) -> tuple[str, str]:
        seen = len(self.messages)
        await self.app.run_action(action)
        await self.pilot.pause()
        screen = self.app.screen
        if fields:
            assert isinstance(screen, FormScreen), f"{action} opened {screen!r}"
            for key, value in fields.items():
                screen.query_one(f"#{key}").value = value
            await self.pilot.pause()
            shown = str(screen.query_one("#cli").render()).removeprefix("$ ")
            screen.action_submit()
        else:
            assert isinstance(screen, ConfirmScreen), f"{action} opened {screen!r}"
            shown = screen.cli
            await self.pilot.press("y")
        await until(self.pilot, lambda: any(isinstance(m, (OperationDone, OperationFailed)) for m in self.messages[seen:]),
                    what=f"{action} done")
        outcome = next(m for m in self.messages[seen:] if isinstance(m, (OperationDone, OperationFailed)))
        assert isinstance(outcome, OperationDone), f"{action} failed: {getattr(outcome, 'error', '')}"
        return shown, outcome.result.cli


async def test_every_operation_reports_the_command_it_showed(lab, unique_name):
    key = f"swarmtui.test.{unique_name}"
    worker = "lab-worker-2"
    messages: list = []
    app = app_for(lab, max_replicas=50)
    try:
        async with app.run_test(size=(160, 48), message_hook=messages.append) as pilot:
            op = Operator(app, pilot, messages)
            shown, done = await op.shown_then_done(
                "new_service", name=unique_name, image=f"{lab.registry}/spider:0.01", replicas="1", network="host",
                env="GREETING='hello world' SPIDER_DELAY=1", constraints="node.role==worker")
            assert "--update-failure-action pause" in shown and "'GREETING=hello world'" in shown
            assert shown == done
            services = app.query_one("#services")
            await until(pilot, lambda: any(r[0] == unique_name for r in cells(services)), what="the new service row")
            await pilot.pause(1.0)  # a refresh or two more: the narrator has seen the new service
            timeline = app.query_one("#timeline")
            assert len([e for e in timeline.entries if unique_name in e and "created" in e]) == 1, timeline.entries
            select_service(app, unique_name)
            shown, done = await op.shown_then_done("scale_to", replicas="2")
            assert shown == done == f"docker service scale {unique_name}=2"
            shown, done = await op.shown_then_done("rolling_update", image=f"{lab.registry}/spider:0.02", monitor="1")
            assert "--update-max-failure-ratio 0" in shown and shown == done
            for action in ("rollback", "force_restart"):
                shown, done = await op.shown_then_done(action)
                assert shown == done and unique_name in done
            nodes = app.query_one("#nodes")
            await until(pilot, lambda: any(r[0] == worker for r in cells(nodes)), what="the worker row")
            select_node(app, worker)
            shown, done = await op.shown_then_done("labels", labels=f"{key}='a b' -{key}.old")
            assert shown == done == f"docker node update --label-add '{key}=a b' --label-rm {key}.old {worker}"
            shown, done = await op.shown_then_done("drain")
            assert shown == done == f"docker node update --availability drain {worker}"
            select_service(app, unique_name)
            shown, done = await op.shown_then_done("remove_service")
            assert shown == done == f"docker service rm {unique_name}"
            await until(pilot, lambda: not any(r[0] == unique_name for r in cells(services)), what=f"the row gone {cells(services)} {timeline.entries[-5:]}")
            await pilot.pause(1.0)
            # one narration of the removal (an alert closing on it, "resolved: NAME: ...", is the alerts' own line)
            alerts = ("critical:", "warning:", "info:", "resolved:")
            assert len([e for e in timeline.entries if unique_name in e and "removed" in e and not e.startswith(alerts)]) == 1, \
                timeline.entries
    finally:
        with SwarmClient(lab.docker_host) as client:
            client.set_availability(worker, "active")
            client.remove_labels(worker, [key])
            try:
                client.remove_service(unique_name)
            except ClusterError:
                pass
