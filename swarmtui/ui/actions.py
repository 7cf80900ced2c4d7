"""Every key of swarmtui in one table: where it works, what it does, whether it is dangerous.

The bindings of every pane and dialog, the footer, the `?` help, the command palette, the
`:` command words, the read-only gate and the user's `[keys]` keymap are all built from
this table, so a key is declared once.  A new action that changes the swarm, Redis, a
secret or a remote host is declared here with `dangerous=True`: read-only mode then
refuses it on every path (key, `:` command, palette, dialog button) through `Gate`.
"""

from __future__ import annotations

import difflib
import string
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Protocol, runtime_checkable

from textual.binding import Binding
from textual.keys import Keys, format_key, key_to_character

from swarmtui.ui._textual_private import key_name_of

# Where an action works.  "app" is everywhere; the others are a pane or a dialog.
PANE_SCOPES = ("app", "tables", "services", "nodes", "tasks", "logs", "queue", "timeline")  # "tables": every table
DIALOG_SCOPES = ("confirm", "form", "prompt", "help", "release", "bootstrap", "queue_push", "queue_watch", "definition",
                 "stacks", "objects", "live_run", "alerts", "contexts")
SCOPE_TITLES = {
    "app": "Everywhere", "tables": "Every table",
    "services": "Services pane", "nodes": "Nodes pane", "tasks": "Tasks pane",
    "logs": "Logs pane", "queue": "Queue pane", "timeline": "Timeline pane", "confirm": "Confirmation",
    "form": "Dialogs (scale, update, new service, labels)", "prompt": "Logs prompts (tail N, save)",
    "help": "This help", "release": "Release dialog", "bootstrap": "Bootstrap wizard",
    "queue_push": "Push items dialog", "queue_watch": "Watch a key dialog", "definition": "Definition viewer",
    "stacks": "Stacks view (:stacks)", "contexts": "Docker contexts (:ctx)", "objects": "Secrets and configs views (:secrets, :configs)",
    "live_run": "Deploy / rotation progress",
    "alerts": "Alerts history",
}


@dataclass(frozen=True)
class Action:
    scope: str  # a pane or dialog (PANE_SCOPES, DIALOG_SCOPES)
    name: str  # unique within its scope
    keys: str  # Textual key names, comma separated
    label: str  # the footer's word
    help: str  # the help screen's and the palette's sentence
    run: str = ""  # the Textual action run on the scope's widget (default: `name`); "app.x" runs on the app
    dangerous: bool = False  # changes the swarm, Redis or a remote host: refused in read-only mode
    show: bool = True  # in the footer
    priority: bool = False
    commands: tuple[str, ...] = ()  # `:` words, the first is the one shown
    what: str = ""  # how the refusal names it ("read-only: purge is disabled"); default: the label
    palette: bool = True  # offered in the command palette (only pane and app actions are)

    @property
    def id(self) -> str:
        """The binding id users remap in config.toml's [keys]."""
        return f"{self.scope}.{self.name}"

    @property
    def action(self) -> str:
        return self.run or self.name

    @property
    def method(self) -> tuple[str, str]:
        """(where the action method lives: "app" or the scope, its name without parameters)."""
        target, _, rest = self.action.rpartition(".") if self.action.startswith("app.") else ("", "", self.action)
        return (target or self.scope, rest.split("(")[0])

    @property
    def refusal(self) -> str:
        return f"read-only: {self.what or self.label.lower()} is disabled"


def _pane(n: int, name: str, *words: str) -> Action:
    return Action("app", f"pane_{name}", str(n), name, f"go to the {name} pane", run=f"focus_pane('{name}')",
                  show=False, commands=(name, *words))


