"""The footer: `?` first, then the focused pane's keys, then the keys that work everywhere.

Textual's Footer lists the active bindings in the order it finds them and is cut at the right
edge, so on a narrow terminal the help key (and, at 160 columns, filter / zoom / quit) fell off.
Here the order is what matters to someone at the keyboard: how to get help, what this pane does,
then the rest.  Below 200 columns the spacing is compact and the command palette's key (docked
right, 12 columns) is left to the help screen: that fits the services pane's keys and every
app key at 160.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer

from swarmtui.ui._textual_private import footer_bindings_ready, footer_key_class

HELP_ID = "app.help"
WIDE = 200  # columns from which the footer keeps Textual's roomier spacing


def ordered(bindings: list) -> list:
    """(binding, enabled, tooltip) triples: help first, then the pane's or dialog's own, then the app's."""
    def rank(item) -> int:
        binding_id = item[0].id or ""
        return 0 if binding_id == HELP_ID else 2 if binding_id.startswith("app.") else 1
    return sorted(bindings, key=rank)  # stable: the action table's order within each group


class KeyFooter(Footer):
    def compose(self) -> ComposeResult:
        if not footer_bindings_ready(self):
            return
        FooterKey = footer_key_class()
        self.compact = narrow = self.app.size.width < WIDE
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
        for binding, enabled, tooltip in ordered(shown):
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            disabled=not enabled, tooltip=tooltip).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and not narrow:  # the help names ctrl+p
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _, binding, enabled, tooltip = palette
                yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                                classes="-command-palette", disabled=not enabled,
                                tooltip=binding.tooltip or binding.description)

    def on_resize(self) -> None:
        if self.compact != (self.app.size.width < WIDE):
            self.call_after_refresh(self.recompose)
