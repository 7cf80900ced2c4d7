"""Dialogs of the queue pane: push items (typed lines or a file) and add a watched key or glob."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from swarmtui.ui.actions import bindings


@dataclass(frozen=True)
class PushRequest:
    key: str
    lines: tuple[str, ...] = ()  # typed items, one per line (blank lines dropped later)
    path: str | None = None  # or a file to read them from (read off the UI thread)


_CSS = """
{cls} {{ align: center middle; }}
{cls} > Vertical {{ width: 76; max-width: 95%; height: auto; max-height: 90%; padding: 1 2;
    border: thick $primary; background: $surface; }}
{cls} Label {{ margin-top: 1; }}
{cls} .title {{ text-style: bold; margin-top: 0; }}
{cls} TextArea {{ height: 8; }}
{cls} .buttons {{ height: auto; margin-top: 1; align-horizontal: right; }}
{cls} Button {{ margin-left: 2; }}
{cls} .error {{ color: $error; }}
"""


class PushScreen(ModalScreen[PushRequest | None]):
    """Returns a PushRequest, or None when cancelled. ctrl+s pushes, escape cancels."""

    DEFAULT_CSS = _CSS.format(cls="PushScreen")
    BINDINGS = bindings("queue_push")

    def __init__(self, key: str = ""):
        super().__init__()
        self.key = key

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Push items to a queue", classes="title")
            yield Label("Key")
            yield Input(self.key, placeholder="example:swarm:spider", id="push-key")
            yield Label("Items, one per line")
            yield TextArea(id="push-lines")
            yield Label("…or a file with one item per line")
            yield Input(placeholder="/path/to/urls.txt", id="push-file")
            yield Label("", id="push-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Push (ctrl+s)", id="push", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#push-lines" if self.key else "#push-key").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_push() if event.button.id == "push" else self.action_cancel()

    def action_push(self) -> None:
        key = self.query_one("#push-key", Input).value.strip()
        lines = tuple(line for line in self.query_one("#push-lines", TextArea).text.splitlines() if line.strip())
        path = self.query_one("#push-file", Input).value.strip() or None
        error = ""
        if not key:
            error = "Give the key to push to."
        elif lines and path:
            error = "Type items or give a file, not both."
        elif not lines and not path:
            error = "Type at least one item or give a file."
        if error:
            self.query_one("#push-error", Label).update(error)
            return
        self.dismiss(PushRequest(key, lines, path))

    def action_cancel(self) -> None:
        self.dismiss(None)


class WatchScreen(ModalScreen[str | None]):
    """Ask for a key name or a glob to watch; returns it, or None when cancelled."""

    DEFAULT_CSS = _CSS.format(cls="WatchScreen")
    BINDINGS = bindings("queue_watch")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Watch a key or a glob (resolved with SCAN)", classes="title")
            yield Input(placeholder="myspider:requests  or  myspider:*", id="watch-pattern")
            yield Label("enter to add, escape to cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
