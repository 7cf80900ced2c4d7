"""The release dialog (`B` on a service) against the real lab: a good tag completes; a broken 0.03
(exits at start) rolls back to 0.02 by itself, and the dialog and the timeline say so and why."""

from __future__ import annotations

import dataclasses
import time

import pytest
from textual.app import App
from textual.widgets import Input, Log

from bench.spider_fleet import LAB_BASE_IMAGE, SAMPLE_SPIDER, build_spider
from swarmtui.config import Settings
from swarmtui.release.runner import release_runner
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.screens.release import ReleaseScreen
from swarmtui.ui.sources import live as live_sources
from swarmtui.ui.widgets.timeline import Timeline

from tests.fixtures.fleet import RELEASE_POLICY, running_images
from tests.ui.waiting import until

POLICY = RELEASE_POLICY


def release_app(settings: Settings) -> SwarmApp:
    """The real app (its `B` key and timeline handler); only the release runs a faster update policy."""
    fast = lambda: release_runner(settings.endpoint, policy=POLICY, timeout=180)  # noqa: E731
    return SwarmApp(settings, sources=dataclasses.replace(live_sources(settings), release=fast))


class DialogApp(App):
    def __init__(self, screen: ReleaseScreen) -> None:
        super().__init__()
        self.dialog = screen

    def on_mount(self) -> None:
        self.push_screen(self.dialog)


def text(widget) -> str:
    return str(widget.render())


async def fill(pilot, **values) -> None:
    for wid, value in values.items():
        pilot.app.screen.query_one(f"#{wid.replace('_', '-')}", Input).value = value
    await pilot.pause()


# ---------------------------------------------------------------- the form (nothing is run)
async def test_form_prefills_and_checks_before_running_anything(tmp_path, monkeypatch):
    calls = []
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sample_spider").mkdir()
    (tmp_path / "sample_spider" / "Dockerfile").write_text("FROM scratch\n")
    ReleaseScreen.last_context = None
    screen = ReleaseScreen("spider", "10.95.0.1:8003/spider:0.01@sha256:abc", lambda *a: calls.append(a))
    async with DialogApp(screen).run_test(size=(140, 44)) as pilot:
        values = screen.values()
        assert values == {"context": "sample_spider", "tag": "0.02", "registry": "10.95.0.1:8003", "build-args": ""}
        assert "→ 10.95.0.1:8003/spider:0.02" in text(screen.query_one("#target"))
        assert "$ swarmtui release spider --context sample_spider --tag 0.02 --registry 10.95.0.1:8003" in text(screen.query_one("#target"))
        for fields, error in (
            ({"context": "nowhere"}, "no such directory"),
            ({"context": str(tmp_path)}, "no Dockerfile"),
            ({"context": "sample_spider", "tag": "bad tag"}, "Give a tag"),
            ({"tag": "0.02", "build_args": "BASE_IMAGE"}, "KEY=VALUE"),
        ):
            await fill(pilot, **fields)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert error in text(screen.query_one("#error")), error
        assert not calls and not screen.running
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ReleaseScreen)


# ---------------------------------------------------------------- the real thing, on the lab


def select_service(app, name: str) -> bool:
    services = app.query_one("#services")
    for row in range(services.row_count):
        if str(getattr(services.get_row_at(row)[0], "plain", services.get_row_at(row)[0])) == name:
            services.move_cursor(row=row)
            services.focus()
            return True
    return False


async def release_in_dialog(pilot, app, fleet, **fields) -> ReleaseScreen:
    await until(pilot, lambda: select_service(app, fleet.name), what="the service row")
    await pilot.pause(0.3)
    await pilot.press("B")
    await until(pilot, lambda: isinstance(app.screen, ReleaseScreen) and app.screen.is_mounted, timeout=30, what="the release dialog")
    screen = app.screen
    await fill(pilot, **fields)
    await pilot.press("ctrl+s")
    # (a release that fails at once has a result by the next look: started too)
    try:
        await until(pilot, lambda: screen.running or screen.result is not None or screen.error is not None, timeout=30,
                    what="the release to start")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the form says {text(screen.query_one('#error'))!r}") from None
    await until(pilot, lambda: not screen.running, timeout=300, what="the release to end")
    await pilot.pause(0.3)
    return screen


