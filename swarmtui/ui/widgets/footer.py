"""The footer: `?` first, then the focused pane's keys, then the keys that work everywhere.

Textual's Footer lists the active bindings in the order it finds them and is cut at the right
edge, so on a narrow terminal the help key (and, at 160 columns, filter / zoom / quit) fell off.
Here the order is what matters to someone at the keyboard: how to get help, what this pane does,
then the rest.  Below 200 columns the spacing is compact and the command palette's key (docked
right, 12 columns) is left to the help screen: that fits the services pane's keys and every
app key at 160.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer

from swarmtui.ui._textual_private import footer_bindings_ready, footer_key_class, set_footer_key_disabled

HELP_ID = "app.help"
WIDE = 200  # columns from which the footer keeps Textual's roomier spacing


def ordered(bindings: list) -> list:
    """(binding, enabled, tooltip) triples: help first, then the pane's or dialog's own, then the app's."""
    def rank(item) -> int:
        binding_id = item[0].id or ""
        return 0 if binding_id == HELP_ID else 2 if binding_id.startswith("app.") else 1
    return sorted(bindings, key=rank)  # stable: the action table's order within each group


class KeyFooter(Footer):
    """Textual's Footer recomposes every key (unmount, mount, restyle ~15 widgets) twice on each
    focus change; at 500 nodes that was most of a pane switch (~400 ms).  Here the bindings are
    read once per frame and the keys already shown are changed in place, only where they differ
    (keys added or removed only when the count changes)."""

    _shown: tuple = ()  # the Item of each key shown, in order
    _update_pending = False

    def _wanted(self) -> list[Item]:
        """What the footer should show now, in order (the palette key last, when there is one)."""
        narrow = self.app.size.width < WIDE
        active = self.screen.active_bindings
        seen: set[str] = set()
        shown = []
        # A dialog's own key can be shadowed by a hidden binding of its focused table (DataTable's
        # enter): the dialog's, from the action table, is the one that runs and the one to show.
        own = {b.key: b for b in getattr(self.screen, "BINDINGS", ()) if isinstance(b, Binding) and b.show}
        for key, (_, binding, enabled, tooltip) in active.items():
            if not binding.show and key in own:
                binding = own[key]
            if binding.show and binding.action not in seen:  # one key per action, as Footer does
                seen.add(binding.action)
                shown.append((binding, enabled, tooltip))
        items = [Item(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                      not enabled, tooltip) for binding, enabled, tooltip in ordered(shown)]
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and not narrow:  # the help names ctrl+p
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _, binding, enabled, tooltip = palette
                items.append(Item(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                                  not enabled, binding.tooltip or binding.description, PALETTE))
        return items

    def _key(self, item: Item, composing: bool = True):
        FooterKey = footer_key_class()
        key = FooterKey(item.key, item.key_display, item.description, item.action, disabled=item.disabled,
                        tooltip=item.tooltip, classes=item.classes)
        if item.classes == PALETTE:  # as Footer does: the palette key keeps FooterKey's own compact
            return key
        if not composing:  # data_bind binds to the widget composing; a resize recomposes anyway
            key.compact = self.compact
            return key
        return key.data_bind(compact=Footer.compact)

    def compose(self) -> ComposeResult:
        if not footer_bindings_ready(self):
            return
        self.compact = self.app.size.width < WIDE
        items = self._wanted()
        self._shown = tuple(items)
        for item in items:
            yield self._key(item)

    def bindings_changed(self, screen) -> None:
        """Footer's own handler recomposes; this one updates the keys once, after the frame."""
        if not footer_bindings_ready(self):
            super().bindings_changed(screen)  # the first time: compose them (Footer sets the flag)
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen and not self._update_pending:
            self._update_pending = True
            self.call_after_refresh(self._update_keys)

    def _update_keys(self) -> None:
        self._update_pending = False
        if not self.is_attached:  # its screen was closed before this frame
            return
        items = self._wanted()
        if tuple(items) == self._shown:
            return
        keys = [w for w in self.children if not w.has_class(PALETTE)]
        palette = next((w for w in self.children if w.has_class(PALETTE)), None)
        plain = [i for i in items if not i.classes]
        if (palette is None) != (len(plain) == len(items)):  # the palette key comes or goes: only on a resize
            self.recompose()
            return
        self._shown = tuple(items)
        for widget, item in zip(keys, plain):
            set_key(widget, item)
        if palette is not None:
            set_key(palette, items[-1])
        for widget in keys[len(plain):]:
            widget.remove()
        if len(plain) > len(keys):
            self.mount(*(self._key(item, composing=False) for item in plain[len(keys):]), before=palette)

    def on_resize(self) -> None:
        if self.compact != (self.app.size.width < WIDE):
            self.call_after_refresh(self.recompose)


PALETTE = "-command-palette"


@dataclass(frozen=True)
class Item:
    """One key as the footer shows it (FooterKey's arguments)."""

    key: str
    key_display: str
    description: str
    action: str
    disabled: bool
    tooltip: str
    classes: str = ""


def set_key(widget, item: Item) -> None:
    """Make a FooterKey show this item; repaint (and re-measure) it only if something differs."""
    if (widget.key, widget.key_display, widget.description, widget.action) != (
            item.key, item.key_display, item.description, item.action):
        widget.key, widget.key_display, widget.description, widget.action = (
            item.key, item.key_display, item.description, item.action)
        widget.refresh(layout=True)
    set_footer_key_disabled(widget, item.disabled)
    if widget.tooltip != (item.tooltip or None):
        widget.tooltip = item.tooltip or None
