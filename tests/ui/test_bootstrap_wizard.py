"""Pilot tests of the bootstrap wizard: a real dry run, and a real bootstrap through a fresh host's sshd."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, Log, Select

from swarmtui.bootstrap.engine import Engine
from swarmtui.ui.screens.bootstrap import BootstrapScreen
from swarmtui.ui.screens.confirm import ConfirmScreen


class WizardApp(App):
    def __init__(self, engine):
        super().__init__()
        self.engine = engine
        self.finished = []

    def on_mount(self) -> None:
        self.push_screen(BootstrapScreen(self.engine, registry="10.89.0.1:8003"))

    def on_bootstrap_screen_finished(self, message: BootstrapScreen.Finished) -> None:
        self.finished.append(message)


async def fill(pilot, **values):
    screen = pilot.app.screen
    for wid, value in values.items():
        screen.query_one(f"#{wid}", Input).value = value
    await pilot.pause()


async def test_wizard_dry_run_shows_every_step_and_masks_the_token():
    app = WizardApp(Engine(None))  # no manager: placeholders, nothing is contacted
    async with app.run_test(size=(160, 50)) as pilot:
        await fill(pilot, hosts="10.0.0.5, ops@10.0.0.6:2222", labels="zone=eu")
        await pilot.click("#dry")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#progress", DataTable)
        assert table.row_count == 2
        assert [str(c) for c in table.get_row("10.0.0.6:2222")[1:]] == ["○ planned"] * 6
        table.focus()
        table.move_cursor(row=1, column=5)  # the join step of the second host
        await pilot.pause()
        log = "\n".join(screen.query_one("#output", Log).lines)
        assert "SWMTKN-…masked" in log and "sudo -n sh -c" in log and "curl" in log
        assert app.finished and app.finished[-1].dry_run


async def test_wizard_reports_form_errors():
    app = WizardApp(Engine(None))
    async with app.run_test(size=(160, 50)) as pilot:
        await fill(pilot, hosts="host:notaport")
        await pilot.click("#dry")
        await pilot.pause()
        assert "port must be a number" in str(app.screen.query_one("#status").render())


@pytest.mark.sshd
async def test_wizard_bootstraps_a_fresh_host_after_confirming_its_key(
        fresh_hosts, bootstrap_manager, client_key, known_hosts):
    host = fresh_hosts.new()
    app = WizardApp(Engine(bootstrap_manager.manager, known=known_hosts))
    async with app.run_test(size=(160, 50)) as pilot:
        await fill(pilot, hosts=host.address, key=str(client_key.path), registry="", labels="tier=crawl")
        app.screen.query_one("#auth", Select).value = "key"
        await pilot.click("#run")
        for _ in range(100):  # the host-key question appears
            await pilot.pause(0.05)
            if isinstance(app.screen, ConfirmScreen):
                break
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#progress", DataTable)
        row = [str(c) for c in table.get_row(host.address)]
        assert row[3].startswith("✔") or row[3].startswith("·")  # docker started (or running)
        assert row[5].startswith("✔") and row[6].startswith("✔"), row  # joined, ready + labels
        assert app.finished[-1].results[host.address].ok
        assert known_hosts.own_file.exists()
