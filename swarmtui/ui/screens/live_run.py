"""A dialog that runs one long change (stack deploy, secret/config rotation) and shows its output live.

It is handed `run(say) -> OperationResult` and calls it in a thread worker; every line `say`
gets (the docker CLI's own output, each service's rollout) comes back as a message and goes
into the log.  The outcome, with the docker CLI equivalent, ends it; `Finished` bubbles to the
app for the timeline.  Esc closes it, but not while the change runs.
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, Log, Static

from swarmtui.ui.actions import bindings
from swarmtui.ui.messages import WorkEnded

Say = Callable[[str], None]


class LiveRunScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    LiveRunScreen { align: center middle; }
    LiveRunScreen > Vertical { width: 110; max-width: 98%; height: 85%; padding: 0 2; border: thick $accent; background: $surface; }
    LiveRunScreen .title { text-style: bold; margin-bottom: 1; }
    LiveRunScreen #intro { height: auto; color: $text-muted; }
    LiveRunScreen #outcome { height: auto; margin-top: 1; }
    LiveRunScreen #live-log { height: 1fr; min-height: 5; border-top: solid $primary; }
    """
    BINDINGS = bindings("live_run")

    class Line(Message):
        bubble = False

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Ended(WorkEnded):
        pass

    class Finished(Message):
        """The change ended: `lines` for the timeline."""

        def __init__(self, lines: list[str], ok: bool) -> None:
            super().__init__()
            self.lines, self.ok = lines, ok

    def __init__(self, title: str, intro: str, run: Callable[[Say], object], what: str) -> None:
        super().__init__()
        self.title_text, self.intro, self.run, self.what = title, intro, run, what
        self.running = True
        self.ok: bool | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title", markup=False)
            yield Static(self.intro, id="intro", markup=False)
            yield Static(Text("… running", style="bold cyan"), id="outcome")
            yield Log(id="live-log", max_lines=5000)

    def on_mount(self) -> None:
        self._work()

    @work(thread=True, exclusive=True, exit_on_error=False, group="live-run")
    def _work(self) -> None:
        try:
            result = self.run(lambda line: self.post_message(self.Line(line)))
        except Exception as exc:  # noqa: BLE001 - ClusterError or a daemon gone: shown, never raised into the UI
            self.post_message(self.Ended(None, str(exc).strip() or type(exc).__name__))
        else:
            self.post_message(self.Ended(result, None))

    def on_live_run_screen_line(self, message: Line) -> None:
        self.query_one("#live-log", Log).write_line(message.text)

    def on_live_run_screen_ended(self, message: Ended) -> None:
        self.running = False
        self.ok = message.result is not None
        outcome = self.query_one("#outcome", Static)
        if message.result is None:
            outcome.update(Text.assemble(("✘ failed", "bold red"), f": {message.error}\n", ("esc: close", "dim")))
            lines = [f"{self.what} failed: {message.error}"]
        else:
            r = message.result
            outcome.update(Text.assemble(("✔ done", "bold green"), f": {r.summary}\n$ {r.cli}\n", ("esc: close", "dim")))
            lines = [r.summary]
        self.post_message(self.Finished(lines, self.ok))

    def action_close(self) -> None:
        if self.running:
            self.notify(f"{self.what} is still running: esc closes this dialog once it has finished", severity="warning")
            return
        self.dismiss(bool(self.ok))
