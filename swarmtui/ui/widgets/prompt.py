"""The one-line prompts under the panes (`/` filter, `:` command)."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Input


class Prompt(Input):
    """Closes and hands focus back while it handles Enter. The app hands each key to the focused
    widget as it comes, so a key typed right after Enter (`/name` Enter `3`, as fast as people and
    tmux type) is already on its way to the prompt: a closed prompt passes such keys back to the app,
    which gives them to what has focus now (seen in CI: the filter became 'name3')."""

    returns_to: Widget | None = None  # where focus goes on Enter (None: wherever the screen puts it)

    # Input sets its virtual size on every change of its value, and the layout sets it back, so each
    # key typed asked for a layout pass of the whole screen (~20 ms at 500 nodes: most of a filter
    # key's time).  A prompt's box never changes size with its text: no layout, but when the text
    # reaches the edge of the box (the layout then gives it the width to scroll in).
    virtual_size = Reactive(Size(0, 0), layout=False)

    def watch_value(self, value: str) -> None:
        if cell_len(value) + 2 >= self.size.width:
            self.refresh(layout=True)

    async def on_key(self, event: events.Key) -> None:
        if not self.has_class("visible"):
            event.prevent_default()
            event.stop()
            self.app.post_message(events.Key(event.key, event.character))
        elif event.key == "enter":
            event.prevent_default()
            event.stop()
            self.remove_class("visible")
            if self.returns_to is not None and self.returns_to.is_attached:
                self.screen.set_focus(self.returns_to)
            await self.action_submit()
