"""Small prompts of the logs pane: how much history to load (tail N) and where to save the buffer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from swarmtui.ui.actions import bindings


class _Prompt(ModalScreen[str | None]):
    """One line of input: Enter answers, Escape cancels (None)."""

    DEFAULT_CSS = """
    _Prompt { align: center middle; }
    _Prompt > Vertical { width: 72; height: auto; border: round $accent; padding: 0 1; background: $surface; }
    _Prompt Label { width: 100%; }
    _Prompt .hint { color: $text-muted; }
    _Prompt .error { color: $error; }
    """
    BINDINGS = bindings("prompt")

    def __init__(self, title: str, value: str, hint: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.prompt_title = title
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.prompt_title)
            yield Input(value=self.value, id="prompt-input")
            yield Label(self.hint, classes="hint", id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def validate(self, value: str) -> str | None:
        """An error message, or None when `value` is acceptable."""
        return None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.validate(event.value.strip())
        if error:
            hint = self.query_one("#prompt-hint", Label)
            hint.update(error)
            hint.set_class(True, "error")
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class TailDialog(_Prompt):
    """How many lines of history each replica loads when a stream (re)starts: a number or `all`."""

    def __init__(self, current: int | str = 100) -> None:
        super().__init__("Lines of history per replica (docker service logs --tail)", str(current),
                         "a number, or all · Enter to apply · Escape to cancel", id="tail-dialog")

    def validate(self, value: str) -> str | None:
        if value == "all" or (value.isdigit() and int(value) >= 0):
            return None
        return f"{value!r} is neither a number nor 'all'"


class SaveDialog(_Prompt):
    """Where to save the log buffer (or `what` else)."""

    def __init__(self, default_path: str, what: str = "the log buffer") -> None:
        super().__init__(f"Save {what} to", default_path,
                         "Enter to save · Escape to cancel", id="save-dialog")

    def validate(self, value: str) -> str | None:
        return None if value else "give a file name"
