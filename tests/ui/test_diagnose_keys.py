"""h, i and e on recorded lab data (no lab needed): history in the tasks pane, a definition, and the
shell refused in read-only mode."""

from __future__ import annotations

from swarmtui.ui.screens.definition import DefinitionScreen
from swarmtui.ui.widgets.table import plain
from swarmtui.ui.widgets.tasks import TasksPane
from tests.ui.recorded import SERVICE, make_app, service_id
from tests.ui.waiting import until


def app(read_only: bool = False):
    return make_app(read_only=read_only)


async def selected(pilot) -> TasksPane:
    services = pilot.app.query_one("#services")
    await until(pilot, lambda: services.row_count == 3, what="the services rows")
    services.move_cursor(row=next(i for i in range(3) if plain(services.get_row_at(i)[0]) == SERVICE))
    await until(pilot, lambda: pilot.app.tasks_scope == service_id(SERVICE), what="caphost selected")
    pane = pilot.app.main(TasksPane)
    await until(pilot, lambda: pane.table.row_count == 1, what="its running task")
    return pane


async def test_h_shows_the_history_of_the_tasks_and_hides_it_again():
    the_app = app()
    async with the_app.run_test(size=(160, 48)) as pilot:
        pane = await selected(pilot)
        await pilot.press("3", "h")
        await until(pilot, lambda: pane.table.row_count == 5, what="5 tasks with history")
        assert "with history" in str(pane.border_title)
        states = sorted(str(getattr(pane.table.get_row_at(i)[2], "plain", "")) for i in range(5))
        assert "Shutdown" in states and "Running" in states, states
        await pilot.press("h")
        await until(pilot, lambda: pane.table.row_count == 1, what="running tasks only again")


async def test_i_opens_the_masked_definition_and_esc_closes_it():
    the_app = app()
    async with the_app.run_test(size=(160, 48)) as pilot:
        await selected(pilot)
        await pilot.press("2", "i")
        await until(pilot, lambda: isinstance(the_app.screen, DefinitionScreen), what="the definition viewer")
        assert f"Name: {SERVICE}" in the_app.screen.text and "PreviousSpec:" in the_app.screen.text
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(the_app.screen, DefinitionScreen), what="the viewer closed")


async def test_read_only_refuses_a_shell_on_every_path():
    the_app = app(read_only=True)
    async with the_app.run_test(size=(160, 48)) as pilot:
        await selected(pilot)
        await pilot.press("3", "e")
        await pilot.press("2", "e")
        await pilot.pause(0.2)
        assert the_app.read_only_gate.refused == ["tasks.exec", "services.exec"]
        assert len(the_app.screen_stack) == 1  # no dialog, no shell
