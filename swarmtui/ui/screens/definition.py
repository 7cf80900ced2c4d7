"""A read-only viewer of a node's, service's or task's definition (YAML, secrets already masked):
scroll it, search it with `/` (n / N for the next and previous match), save it with ctrl+s."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, TextArea
from textual.widgets.text_area import Selection

from swarmtui.ui.actions import bindings
from swarmtui.ui.screens.log_dialogs import SaveDialog


def find(text: str, needle: str, start: int, backwards: bool = False) -> int:
    """Offset of the next (or previous) case-insensitive match from `start`, wrapping around; -1 if none."""
    hay, needle = text.lower(), needle.lower()
    if not needle:
        return -1
    if backwards:
        at = hay.rfind(needle, 0, max(start, 0))
        return at if at >= 0 else hay.rfind(needle)
    at = hay.find(needle, start)
    return at if at >= 0 else hay.find(needle)


def location(text: str, offset: int) -> tuple[int, int]:
    """(row, column) of a character offset."""
    row = text.count("\n", 0, offset)
    return row, offset - (text.rfind("\n", 0, offset) + 1)


class DefinitionScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    DefinitionScreen { align: center middle; }
    DefinitionScreen > Vertical { width: 92%; height: 92%; border: thick $accent; background: $surface; }
    DefinitionScreen #definition-title { width: 100%; padding: 0 1; text-style: bold; }
    DefinitionScreen TextArea { height: 1fr; border: none; }
    DefinitionScreen #definition-search { display: none; }
    DefinitionScreen #definition-search.visible { display: block; }
    DefinitionScreen #definition-hint { width: 100%; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = bindings("definition")

    def __init__(self, title: str, text: str, save_name: str, save_dir: Path | None = None) -> None:
        super().__init__()
        self.title_text, self.text, self.save_name = title, text, save_name
        self.save_dir = save_dir or Path.home()
        self.needle = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="definition-title", markup=False)
            yield TextArea(self.text, read_only=True, soft_wrap=False, show_line_numbers=True, id="definition-text")
            yield Input(placeholder="search (enter: find, esc: close)", id="definition-search")
            yield Label("/ search · n/N next/previous match · ctrl+s save · esc close · secret-looking values are masked",
                        id="definition-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @property
    def area(self) -> TextArea:
        return self.query_one(TextArea)

    def hint(self, text: str) -> None:
        self.query_one("#definition-hint", Label).update(text)

    # ---- search ---------------------------------------------------------------------------
    def action_search(self) -> None:
        box = self.query_one("#definition-search", Input)
        box.value = self.needle
        box.add_class("visible")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.remove_class("visible")
        self.needle = event.value
        self.area.focus()
        self._jump(backwards=False, from_cursor=True)

    def action_next_match(self) -> None:
        self._jump(backwards=False)

    def action_previous_match(self) -> None:
        self._jump(backwards=True)

    def _offset(self, row: int, column: int) -> int:
        lines = self.text.split("\n")
        return sum(len(line) + 1 for line in lines[:row]) + column

    def _jump(self, backwards: bool, from_cursor: bool = False) -> None:
        if not self.needle:
            self.hint("nothing to search for: press / first")
            return
        start, end = sorted(self.area.selection)
        here = self._offset(*start)
        origin = here if backwards or from_cursor else self._offset(*end)
        found = find(self.text, self.needle, origin, backwards)
        if found < 0:
            self.hint(f"{self.needle!r} not found")
            return
        total = self.text.lower().count(self.needle.lower())
        self.area.selection = Selection(location(self.text, found), location(self.text, found + len(self.needle)))
        self.area.scroll_cursor_visible(center=True)
        row = location(self.text, found)[0] + 1
        self.hint(f"{self.needle!r}: line {row} ({total} match{'es' if total != 1 else ''}) · n/N next/previous · esc close")

    # ---- save and close -------------------------------------------------------------------
    def action_save(self) -> None:
        default = self.save_dir / f"swarmtui-{self.save_name}-{datetime.now():%Y%m%d-%H%M%S}.yaml"

        def chosen(path: str | None) -> None:
            if not path:
                return
            target = Path(path).expanduser()
            try:
                target.write_text(self.text)
            except OSError as exc:
                self.notify(f"could not save to {target}: {exc.strerror or exc}", severity="error")
                return
            self.notify(f"saved to {target}")

        self.app.push_screen(SaveDialog(str(default), what=f"the definition of {self.save_name}"), chosen)

    def action_close(self) -> None:
        box = self.query_one("#definition-search", Input)
        if box.has_class("visible"):
            box.remove_class("visible")
            self.area.focus()
            return
        self.dismiss(None)