@pytest.mark.lab
async def test_release_dialog_completes_then_a_broken_tag_rolls_back_by_itself(lab, fleet, tmp_path):
    repo = f"release-ui-{fleet.name}"
    fleet.deploy(build_spider(fleet.client, lab.registry, repo, "0.01"), 2, POLICY)
    fleet.wait_running(2)
    good_image, broken_image = f"{lab.registry}/{repo}:0.02", f"{lab.registry}/{repo}:0.03"

    broken = tmp_path / "broken"  # 0.03 exits 1 at start, on top of 0.02
    broken.mkdir()
    (broken / "Dockerfile").write_text(
        f"FROM {good_image}\n"
        'CMD ["python3", "-c", "import sys; print(\'config error: SPIDER_START_URLS is required\'); sys.exit(1)"]\n'
    )

    app = release_app(Settings(docker_host=lab.docker_host, registry=lab.registry))
    async with app.run_test(size=(160, 48)) as pilot:
        # 0.02: build, push, roll out, completed
        t = time.monotonic()
        screen = await release_in_dialog(pilot, app, fleet, context=str(SAMPLE_SPIDER), tag="0.02",
                                         build_args=f"BASE_IMAGE={LAB_BASE_IMAGE} SPIDER_VERSION=0.02")
        log = "\n".join(screen.query_one("#log", Log).lines)
        outcome = text(screen.query_one("#outcome"))
        print(f"\nrelease 0.02 in the dialog: {time.monotonic() - t:.1f}s\n{log}\n{outcome}")
        assert screen.result is not None and screen.result.outcome == "completed", outcome
        assert outcome.startswith("✔ completed") and f"now runs {good_image}" in outcome
        assert "$ docker build" in log and "$ docker push" in log and "$ docker service update --image" in log
        assert "2/2 tasks on" in log  # rollout progress, line by line
        assert text(screen.query_one("#stages")).count("✔") == 3
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ReleaseScreen), timeout=30, what="the dialog to close")
        await until(pilot, lambda: any("completed" in e and good_image in e for e in app.main(Timeline).entries), timeout=30,
                    what="the release in the timeline")  # told by a message handled after the run ends
        assert running_images(fleet) == {good_image}

        # 0.03 is broken: the swarm rolls back to 0.02 by itself; dialog and timeline say so and why
        t = time.monotonic()
        screen = await release_in_dialog(pilot, app, fleet, context=str(broken), tag="0.03", build_args="")
        log = "\n".join(screen.query_one("#log", Log).lines)
        outcome = text(screen.query_one("#outcome"))
        print(f"release 0.03 (broken) in the dialog: {time.monotonic() - t:.1f}s\n{log}\n{outcome}")
        assert screen.result is not None and screen.result.outcome == "rolled_back", outcome
        assert outcome.startswith("↩ rolled back")
        assert f"rolled back to {good_image}" in outcome
        assert "task error: " in outcome and "non-zero exit (1)" in outcome
        assert "↩ rolled back" in text(screen.query_one("#stages"))
        assert "rollback" in log
        assert lab.redis.password not in log + outcome
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ReleaseScreen), timeout=30, what="the dialog to close")
        timeline = app.main(Timeline).entries
        print("timeline:\n" + "\n".join(timeline[-8:]))
        assert any(f"update to {broken_image} failed and was rolled back to {good_image}" in e and "non-zero exit (1)" in e
                   for e in timeline)

    fleet.wait_running(2, timeout=90)
    assert running_images(fleet) == {good_image}
    assert fleet.client.api.inspect_service(fleet.name)["UpdateStatus"]["State"] == "rollback_completed"
