"""Command line: `swarmtui` opens the TUI; subcommands run the same layers headless.

Each subcommand lives next to the layer it drives (lab/cli.py, queue/cli.py ...)
and exposes `register(subparsers)`; this module only wires them together. A layer
that fails to import fails the command loudly: it is a bug, never a missing feature.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from swarmtui import __version__
from swarmtui.cluster.errors import EndpointError
from swarmtui.config import ConfigError, load_settings

# (module, help) for each subcommand; the module provides register(subparsers).
SUBCOMMANDS = (
    ("swarmtui.ui.cli", "open the terminal UI (the default)"),
    ("swarmtui.ui.keys_cli", "the keymap; remap a key in config.toml"),
    ("swarmtui.lab.cli", "a real local multi-node swarm for trying swarmtui"),
    ("swarmtui.cluster.cli", "swarm operations without the UI"),
    ("swarmtui.cluster.objects_cli", "stacks, secrets and configs without the UI"),
    ("swarmtui.cluster.context_cli", "docker CLI contexts: endpoint, swarm ID, role, reachable"),
    ("swarmtui.queue.cli", "inspect and feed the Redis work queue"),
    ("swarmtui.bootstrap.cli", "turn fresh servers into swarm nodes over SSH"),
    ("swarmtui.release.cli", "build, push and roll out a new image"),
    ("swarmtui.alerts.cli", "alerts (and autoscaling) without a screen"),
)


TOP_LEVEL_NAMES: set[str] = set()  # filled by each register(); lets bare `swarmtui` mean `swarmtui tui`


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", "-H", dest="docker_host", help="Docker manager to talk to (default: DOCKER_HOST, then the context)")
    parser.add_argument("--context", "-c", dest="context", help="docker CLI context to use (default: DOCKER_CONTEXT, then `docker context use`)")
    parser.add_argument("--redis", dest="redis_url", help="Redis URL of the work queue (default: REDIS_URL)")
    parser.add_argument("--config", dest="config_path", help="config file (default: $XDG_CONFIG_HOME/swarmtui/config.toml)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="swarmtui", description="A terminal UI for crawler fleets on Docker Swarm.")
    parser.add_argument("--version", action="version", version=f"swarmtui {__version__}")
    add_connection_flags(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name, _help in SUBCOMMANDS:
        module = importlib.import_module(module_name)
        TOP_LEVEL_NAMES.update(module.register(sub) or ())
    for subparser in sub.choices.values():
        add_endpoint_flags(subparser)
    return parser


def add_endpoint_flags(parser: argparse.ArgumentParser) -> None:
    """--host / --context after a subcommand too (`swarmtui services --context prod`); SUPPRESS keeps
    a subcommand's unset flag from hiding the one given before it. `release` keeps its own
    --context (the build directory): there the docker context goes first (`swarmtui --context prod release`)."""
    taken = {o for action in parser._actions for o in action.option_strings}
    for flags, dest, help_ in ((("--host", "-H"), "docker_host", "Docker manager to talk to"),
                               (("--context", "-c"), "context", "docker CLI context to use")):
        if not taken & set(flags):
            parser.add_argument(*flags, dest=dest, default=argparse.SUPPRESS, help=help_)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):  # `node ls --context prod` too
            for verb in action.choices.values():
                add_endpoint_flags(verb)


def settings_from_args(args: argparse.Namespace):
    from pathlib import Path

    flags = {k: getattr(args, k, None) for k in ("docker_host", "context", "redis_url")}
    path = getattr(args, "config_path", None)
    return load_settings(flags, path=Path(path) if path else None)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    args, rest = parser.parse_known_args(argv)
    if args.command is None and "tui" in TOP_LEVEL_NAMES:  # bare `swarmtui [flags]`; its own flags (--read-only) go after tui
        args = parser.parse_args([*(a for a in argv if a not in rest), "tui", *rest])
    elif rest:
        parser.parse_args(argv)  # the usual "unrecognized arguments" error
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        settings = settings_from_args(args)
    except ConfigError as exc:
        print(f"swarmtui: {exc}", file=sys.stderr)
        return 2
    try:
        return int(handler(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `swarmtui keys ls | head`: the reader has gone, which is no error of ours
        # Python would raise again flushing stdout at exit; what is left goes nowhere instead.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a command the closed pipe stopped
    except EndpointError as exc:  # an unknown context, missing TLS files, an unknown host key
        print(f"swarmtui: {exc}", file=sys.stderr)
        return 2
