"""Timeline pane: what the swarm did, in words, newest at the bottom, with the time it was seen."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import RichLog

WORD_STYLES = (("down", "bold red"), ("failed", "bold red"), ("rollback", "magenta"), ("restarted", "yellow"),
               ("ready", "green"), ("completed", "green"), ("→", "cyan"))


class Timeline(RichLog):
    BORDER_TITLE = "Timeline"

    def __init__(self, **kwargs) -> None:
        super().__init__(max_lines=2000, wrap=True, markup=False, auto_scroll=True, **kwargs)
        self.entries: list[str] = []  # plain text, for tests and for saving

    def add(self, sentences: list[str], when: datetime | None = None) -> None:
        stamp = (when or datetime.now()).strftime("%H:%M:%S")
        for sentence in sentences:
            self.entries.append(sentence)
            style = next((s for word, s in WORD_STYLES if word in sentence), "")
            self.write(Text.assemble((stamp + " ", "dim"), (sentence, style)))
