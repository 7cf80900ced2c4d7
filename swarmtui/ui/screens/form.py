"""A small modal form: labelled inputs, validation messages, Enter submits, Esc cancels.

Scale, update, new-service and label dialogs are all this form with different
fields and a `parse` function that turns the values into a result or raises
ValueError with a message for the user (nothing is sent until it parses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from swarmtui.ui.actions import bindings


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    value: str = ""
    choices: Sequence[str] = ()  # a Select instead of an Input
    placeholder: str = ""
    restrict: str | None = None  # Input.restrict regex, e.g. digits only
    password: bool = False  # typed value shown as dots (a secret's value)


@dataclass
class FormSpec:
    title: str
    fields: Sequence[Field]
    parse: Callable[[dict[str, str]], Any]
    hint: str = ""
    cli: Callable[[Any], str] | None = field(default=None)  # shows the docker CLI equivalent while typing


class FormScreen(ModalScreen[Any]):
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical { width: 80; height: auto; max-height: 90%; padding: 1 2; border: thick $accent; background: $surface; }
    FormScreen .title { text-style: bold; margin-bottom: 1; }
    FormScreen Label { margin-top: 1; }
    FormScreen #error { color: $error; height: auto; margin-top: 1; }
    FormScreen #cli { color: $text-muted; height: auto; margin-top: 1; }
    FormScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = bindings("form")

    def __init__(self, spec: FormSpec) -> None:
        super().__init__()
        self.spec = spec
        self._done = False  # dismissed: keys and messages already queued must not touch its widgets

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.spec.title, classes="title")
            for f in self.spec.fields:
                yield Label(f.label)
                if f.choices:
                    yield Select([(c, c) for c in f.choices], value=f.value or f.choices[0], allow_blank=False, id=f.id)
                else:
                    yield Input(value=f.value, placeholder=f.placeholder, id=f.id, restrict=f.restrict, password=f.password)
            yield Static("", id="error")
            yield Static("", id="cli", markup=False)
            yield Static(self.spec.hint or "enter: submit · esc: cancel", classes="hint")

    def on_mount(self) -> None:
        self._preview()

    def values(self) -> dict[str, str]:
        out = {}
        for f in self.spec.fields:
            widget = self.query_one(f"#{f.id}")
            out[f.id] = str(widget.value if not isinstance(widget, Select) else widget.value).strip()
        return out

    def _preview(self) -> None:
        if self._done:
            return  # a Changed message typed just before Enter, arriving after the form was dismissed
        cli = ""
        try:
            result = self.spec.parse(self.values())
            cli = f"$ {self.spec.cli(result)}" if self.spec.cli else ""
        except ValueError:
            pass  # shown on submit; while typing, half-typed values are normal
        self.query_one("#cli", Static).update(cli)

    def on_input_changed(self) -> None:
        if not self._done:
            self.query_one("#error", Static).update("")
        self._preview()

    def on_select_changed(self) -> None:
        self._preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if self._done:
            return  # a second Enter already on its way
        try:
            result = self.spec.parse(self.values())
        except ValueError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        self._close(result)

    def action_cancel(self) -> None:
        if not self._done:
            self._close(None)

    def _close(self, result: Any) -> None:
        self._done = True
        self.dismiss(result)
