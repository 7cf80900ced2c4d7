"""The Textual internals swarmtui relies on, in one place (Textual 8.x)."""

from __future__ import annotations

from textual.widgets import DataTable


def drop_render_caches(table: DataTable) -> None:
    """Forget every line a DataTable rendered, so the next paint uses the current column widths.

    Why private: DataTable widens its columns in its own idle handler but keeps the lines it
    painted before with the old widths (rows added inside `batch_update`); no public call drops
    its line cache (`refresh()` repaints from it)."""
    table._clear_caches()


def key_name_of(character: str) -> str:
    """The key name Textual gives a printable character ('+' -> 'plus', '?' -> 'question_mark').

    Why private: the user's [keys] keymap is checked against the names Textual itself binds, and
    textual.keys has no public function from a character to its key name."""
    from textual.keys import _character_to_key

    return _character_to_key(character)