ACTIONS: tuple[Action, ...] = (
    # everywhere
    Action("app", "help", "question_mark", "Help", "help: the keys of where you are", commands=("help", "h", "?")),
    Action("app", "command_line", "colon", "Cmd", "command line: a pane's name, logs all, bootstrap, q", palette=False),
    Action("app", "filter", "slash", "Filter", "filter the focused table (esc clears)"),
    Action("app", "zoom", "z", "Zoom", "maximise the focused pane / restore"),
    Action("app", "palette", "ctrl+p", "Palette", "command palette: every action by name", run="command_palette",
           show=False, priority=True, palette=False),
    Action("app", "layout", "v", "Layout", "switch the layout: standard / logs large (remembered)", run="next_layout",
           show=False, commands=("layout",)),
    Action("app", "quit", "q", "Quit", "quit", commands=("q", "quit", "q!"), palette=False),
    _pane(1, "nodes", "no", "node"),
    _pane(2, "services", "svc", "service"),
    _pane(3, "tasks", "ta", "task"),
    _pane(4, "logs", "lo", "log"),
    _pane(5, "queue", "qu"),
    _pane(6, "timeline", "ti", "events"),
    Action("app", "logs_all", "", "All logs", "follow the logs of every service", run="follow_all_logs",
           commands=("logs all", "logs *")),
    Action("app", "contexts", "", "Contexts", "docker contexts: switch to another swarm (endpoint, swarm, role, reachable)",
           run="open_contexts", commands=("ctx", "context", "contexts")),
    Action("app", "stacks", "", "Stacks", "stacks: their services, replicas, state; deploy, remove, logs",
           run="open_view('stacks')", commands=("stacks", "stack")),
    Action("app", "secrets", "", "Secrets", "secrets and the services using them; create, rotate, remove",
           run="open_view('secret')", commands=("secrets", "secret")),
    Action("app", "configs", "", "Configs", "configs and the services using them; create, rotate, remove",
           run="open_view('config')", commands=("configs", "config")),
    Action("app", "alerts", "", "Alerts", "the alerts raised so far, newest first", run="show_alerts", commands=("alerts", "al")),
    Action("app", "next_pane", "tab", "Next pane", "next pane (next field in a dialog)", run="cycle_pane(1)",
           show=False, priority=True, palette=False),
    Action("app", "previous_pane", "shift+tab", "Previous pane", "previous pane (previous field in a dialog)",
           run="cycle_pane(-1)", show=False, priority=True, palette=False),
    Action("app", "back", "escape", "Back", "back: close the command line, clear a filter, restore a zoomed pane",
           show=False, palette=False),
    # every table (LiveTable binds them; the order is remembered in config.toml's [sort])
    Action("tables", "sort_next", "greater_than_sign", "Sort", "sort by the next column (after the last: the table's own order)",
           run="sort_table(1)", show=False),
    Action("tables", "sort_previous", "less_than_sign", "Sort", "sort by the previous column", run="sort_table(-1)", show=False),
    Action("tables", "sort_reverse", "exclamation_mark", "Reverse", "reverse the sort order", run="sort_table(0)", show=False),
    # services pane (the operations live on the app: SwarmOperations)
    Action("services", "scale_up", "plus", "+1", "scale the service up by one", run="app.scale_up", dangerous=True, what="scale up"),
    Action("services", "scale_down", "minus", "-1", "scale the service down by one", run="app.scale_down", dangerous=True,
           what="scale down"),
    Action("services", "scale_to", "s", "Scale", "scale to a number (0 stops it everywhere, after a confirmation)",
           run="app.scale_to", dangerous=True),
    Action("services", "rolling_update", "u", "Update", "rolling update to a new image tag", run="app.rolling_update",
           dangerous=True, what="rolling update"),
    Action("services", "rollback", "R", "Rollback", "roll back to the previous spec", run="app.rollback", dangerous=True),
    Action("services", "force_restart", "F", "Restart", "forced rolling restart of every replica", run="app.force_restart",
           dangerous=True),
    Action("services", "release", "B", "Release", "build, push and roll out a new tag; rolls back by itself on failure",
           run="app.release", dangerous=True),
    Action("services", "new_service", "n", "New", "create a service", run="app.new_service", dangerous=True, what="new service"),
    Action("services", "remove_service", "ctrl+d", "Remove", "remove the service (asks first)", run="app.remove_service",
           dangerous=True, what="remove service"),
    Action("services", "autoscale", "A", "Autoscale", "autoscaling policy from the queue (queue, min, max, target drain)",
           run="app.autoscale", dangerous=True, what="autoscale policy"),
    Action("services", "show_tasks", "enter", "Tasks", "show its tasks", run="app.show_tasks", show=False),
    Action("services", "inspect", "i", "Inspect", "its definition as YAML (secret-looking values masked)", run="app.inspect"),
    Action("services", "exec", "e", "Shell", "a shell in one of its running tasks, on whichever node runs it",
           run="app.exec_service", dangerous=True, what="a shell in a task"),
    Action("services", "show_logs", "l", "Logs", "follow its logs", run="app.show_logs"),
    Action("services", "group_stacks", "g", "By stack", "group the services by stack (again: by name)",
           run="toggle_stack_groups"),
    # nodes pane
    Action("nodes", "promote", "P", "Promote", "promote the node to manager", run="app.promote", dangerous=True),
    Action("nodes", "demote", "D", "Demote", "demote the manager to worker", run="app.demote", dangerous=True),
    Action("nodes", "drain", "d", "Drain", "drain: move its tasks elsewhere", run="app.drain", dangerous=True),
    Action("nodes", "pause", "p", "Pause", "pause: no new tasks on it", run="app.pause", dangerous=True),
    Action("nodes", "activate", "a", "Activate", "activate: schedule tasks on it again", run="app.activate", dangerous=True),
    Action("nodes", "labels", "L", "Labels", "add or remove node labels", run="app.labels", dangerous=True, what="node labels"),
    Action("nodes", "remove_node", "ctrl+d", "Remove", "remove a Down node from the swarm (asks first)", run="app.remove_node",
           dangerous=True, what="remove node"),
    Action("nodes", "node_tasks", "enter", "Tasks", "show the tasks on this node (the logs follow them)", run="app.node_tasks",
           show=False),
    Action("nodes", "logs", "l", "Logs", "follow the logs of the tasks on this node", run="app.node_logs"),
    Action("nodes", "inspect", "i", "Inspect", "its definition as YAML", run="app.inspect"),
    Action("nodes", "bootstrap", "b", "Bootstrap", "wizard: turn fresh servers into swarm nodes over SSH",
           run="app.bootstrap", dangerous=True, commands=("bootstrap",)),
    # tasks pane
    Action("tasks", "history", "h", "History", "show / hide the failed, shutdown, rejected tasks and their errors",
           run="app.toggle_history"),
    Action("tasks", "inspect", "i", "Inspect", "the task's definition as YAML (secret-looking values masked)", run="app.inspect"),
    # priority: the table inside the pane has its own enter (select the row)
    Action("tasks", "logs", "enter,l", "Logs", "follow this replica's logs only", run="app.task_logs", priority=True),
    Action("tasks", "exec", "e", "Shell", "a shell in the task's container, on whichever node runs it (the TUI comes back after)",
           run="app.exec_task", dangerous=True, what="a shell in a task"),
    # logs pane
    Action("logs", "follow", "f", "Follow", "follow the newest lines / pause", run="toggle_follow"),
    Action("logs", "timestamps", "t", "Times", "show / hide timestamps", run="toggle_timestamps"),
    Action("logs", "wrap", "w", "Wrap", "wrap long lines", run="toggle_wrap"),
    Action("logs", "filter", "slash", "Filter", "filter lines (re: for a regex)", run="open_filter"),
    Action("logs", "next", "n", "Next", "next match", run="next_match"),
    Action("logs", "previous", "N", "Prev", "previous match", run="previous_match"),
    Action("logs", "clear", "c", "Clear", "clear the pane", run="clear"),
    Action("logs", "save", "ctrl+s", "Save", "save every buffered line to a file (the scope in its name)", run="save"),
    Action("logs", "end", "end", "Newest", "jump to the newest line", run="newest"),
    Action("logs", "since", "s", "Since", "history since: 1m, 5m, 15m, 1h or all (each press steps)", run="next_since"),
    Action("logs", "tail", "T", "Tail N", "load older history: the last N lines per replica (a number or all)",
           run="choose_tail"),
    # queue pane
    Action("queue", "watch", "a", "Watch key", "watch a key or glob"),
    Action("queue", "unwatch", "x", "Stop watching", "stop watching the highlighted entry"),
    Action("queue", "push", "i", "Push items", "push items (lines or a file)", dangerous=True, what="push"),
    Action("queue", "purge", "ctrl+d", "Purge", "purge the highlighted key (asks first)", dangerous=True),
    Action("queue", "requeue", "r", "Requeue orphans", "requeue in-flight items of replicas that are gone",
           dangerous=True, what="requeue"),
    # dialogs
    Action("confirm", "yes", "y", "Yes", "yes", run="answer(True)", show=False),
    Action("confirm", "no", "n,escape", "No", "no (the default)", run="answer(False)", show=False),
    Action("form", "submit", "ctrl+s", "Submit", "submit (enter in a field too)"),
    Action("form", "cancel", "escape", "Cancel", "cancel"),
    Action("prompt", "cancel", "escape", "Cancel", "cancel (enter answers)"),
    Action("help", "close", "escape,q,question_mark", "Close", "close", run="dismiss"),
    Action("release", "start", "ctrl+s", "Release", "build, push and roll out", dangerous=True, what="release"),
    Action("release", "close", "escape", "Close", "close (the release goes on if started)"),
    Action("bootstrap", "run", "ctrl+s", "Bootstrap", "bootstrap the hosts", dangerous=True, what="bootstrap"),
    Action("bootstrap", "dry_run", "ctrl+d", "Dry run", "show each host's commands, run nothing"),
    Action("bootstrap", "retry", "ctrl+r", "Retry failed", "retry the hosts that failed", dangerous=True,
           what="bootstrap retry"),
    Action("bootstrap", "close", "escape", "Close", "close"),
    Action("queue_push", "push", "ctrl+s", "Push", "push the items"),
    Action("queue_push", "cancel", "escape", "Cancel", "cancel"),
    Action("queue_watch", "cancel", "escape", "Cancel", "cancel (enter adds)"),
    Action("definition", "search", "slash", "Search", "search the definition", priority=True),
    Action("definition", "next", "n", "Next", "next match", run="next_match"),
    Action("definition", "previous", "N", "Previous", "previous match", run="previous_match"),
    Action("definition", "save", "ctrl+s", "Save", "save it to a file (masked, as shown)", priority=True),
    Action("definition", "close", "escape,q", "Close", "close"),
    Action("stacks", "narrow", "enter", "Services", "show only this stack's services in the services pane (esc there: all)"),
    Action("stacks", "logs", "l", "Logs", "follow the whole stack's logs, its replicas interleaved"),
    Action("stacks", "deploy", "d", "Deploy", "deploy or update a stack from a compose file (docker stack deploy)",
           dangerous=True, what="stack deploy"),
    Action("stacks", "remove", "ctrl+d", "Remove", "remove the stack: lists every service, network, secret and config first",
           dangerous=True, what="stack remove"),
    Action("stacks", "reload", "ctrl+r", "Reload", "read the stacks again"),
    Action("contexts", "switch", "enter", "Switch", "close every stream of this swarm and open the highlighted context"),
    Action("contexts", "reload", "ctrl+r", "Reload", "ask every context's engine again"),
    Action("contexts", "close", "escape,q", "Close", "close"),
    Action("stacks", "close", "escape,q", "Close", "close"),
    Action("objects", "create", "n", "New", "create from a typed value (hidden) or a file", dangerous=True, what="create"),
    Action("objects", "rotate", "r", "Rotate", "new value: create NAME.vN, move every service using it, remove the old",
           dangerous=True, what="rotate"),
    Action("objects", "remove", "ctrl+d", "Remove", "remove it (refused while a service uses it)", dangerous=True,
           what="remove"),
    Action("objects", "reload", "ctrl+r", "Reload", "read them again"),
    Action("objects", "close", "escape,q", "Close", "close"),
    Action("live_run", "close", "escape", "Close", "close (once it has finished)"),
    Action("alerts", "close", "escape,q", "Close", "close", run="dismiss"),
)

BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS}
DANGEROUS: tuple[Action, ...] = tuple(a for a in ACTIONS if a.dangerous)
# Dangerous actions by (where the method lives, method name): what check_action is asked.
GATED: dict[tuple[str, str], Action] = {a.method: a for a in DANGEROUS}
COMMANDS: dict[str, Action] = {word: a for a in ACTIONS for word in a.commands}

assert len(BY_ID) == len(ACTIONS), "two actions share an id"
assert len(GATED) == len(DANGEROUS), "two dangerous actions share an action method"
assert len(COMMANDS) == sum(len(a.commands) for a in ACTIONS), "two actions share a : word"
assert {a.scope for a in ACTIONS} <= set(PANE_SCOPES + DIALOG_SCOPES)


def actions_of(scope: str) -> list[Action]:
    return [a for a in ACTIONS if a.scope == scope]


def bindings(scope: str) -> list[Binding]:
    """The Textual bindings of a pane or dialog, each with its id for the user's keymap."""
    return [Binding(a.keys, a.action, a.label, show=a.show, priority=a.priority, id=a.id)
            for a in actions_of(scope) if a.keys]


# ---- the read-only gate ---------------------------------------------------------------------------
class Gate:
    """The one place read-only is decided.  `allows` is the pure question (the footer asks it);
    `check` asks it where a change is about to happen and, when refused, says so and counts it."""

    def __init__(self, read_only: bool, notify: Callable[[str], None] | None = None) -> None:
        self.read_only = read_only
        self.notify = notify
        self.refused: list[str] = []  # action ids, in order: the read-only test counts them

    def allows(self, action: Action) -> bool:
        return not (self.read_only and action.dangerous)

    def check(self, action_id: str) -> bool:
        action = BY_ID[action_id]
        if self.allows(action):
            return True
        self.refused.append(action.id)
        if self.notify is not None:
            self.notify(action.refusal)
        return False


