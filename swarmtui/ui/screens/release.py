"""The release dialog (`B` on a service): build a context with a new tag, push it, roll the service out.

It never talks to Docker itself: it is handed `run(service, context, tag, registry,
build_args, on_event) -> ReleaseResult` (see `swarmtui.release.runner.release_runner`)
and calls it in a thread worker.  Each plain `ReleaseEvent` the flow reports comes
back to the UI thread as a message; the dialog shows the steps in a log, the rollout
progress ("2/4 tasks on spider:0.02 running") in place, and the outcome: completed,
or rolled back with the tasks' error.  When a release ends the screen posts
`ReleaseScreen.Finished` (it bubbles to the app) for the timeline.  Esc closes the
dialog, but not while a release is running: the swarm is mid-update then.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any, Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Log, Static

from swarmtui.release.build import ReleaseError, parse_build_args, split_ref, target_image
from swarmtui.ui.actions import Gated, bindings
from swarmtui.ui.messages import WorkEnded

TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
STAGE_ORDER = ("build", "push", "update")
OUTCOME_TITLE = {
    "completed": ("✔ completed", "bold green"),
    "unchanged": ("✔ nothing to roll out", "bold green"),
    "rolled_back": ("↩ rolled back", "bold magenta"),
    "paused": ("‖ paused", "bold yellow"),
    "timeout": ("✘ did not finish", "bold red"),
}


def registry_of(image: str) -> str:
    """'10.0.0.1:8003/spider:0.01' -> '10.0.0.1:8003'; '' when the image names no registry."""
    repo, _ = split_ref(image)
    first, slash, _ = repo.partition("/")
    return first if slash and ("." in first or ":" in first or first == "localhost") else ""


def next_tag(tag: str) -> str:
    """'0.01' -> '0.02', 'v1.9' -> 'v1.10', 'latest' -> '' (bump the last number, keep its width)."""
    match = re.search(r"(\d+)(\D*)$", tag or "")
    if not match:
        return ""
    number = match.group(1)
    bumped = str(int(number) + 1).zfill(len(number))
    return f"{tag[:match.start(1)]}{bumped}{match.group(2)}"


def default_context() -> str:
    return "sample_spider" if (Path.cwd() / "sample_spider" / "Dockerfile").exists() else ""


class ReleaseScreen(Gated, ModalScreen[Any]):
    """`run(service, context, tag, registry, build_args, on_event) -> ReleaseResult` does the work."""

    DEFAULT_CSS = """
    ReleaseScreen { align: center middle; }
    ReleaseScreen > Vertical { width: 110; max-width: 98%; height: 90%; padding: 0 2; border: thick $accent; background: $surface; }
    ReleaseScreen .title { text-style: bold; margin-bottom: 1; }
    ReleaseScreen .row { height: auto; }
    ReleaseScreen .row > Vertical { width: 1fr; height: auto; padding-right: 1; }
    ReleaseScreen Input { width: 100%; }
    ReleaseScreen #target { color: $text-muted; height: auto; margin-top: 1; }
    ReleaseScreen #error { color: $error; height: auto; }
    ReleaseScreen #buttons { height: auto; align-horizontal: right; }
    ReleaseScreen #buttons Button { margin-left: 2; }
    ReleaseScreen #stages { height: auto; margin-top: 1; }
    ReleaseScreen #progress { height: auto; color: $accent; }
    ReleaseScreen #outcome { height: auto; margin-top: 1; }
    ReleaseScreen #log { height: 1fr; min-height: 5; border-top: solid $primary; }
    """
    BINDINGS = bindings("release")
    ACTION_SCOPE = "release"

    last_context: str | None = None  # the context of the last release started, for the next dialog

    class Progress(Message):
        """One ReleaseEvent from the worker thread (stays with the screen)."""

        bubble = False

        def __init__(self, event) -> None:
            super().__init__()
            self.event = event

    class Ended(WorkEnded):
        pass

    class Finished(Message):
        """A release ended: `result` is the ReleaseResult, or None with `error` when build/push failed."""

        def __init__(self, service: str, tag: str, result, error: str | None = None) -> None:
            super().__init__()
            self.service, self.tag, self.result, self.error = service, tag, result, error

        @property
        def ok(self) -> bool:
            return self.result is not None and self.result.ok

        def timeline_lines(self) -> list[str]:
            if self.result is None:
                return [f"release {self.tag} of {self.service} failed: {self.error}"]
            r = self.result
            if r.outcome == "completed":
                return [f"release {self.tag} of {self.service} completed: {r.message}"]
            if r.outcome == "unchanged":
                return [f"release {self.tag} of {self.service}: {r.message}"]
            # rolled_back: "update to X failed and was rolled back to Y: <task error>"
            return [f"release {self.tag} of {self.service}: {r.message}"]

    def __init__(self, service: str, image: str, run: Callable[..., Any], registry: str = "", context: str | None = None) -> None:
        super().__init__()
        self.service, self.image, self.run = service, image, run
        self.default_registry = registry_of(image) or registry
        self.default_context = context if context is not None else (ReleaseScreen.last_context or default_context())
        self.running = False
        self.result = None
        self.error: str | None = None
        self.stage_state: dict[str, str] = {}
        self._tag = ""

    # ---- form -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        _, current_tag = split_ref(self.image)
        with Vertical():
            yield Label(f"Release {self.service}  (now {self.image})", classes="title", markup=False)
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("Build context (a directory with a Dockerfile)")
                    yield Input(self.default_context, placeholder="sample_spider", id="context")
                with Vertical():
                    yield Label("New tag")
                    yield Input(next_tag(current_tag), placeholder="0.02", id="tag")
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("Registry (host:port)")
                    yield Input(self.default_registry, placeholder="10.0.0.1:8003", id="registry")
                with Vertical():
                    yield Label("Build args (K=V, space separated)")
                    yield Input(placeholder="BASE_IMAGE=python:3.12-slim", id="build-args")
            yield Static("", id="target", markup=False)
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Release (ctrl+s)", id="start", variant="primary")
                yield Button("Close (esc)", id="close")
            yield Static("", id="stages")
            yield Static("", id="progress", markup=False)
            yield Static("", id="outcome")
            yield Log(id="log", max_lines=2000)

    def on_mount(self) -> None:
        self.query_one("#tag", Input).focus()
        self._preview()
        self._show_stages()

    def values(self) -> dict[str, str]:
        return {wid: self.query_one(f"#{wid}", Input).value.strip() for wid in ("context", "tag", "registry", "build-args")}

    def parse(self) -> tuple[str, str, str | None, dict[str, str]]:
        """(context, tag, registry or None, build args) or ValueError with a message for the user."""
        v = self.values()
        if not v["context"]:
            raise ValueError("Give the build context: a directory with a Dockerfile.")
        context = Path(v["context"]).expanduser()
        if not context.is_dir():
            raise ValueError(f"{v['context']}: no such directory.")
        if not (context / "Dockerfile").is_file():
            raise ValueError(f"{v['context']}: no Dockerfile there.")
        if not TAG_RE.match(v["tag"]):
            raise ValueError("Give a tag: letters, digits, '_', '.', '-' (e.g. 0.02).")
        try:
            build_args = parse_build_args(shlex.split(v["build-args"]))
        except (ReleaseError, ValueError) as exc:
            raise ValueError(str(exc).replace("--build-arg ", "build arg ")) from exc
        return v["context"], v["tag"], v["registry"] or None, build_args

    def _preview(self) -> None:
        v = self.values()
        if not v["tag"]:
            self.query_one("#target", Static).update("")
            return
        image = target_image(self.image, v["tag"], v["registry"] or None)
        args = "".join(f" --build-arg {shlex.quote(a)}" for a in shlex.split(v["build-args"] or "") if "=" in a) if v["build-args"] else ""
        registry = f" --registry {v['registry']}" if v["registry"] else ""
        self.query_one("#target", Static).update(
            f"→ {image}\n$ swarmtui release {self.service} --context {shlex.quote(v['context'] or '.')} --tag {v['tag']}{registry}{args}")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#error", Static).update("")
        try:
            self._preview()
        except ValueError:  # half-typed quotes in the build args
            pass

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_start() if event.button.id == "start" else self.action_close()

    # ---- the run --------------------------------------------------------------------
    def action_start(self) -> None:
        if self.running or not self.gate().check("release.start"):  # read-only: however this screen was opened
            return
        try:
            context, tag, registry, build_args = self.parse()
        except ValueError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        ReleaseScreen.last_context = context
        self.running, self.result, self.error, self._tag = True, None, None, tag
        self.stage_state = {}
        for widget in self.query(Input):
            widget.disabled = True
        self.query_one("#start", Button).disabled = True
        self.query_one("#outcome", Static).update("")
        self.query_one("#progress", Static).update("")
        log = self.query_one("#log", Log)
        log.clear()
        log.write_line(f"release {self.service}: {target_image(self.image, tag, registry)} from {context}")
        self._show_stages()
        self._release(context, tag, registry, build_args)

    @work(thread=True, exclusive=True, exit_on_error=False, group="release")
    def _release(self, context: str, tag: str, registry: str | None, build_args: dict[str, str]) -> None:
        try:
            result = self.run(self.service, context, tag, registry, build_args, lambda e: self.post_message(self.Progress(e)))
        except Exception as exc:  # noqa: BLE001 - ReleaseError, ClusterError, a daemon gone: shown, never raised into the UI
            text = str(exc).strip() or type(exc).__name__
            self.post_message(self.Ended(None, text))
        else:
            self.post_message(self.Ended(result, None))

    def on_release_screen_progress(self, message: Progress) -> None:
        event = message.event
        log = self.query_one("#log", Log)
        log.write_line(event.line())
        if event.cli:
            log.write_line(f"           $ {event.cli}")
        stage = event.stage
        if stage in STAGE_ORDER:
            for earlier in STAGE_ORDER[: STAGE_ORDER.index(stage)]:
                self.stage_state[earlier] = "done"
            self.stage_state[stage] = "running"
        elif stage == "rollback":
            self.stage_state["update"] = "rollback"
        if stage in ("update", "rollback"):
            self.query_one("#progress", Static).update(event.message)
        self._show_stages()

    def on_release_screen_ended(self, message: Ended) -> None:
        self.running = False
        self.result, self.error = message.result, message.error
        for widget in self.query(Input):
            widget.disabled = False
        self.query_one("#start", Button).disabled = False
        outcome = self.query_one("#outcome", Static)
        if message.result is None:
            for stage in STAGE_ORDER:
                if self.stage_state.get(stage) == "running":
                    self.stage_state[stage] = "failed"
            outcome.update(Text.assemble(("✘ release failed", "bold red"), f": {message.error}\n", ("esc: close", "dim")))
        else:
            r = message.result
            title, style = OUTCOME_TITLE.get(r.outcome, (f"✘ {r.outcome}", "bold red"))
            self.stage_state["update"] = {"completed": "done", "unchanged": "done", "rolled_back": "rolled back"}.get(r.outcome, "failed")
            self.stage_state["build"] = self.stage_state["push"] = "done"
            lines = [(title, style), f": {r.message}"]
            if r.outcome == "rolled_back" and r.task_errors:
                lines.append("\ntask error: " + "; ".join(r.task_errors))
            if r.running_image:
                lines.append(f"\nrunning: {r.running_image}")
            outcome.update(Text.assemble(*lines, ("\nesc: close · change the form and ctrl+s to release again", "dim")))
            self.query_one("#log", Log).write_line(f"{r.outcome}: {r.message}")
        self._show_stages()
        self.query_one("#close", Button).focus()
        self.post_message(self.Finished(self.service, self._tag, message.result, message.error))

    def _show_stages(self) -> None:
        marks = {"running": ("…", "bold $accent"), "done": ("✔", "green"), "failed": ("✘", "bold red"),
                 "rolled back": ("↩ rolled back", "bold magenta"), "rollback": ("↩ rolling back", "bold magenta")}
        parts: list = []
        for stage in STAGE_ORDER:
            state = self.stage_state.get(stage)
            mark, style = marks.get(state, ("○", "dim"))
            style = style.replace("$accent", "cyan")
            parts += [(f"{stage} {mark}", style), "   "]
        self.query_one("#stages", Static).update(Text.assemble(*parts[:-1]))

    def action_close(self) -> None:
        if self.running:
            self.notify("the release is still running: esc closes this dialog once it has finished", severity="warning")
            return
        self.dismiss(self.result)
