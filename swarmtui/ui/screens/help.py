"""`?`: the keys of where the user is (the focused pane, then everywhere), from the action table.

Like posting's help: what is shown depends on where `?` was pressed; the README lists every key.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from swarmtui.ui.actions import SCOPE_TITLES, Gate, actions_of, bindings, effective_keys, key_display

Section = tuple[str, list[tuple[str, str, str]]]  # (title, [(keys, : words, what it does)])


def help_sections(scopes: Iterable[str], keymap: Mapping[str, str], gate: Gate) -> list[Section]:
    """The rows of the help screen for these scopes, with the user's keys and read-only notes."""
    out = []
    for scope in dict.fromkeys(scopes):
        rows = []
        for action in actions_of(scope):
            keys = effective_keys(action, keymap)
            words = " ".join(f":{w}" for w in action.commands)
            note = "  (disabled: read-only)" if not gate.allows(action) else ""
            rows.append((key_display(keys) if keys else "", words, action.help + note))
        if rows:
            out.append((SCOPE_TITLES[scope], rows))
    return out


def help_table(sections: list[Section]) -> Group:
    """One small table per section, its title above it: a long title ("Dialogs (scale, update, ...)")
    no longer widens the keys column, so the text keeps its room at 80 columns."""
    tables = []
    for title, rows in sections:
        table = Table(box=None, show_header=False, padding=(0, 1), title=f"[b]{title}[/b]", title_justify="left",
                      expand=False)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column(style="cyan", no_wrap=True)
        table.add_column()
        for keys, words, text in rows:
            table.add_row(keys, words, text)
        tables += [table, Text("")]
    tables.append(Text.from_markup("[dim]Each pane has its own keys: press ? there. Every action by name: ctrl+p. All keys: the README.[/dim]"))
    return Group(*tables)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 110; max-width: 96%; height: 90%; border: thick $accent; background: $surface; padding: 1 2; }
    HelpScreen.-narrow > VerticalScroll { max-width: 100%; height: 100%; padding: 0 1; border: round $accent; }
    """
    BINDINGS = bindings("help")

    def __init__(self, sections: list[Section]) -> None:
        super().__init__()
        self.sections = sections

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < 100, "-narrow")  # 80x24: the whole screen, thin border

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_table(self.sections))