OPEN_GATE = Gate(read_only=False)  # a pane run outside SwarmApp (its own tests) changes freely


@runtime_checkable
class HasGate(Protocol):
    """What `Gated` needs from the app (SwarmApp has it; a bare test App does not)."""

    read_only_gate: Gate


class Gated:
    """Mixin for a widget, screen or app whose bindings come from the table: its dangerous
    actions are shown disabled and do nothing in read-only mode (Textual's check_action)."""

    ACTION_SCOPE = ""  # the table scope whose action methods live on this class

    def gate(self) -> Gate:
        app = self.app  # type: ignore[attr-defined]
        return app.read_only_gate if isinstance(app, HasGate) else OPEN_GATE

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        gated = GATED.get((self.ACTION_SCOPE, action))
        if gated is not None and not self.gate().allows(gated):
            return None  # disabled in the footer; the key press is answered by SwarmApp.on_key
        return super().check_action(action, parameters)  # type: ignore[misc]


# ---- the user's keymap ----------------------------------------------------------------------------
_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_KEY_NAMES = {k.value for k in Keys} | {key_name_of(c) for c in string.printable if c.strip()} | set(string.printable.strip())


def key_name_error(keys: str) -> str | None:
    """Why `keys` (comma separated Textual key names) is not usable, or None."""
    for key in (k.strip() for k in keys.split(",")):
        *mods, base = key.split("+") if key not in ("+",) else ["+"]
        bad = [m for m in mods if m not in _MODIFIERS]
        if not key or bad:
            return f"{key!r} is not a key (modifiers are {', '.join(sorted(_MODIFIERS))})"
        if base not in _KEY_NAMES and len(base) != 1 and key_to_character(base) is None:
            return f"{key!r} is not a key name Textual knows (e.g. 'x', 'ctrl+x', 'f5', 'question_mark', 'plus')"
    return None


