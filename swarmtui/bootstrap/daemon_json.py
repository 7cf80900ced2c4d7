"""Trust a registry by merging it into /etc/docker/daemon.json — never by appending.

`merge` is pure: it parses what is on the host (missing or empty = `{}`), adds the
registry to `insecure-registries` and leaves every other key alone.  `write_script`
is the remote shell that backs the old file up, writes a temp file and renames it
into place; the new content travels on stdin, so nothing is quoted into a command.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

PATH = "/etc/docker/daemon.json"
KEY = "insecure-registries"


class DaemonJsonError(ValueError):
    """The host's daemon.json cannot be merged safely; the host is left untouched."""


@dataclass(frozen=True)
class Merge:
    before: str | None  # None: the file does not exist
    after: str
    changed: bool
    config: dict


def parse(text: str | None, path: str = PATH) -> dict:
    if text is None or not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DaemonJsonError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "Docker itself would refuse to start with it. Fix it by hand, then run bootstrap again — "
            "swarmtui left it untouched"
        ) from None
    if not isinstance(data, dict):
        raise DaemonJsonError(f"{path} holds a JSON {type(data).__name__}, not an object; left untouched")
    return data


def merge(text: str | None, registry: str, path: str = PATH) -> Merge:
    """Add `registry` to insecure-registries; `changed` is False when it is already there."""
    config = parse(text, path)
    current = config.get(KEY, [])
    if not isinstance(current, list) or not all(isinstance(r, str) for r in current):
        raise DaemonJsonError(f"{path}: {KEY!r} should be a list of strings, found {current!r}; left untouched")
    if registry in current:
        return Merge(before=text, after=text or "", changed=False, config=config)
    merged = {**config, KEY: [*current, registry]}
    return Merge(before=text, after=json.dumps(merged, indent=2) + "\n", changed=True, config=merged)


# Remote side.  Prints the file or the marker when it does not exist, so "missing" and "empty" differ.
MISSING = "__swarmtui_daemon_json_missing__"


def read_command(path: str = PATH) -> str:
    p = shlex.quote(path)
    return f"if [ -e {p} ]; then cat {p}; else echo {MISSING}; fi"


def read_result(stdout: str) -> str | None:
    return None if stdout.strip() == MISSING else stdout


def write_script(stamp: str, path: str = PATH) -> str:
    """Back up (when present), write the new content from stdin to a temp file, rename it into place."""
    p = shlex.quote(path)
    tmp = shlex.quote(f"{path}.swarmtui-tmp")
    backup = shlex.quote(f"{path}.swarmtui-backup-{stamp}")
    directory = shlex.quote(path.rsplit("/", 1)[0] or "/")
    return (
        f"set -e; mkdir -p {directory}; "
        f"if [ -e {p} ]; then cp -p {p} {backup}; fi; "
        f"cat > {tmp}; chmod 0644 {tmp}; mv -f {tmp} {p}"
    )
