"""Timeline pane: what the swarm did, in words, newest at the bottom, with the time it was seen."""

from __future__ import annotations

import re
from datetime import datetime

from rich.text import Text
from textual.widgets import RichLog

# Checked in order; patterns match the timeline's own sentences ("lab-worker-2 down", "update of
# spider rollback started"), not words inside a summary such as "on failure rollback".
SENTENCE_STYLES = (
    (re.compile(r" down$|failed|failing: |lost the manager"), "bold red"),
    (re.compile(r"^update of .* rollback"), "magenta"),
    (re.compile(r" restarted on "), "yellow"),
    (re.compile(r"ready$|completed|back in touch|connected to"), "green"),
    (re.compile(r"→"), "cyan"),
)


class Timeline(RichLog):
    BORDER_TITLE = "Timeline"

    def __init__(self, **kwargs) -> None:
        # min_width: RichLog renders at least 78 columns by default, cutting sentences in a narrower pane
        super().__init__(max_lines=2000, wrap=True, min_width=20, markup=False, auto_scroll=True, **kwargs)
        self.entries: list[str] = []  # plain text, for tests and for saving

    def add(self, sentences: list[str], when: datetime | None = None) -> None:
        stamp = (when or datetime.now()).strftime("%H:%M:%S")
        for sentence in sentences:
            self.entries.append(sentence)
            style = next((s for pattern, s in SENTENCE_STYLES if pattern.search(sentence)), "")
            self.write(Text.assemble((stamp + " ", "dim"), (sentence, style)))
