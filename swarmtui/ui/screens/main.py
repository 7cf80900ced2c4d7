"""The screen the panes live on."""

from __future__ import annotations

from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget


class MainScreen(Screen):
    """Textual's Screen repaints the whole of itself whenever focus moves (its `focused` reactive
    repaints).  What looks different on a focus change repaints itself anyway: the focused and the
    blurred widget, whatever `:focus`/`:focus-within` restyles (the two panes' borders) and the
    footer's keys.  At 500 nodes that whole-screen repaint was a third of a pane switch."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
