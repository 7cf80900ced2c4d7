"""`swarmtui` / `swarmtui tui`: open the terminal UI on a manager."""

from __future__ import annotations

import dataclasses


def register(sub) -> tuple[str, ...]:
    tui = sub.add_parser("tui", help="open the terminal UI (the default)")
    tui.add_argument("--read-only", action="store_true", help="look, never change: every key that changes the swarm is disabled")
    tui.set_defaults(handler=run)
    return ("tui",)


def run(args, settings) -> int:
    import sys

    from swarmtui.cluster.errors import InvalidInput
    from swarmtui.cluster.guards import check_docker_host
    from swarmtui.ui.actions import KeymapError
    from swarmtui.ui.app import SwarmApp
    from swarmtui.ui.remembering import SettingError

    try:  # a mistyped URL is said before the screen opens, not as "reconnecting" forever
        check_docker_host(settings.docker_host)
    except InvalidInput as exc:
        print(f"swarmtui: {exc}", file=sys.stderr)
        return 2
    if args.read_only:
        settings = dataclasses.replace(settings, read_only=True)
    try:
        app = SwarmApp(settings)
    except (KeymapError, SettingError) as exc:  # a bad [keys] entry, theme or [sort] order: named
        print(f"swarmtui: {settings.config_path}: {exc}", file=sys.stderr)
        return 2
    app.run()
    return 0
