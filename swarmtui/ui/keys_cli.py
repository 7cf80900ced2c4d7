"""`swarmtui keys`: the keymap, and remapping a key in config.toml's [keys] without an editor.

`keys set ID KEYS` is checked like the TUI checks [keys] at start (an unknown id, a key name
Textual does not know, a clash in the same pane: exit 2, nothing written); only that entry is
written, the rest of the file stays as it was (settings_store.py).  Setting a key back to its
default removes the entry, so the file holds only what the user changed.
"""

from __future__ import annotations

import sys


def register(sub) -> tuple[str, ...]:
    keys = sub.add_parser("keys", help="list the keys; remap one in config.toml's [keys]")
    verbs = keys.add_subparsers(dest="verb", metavar="VERB")
    verbs.add_parser("ls", help="every binding id with its default key and yours")
    put = verbs.add_parser("set", help="remap a binding: swarmtui keys set services.scale_to S")
    put.add_argument("binding_id")
    put.add_argument("keys", help="Textual key name(s), comma separated: S, ctrl+x, f5, question_mark")
    reset = verbs.add_parser("reset", help="back to the default key")
    reset.add_argument("binding_id")
    keys.set_defaults(handler=run, verb="ls")
    return ()


def run(args, settings) -> int:
    from swarmtui.config import ConfigError, default_config_path
    from swarmtui.settings_store import SettingsStore
    from swarmtui.ui.actions import ACTIONS, BY_ID, KeymapError, check_keymap, key_display

    path = settings.config_path or default_config_path()
    if args.verb == "ls":
        for action in ACTIONS:
            mine = settings.keys.get(action.id)
            if action.keys or mine:
                shown = key_display(mine) + f"  (default {key_display(action.keys) or 'none'})" if mine else key_display(action.keys)
                print(f"{action.id:32} {shown:28} {action.help}")
        return 0
    keymap = dict(settings.keys)
    if args.verb == "set" and args.binding_id in BY_ID and args.keys.strip() == BY_ID[args.binding_id].keys:
        args.verb = "reset"  # the default again: nothing of the user's to keep
    if args.verb == "set":
        keymap[args.binding_id] = args.keys.strip()
    else:
        keymap.pop(args.binding_id, None)
    try:
        check_keymap(keymap)
    except KeymapError as exc:
        print(f"swarmtui: {exc}; nothing written to {path}", file=sys.stderr)
        return 2
    try:
        SettingsStore(path).remember("keys", args.binding_id, keymap.get(args.binding_id))
    except ConfigError as exc:
        print(f"swarmtui: {exc}", file=sys.stderr)
        return 2
    action = BY_ID.get(args.binding_id)
    now = keymap.get(args.binding_id) or (action.keys if action else "")
    print(f"{args.binding_id}: {key_display(now) or 'no key'} (in {path})")
    return 0
