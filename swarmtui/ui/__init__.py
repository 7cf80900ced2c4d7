"""The Textual app: panes, screens and widgets (never imports docker, redis or asyncssh)."""

import os

# Textual's frame timer pauses when nothing changed; resumed, its next tick comes one to two periods
# later (textual/timer.py's skip arithmetic), so a change made just after a frame (a filter key's
# rows, a message's round trip behind the prompt's own redraw) waited 17-33 ms at the default 60.
# At 120 that is 8-17 ms; frames still happen only when something changed. Read by Textual when it is
# first imported, so set here, before any module of this package imports it; TEXTUAL_FPS still wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
