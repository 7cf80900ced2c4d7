"""The action table is the one source of every key: bindings, README, keymap checks, the gate."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.dom import DOMNode

import swarmtui.ui
from swarmtui.ui import actions
from swarmtui.ui.actions import BY_ID, DANGEROUS, Gate, KeymapError, check_keymap

README = Path(__file__).parents[2] / "README.md"


def ui_classes():
    for info in pkgutil.walk_packages(swarmtui.ui.__path__, "swarmtui.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, DOMNode):
                yield cls


def test_the_readme_keys_section_is_the_table():
    text = README.read_text()
    assert actions.README_BEGIN in text and actions.README_END in text
    assert actions.with_keys_table(text) == text, "README keys are stale: python -m swarmtui.ui.actions README.md"


def test_every_binding_of_the_ui_comes_from_the_table():
    seen = set()
    for cls in ui_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            assert binding.id in BY_ID, f"{cls.__name__} binds {binding.key!r} outside the table"
            action = BY_ID[binding.id]
            assert (binding.key, binding.action) == (action.keys, action.action)
            seen.add(binding.id)
    keyed = {a.id for a in actions.ACTIONS if a.keys}
    assert keyed == seen, f"table actions no widget binds: {sorted(keyed - seen)}"


def test_each_dangerous_action_is_gated_where_its_method_lives():
    """The class whose bindings run a dangerous action (the app for "app.x") mixes in Gated with that
    scope, so its key shows disabled and does nothing read-only: a new dialog cannot forget it."""
    from swarmtui.ui.actions import Gated
    from swarmtui.ui.app import SwarmApp

    binders = {b.id: cls for cls in ui_classes() for b in cls.__dict__.get("BINDINGS", [])}
    for action in DANGEROUS:
        where, method = action.method
        home = SwarmApp if where == "app" else binders[action.id]
        assert issubclass(home, Gated) and home.ACTION_SCOPE == where, f"{action.id}: {home.__name__} is not Gated({where!r})"
        assert callable(getattr(home, f"action_{method}", None)), f"{action.id}: {home.__name__} has no action_{method}"


def test_the_gate_refuses_dangerous_actions_only_in_read_only_mode_and_counts():
    said = []
    gate = Gate(read_only=True, notify=said.append)
    assert gate.check("app.help")
    assert not gate.check("queue.purge")
    assert said == ["read-only: purge is disabled"] and gate.refused == ["queue.purge"]
    assert Gate(read_only=False).check("queue.purge")


def test_colon_words_are_unique_and_include_k9s_style_aliases():
    assert actions.COMMANDS["svc"].id == "app.pane_services"
    assert actions.COMMANDS["no"].id == "app.pane_nodes"
    assert actions.COMMANDS["bootstrap"].id == "nodes.bootstrap"


@pytest.mark.parametrize("keymap, named", [
    ({"services.scale_too": "S"}, "services.scale_too"),
    ({"scale_to": "S"}, "did you mean services.scale_to"),
    ({"services.scale_to": "ctrl+bogus"}, "'ctrl+bogus' is not a key name"),
    ({"services.scale_to": "hyperz+s"}, "'hyperz+s' is not a key"),
    ({"services.scale_to": ""}, "give the key(s)"),
    ({"services.scale_to": "u"}, "'u' is bound to both services.scale_to and services.rolling_update"),
])
def test_a_bad_keymap_entry_is_a_clear_error_naming_it(keymap, named):
    with pytest.raises(KeymapError) as error:
        check_keymap(keymap)
    assert named in str(error.value)


def test_a_good_keymap_passes():
    keymap = {"services.scale_to": "S", "app.quit": "ctrl+q", "queue.purge": "ctrl+x,delete", "app.help": "f1"}
    assert check_keymap(keymap) == keymap