class KeymapError(ValueError):
    """A `[keys]` entry names no action or no key; the message names it."""


def check_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """Validate the user's `[keys]` (binding id -> keys) and return it; KeymapError otherwise."""
    problems = []
    for binding_id, keys in keymap.items():
        if binding_id not in BY_ID:
            close = [i for i in BY_ID if i.split(".")[-1] == binding_id.split(".")[-1]] or \
                difflib.get_close_matches(binding_id, BY_ID, n=1)
            hint = f" (did you mean {' or '.join(close)}?)" if close else " (ids are scope.name, e.g. services.scale_to)"
            problems.append(f"[keys] {binding_id}: no such action{hint}")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(f"[keys] {binding_id}: give the key(s) as a string, e.g. \"ctrl+x\"")
        elif error := key_name_error(keys):
            problems.append(f"[keys] {binding_id}: {error}")
    if problems:
        raise KeymapError("; ".join(problems))
    clashes = _clashes(keymap)
    if clashes:
        raise KeymapError("; ".join(clashes))
    return dict(keymap)


def effective_keys(action: Action, keymap: Mapping[str, str]) -> str:
    return keymap.get(action.id, action.keys)


# the scopes whose widget is a LiveTable: the "tables" keys (sorting) are bound there too
TABLE_SCOPES = ("services", "nodes", "tasks", "queue", "stacks", "objects", "contexts")


