"""What a pane switch costs, counted on the recorded demo (the 500-node figures: docs/performance.md):
only the two panes whose focus changed are restyled (once: the narrow layout's class is not moved on a
wide screen) and repainted (not the whole screen), their tables keep the cells they rendered, and the
footer changes its keys in place instead of recomposing, while showing exactly the focused pane's keys."""

from __future__ import annotations

import asyncio

from swarmtui.ui.widgets.footer import KeyFooter
from tests.ui.recorded import main_screen, make_app
from tests.ui.waiting import until


def footer_text(footer: KeyFooter) -> str:
    return " ".join(f"{key.key_display} {key.description}" for key in footer.children)


def test_a_pane_switch_restyles_only_its_two_panes_and_keeps_the_footer_keys() -> None:
    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await main_screen(pilot)
            await pilot.press("1")
            await pilot.pause(0.3)
            footer = app.screen.query_one(KeyFooter)
            restyled: list = []
            update_nodes = app.stylesheet.update_nodes

            passes: list = []

            def counted(nodes, animate: bool = False) -> None:
                nodes = list(nodes)
                restyled.extend(nodes)
                passes.append(nodes)
                update_nodes(nodes, animate=animate)

            app.stylesheet.update_nodes = counted
            recomposes = []
            recompose = footer.recompose
            footer.recompose = lambda: recomposes.append(1) or recompose()
            whole = []  # the screen repainted in full (every widget composited again)
            screen_refresh = app.screen.refresh
            app.screen.refresh = lambda *regions, **kw: (whole.append(1) if not regions else None) or screen_refresh(*regions, **kw)
            texts = {}
            for key, name in (("2", "services"), ("3", "tasks"), ("1", "nodes")):
                before, keys_before = app.query_one(f"#{app._current_pane()}"), set(footer.children)
                restyled.clear()
                passes.clear()
                await pilot.press(key)
                await pilot.pause(0.3)
                pane = app.query_one(f"#{name}")
                assert app._current_pane() == name
                panes = {*before.walk_children(with_self=True), *pane.walk_children(with_self=True)}
                others = {n for n in restyled if n not in panes and n.parent is not footer}
                assert not others, f"switching to {name} restyled {sorted({type(n).__name__ for n in others})}"
                assert app.screen not in restyled
                pane_passes = [p for p in passes if before in p or pane in p]
                # the focus change over both, and each pane's own on its Focus / Blur event (Textual's);
                # 5 while the narrow layout's class moved on every switch
                assert len(pane_passes) <= 3, f"switching to {name}: {len(pane_passes)} restyle passes over its panes"
                kept = keys_before & set(footer.children)
                assert len(kept) == min(len(keys_before), len(footer.children)), "footer keys made again"
                texts[name] = footer_text(footer)
            assert not recomposes, "the footer recomposed on a pane switch"
            assert not whole, f"{len(whole)} whole-screen repaints for 3 pane switches"
            assert len(set(texts.values())) == 3, texts  # each pane's own keys
            assert "Scale" in texts["services"] and "Scale" not in texts["nodes"], texts
            kept = set(footer.children)
            footer.refresh(recompose=True)  # what Textual's way (every key made again) shows: the same
            await pilot.pause(0.3)
            assert not kept & set(footer.children), "not recomposed"
            assert footer_text(footer) == texts["nodes"]
    asyncio.run(go())


def test_switching_back_and_forth_renders_no_table_cell_again() -> None:
    """Counted: a restyle dropped every cell a table had rendered, so each switch rendered the two
    tables' visible cells again with Rich (~25 ms at 500 nodes). Cells rendered under a focus state
    are kept for it; what the cursor row looks like still follows focus (the SVG snapshots)."""
    from swarmtui.ui.widgets.table import LiveTable

    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await main_screen(pilot)
            nodes, services = app.query_one("#nodes", LiveTable), app.query_one("#services", LiveTable)
            panes = {"1": "nodes", "2": "services"}

            async def switch(key: str) -> None:  # pressed, focused, and both tables painted since their restyle
                await pilot.press(key)
                await until(pilot, lambda: app._current_pane() == panes[key] and not nodes._restyled and not services._restyled,
                            what=f"pane {key} switched to and painted")

            for key in ("1", "2", "1", "2"):  # each table seen focused and not
                await switch(key)
            rendered = []  # DataTable reads a row's renderables only to render a cell it has not cached
            for table in (nodes, services):
                read = table._get_row_renderables
                table._get_row_renderables = lambda *a, _r=read, _t=table, **k: (rendered.append(_t.id), _r(*a, **k))[1]
            cursor_before = services.get_row_at(services.cursor_row)
            for key in ("1", "2", "1"):
                await switch(key)
            assert app._current_pane() == "nodes" and services.get_row_at(services.cursor_row) == cursor_before
            cached = services._cell_render_cache  # renders keyed by focus: the unfocused ones are there
            assert rendered == [], f"{len(rendered)} cells rendered again by 3 switches"
            assert nodes.restyles_kept >= 2 and services.restyles_kept >= 2 and len(cached) > 0
    asyncio.run(go())


def test_a_services_cursor_key_leaves_the_tasks_pane_to_the_frame_after_its_own() -> None:
    """Moving the services cursor emptied the tasks pane in the handler of the move, so the frame
    drawing the cursor also held a layout pass of the whole screen (~25 ms at 500 nodes, the services
    cursor's p95 of 47-58 ms: docs/performance.md); the handler now leaves that to after the frame."""
    from textual.widgets import DataTable
    from textual.widgets.data_table import RowKey

    async def go() -> None:
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await main_screen(pilot)
            services = app.query_one("#services")
            before = app.tasks_scope
            other = next(k for k in services.rows if k.value != before)
            app._service_highlighted(DataTable.RowHighlighted(services, services.get_row_index(other), RowKey(other.value)))
            assert app.tasks_scope == before, "the tasks pane switched inside the cursor's own handler"
            await until(pilot, lambda: app.tasks_scope == other.value, what="the tasks pane to follow after the frame")
    asyncio.run(go())
