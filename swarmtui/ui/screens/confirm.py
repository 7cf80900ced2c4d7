"""Ask before anything destructive, and show the docker CLI command it amounts to."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from swarmtui.ui.actions import bindings


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True on yes, False on no/escape. `cli` is shown verbatim (secrets already masked)."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 76; height: auto; max-height: 80%; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    ConfirmScreen .title { text-style: bold; color: $warning; margin-bottom: 1; }
    ConfirmScreen .cli { color: $text-muted; margin-top: 1; }
    ConfirmScreen Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 2; }
    """
    BINDINGS = bindings("confirm")

    def __init__(self, title: str, body: str = "", cli: str = "", yes_label: str = "Yes") -> None:
        super().__init__()
        self.title_text, self.body, self.cli, self.yes_label = title, body, cli, yes_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            if self.body:
                yield Static(self.body, markup=False)  # may quote spec values: "[...]" is text, not markup
            if self.cli:
                yield Static(f"docker CLI equivalent:\n  $ {self.cli}", classes="cli", markup=False)
            with Horizontal():
                yield Button(f"{self.yes_label} (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # the safe choice is the default

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