def _clashes(keymap: Mapping[str, str]) -> list[str]:
    out = []
    for scope in PANE_SCOPES + DIALOG_SCOPES:
        seen: dict[str, str] = {}
        for action in actions_of(scope) + (actions_of("tables") if scope in TABLE_SCOPES else []):
            for key in filter(None, (k.strip() for k in effective_keys(action, keymap).split(","))):
                key = key_name_of(key) if len(key) == 1 else key  # "+" is the key "plus"
                if key in seen and (action.id in keymap or seen[key] in keymap):
                    out.append(f"[keys] {key!r} is bound to both {seen[key]} and {action.id}")
                seen.setdefault(key, action.id)
    return out


def key_display(keys: str) -> str:
    """How the help and the README write a key list: '?' for question_mark, '+' for plus."""
    def one(key: str) -> str:
        *mods, base = key.split("+")
        shown = format_key(base)
        return "+".join([*mods, "enter" if shown == "⏎" else shown])

    return " / ".join(one(k.strip()) for k in keys.split(",") if k.strip())


def readme_keys_table(scopes: Iterable[str] = PANE_SCOPES + DIALOG_SCOPES) -> str:
    """The README's keys section, generated from the table (a test checks it is current)."""
    lines = ["| where | keys (**bold**: changes things — asks first where it hurts, disabled with --read-only) |", "|---|---|"]
    for scope in scopes:
        items = []
        for action in actions_of(scope):
            keys = " ".join(f"`{key_display(action.keys)}`".split()) if action.keys else ""
            words = " ".join(f"`:{w}`" for w in action.commands)
            text = f"**{action.help}**" if action.dangerous else action.help
            items.append(f"{' '.join(filter(None, (keys, words)))} {text}")
        if items:
            lines.append(f"| {SCOPE_TITLES[scope]} | {' · '.join(items)} |")
    ids = " · ".join(f"`{a.id}` {key_display(a.keys)}" for a in ACTIONS if a.keys)
    lines += ["", "<details><summary>Binding ids for <code>[keys]</code> in config.toml (id and default key)</summary>", "",
              ids, "", "</details>"]
    return "\n".join(lines) + "\n"


README_BEGIN = "<!-- keys: generated from swarmtui/ui/actions.py; regenerate: python -m swarmtui.ui.actions README.md -->"
README_END = "<!-- /keys -->"


def with_keys_table(readme: str) -> str:
    """The README text with its keys section replaced by the one the table makes now."""
    head, _, rest = readme.partition(README_BEGIN)
    _, _, tail = rest.partition(README_END)
    return f"{head}{README_BEGIN}\n{readme_keys_table()}{README_END}{tail}"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    path = Path(sys.argv[1])
    path.write_text(with_keys_table(path.read_text()))
