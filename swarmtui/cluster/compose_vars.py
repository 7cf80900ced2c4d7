"""Pure helpers around a compose file's ${VARIABLES}: env files, unset variables, service names.

`docker stack deploy` takes no --env-file and silently turns an unset `${X}` into ""
(measured with CLI 28: `docker stack config` prints `A: ""`, no warning); only `${X:?}`
is an error there.  swarmtui reads the env file itself, puts its variables in the CLI's
environment, and refuses plain references to unset variables before anything is deployed.
"""

from __future__ import annotations

import re
from typing import Mapping

from swarmtui.cluster.errors import InvalidInput

_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
_MODIFIERS = (":-", ":?", ":+", "-", "?", "+")


def parse_env_file(text: str, where: str = "the env file") -> dict[str, str]:
    """KEY=VALUE lines (`export ` allowed, # comments, matching outer quotes stripped)."""
    out: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, eq, value = line.partition("=")
        key = key.strip()
        if not eq or not _NAME.fullmatch(key):
            raise InvalidInput(f"{where}, line {number}: {raw.strip()[:60]!r} is not KEY=VALUE",
                               "write one variable per line, e.g. TAG=0.02")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key] = value
    return out


def _braced_end(text: str, start: int) -> int:
    """Index of the `}` closing the `${` whose body starts at `start` (nested ${...} counted)."""
    depth = 1
    i = start
    while i < len(text):
        if text.startswith("$$", i):
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def unset_variables(text: str, env: Mapping[str, str]) -> list[str]:
    """Variables the file uses without a default or an error message that `env` does not set.

    Follows the substitution: a default (`${X:-${Y}}`) is only looked into when it is used.
    `${X:?msg}` is left to the CLI, which refuses it with the file's own message."""
    found: list[str] = []
    i = 0
    while True:
        i = text.find("$", i)
        if i < 0 or i + 1 >= len(text):
            break
        nxt = text[i + 1]
        if nxt == "$":
            i += 2
            continue
        if nxt == "{":
            end = _braced_end(text, i + 2)
            if end < 0:
                break  # malformed: the CLI says so
            body = text[i + 2:end]
            match = _NAME.match(body)
            i = end + 1
            if not match:
                continue
            name, rest = match.group(), body[match.end():]
            modifier = next((m for m in _MODIFIERS if rest.startswith(m)), "")
            value = env.get(name)
            inner = rest[len(modifier):]
            if not modifier:
                if value is None and name not in found:
                    found.append(name)
            elif modifier in ("-", ":-") and (value is None or (modifier == ":-" and value == "")):
                found += [n for n in unset_variables(inner, env) if n not in found]
            elif modifier in ("+", ":+") and value is not None and (modifier == "+" or value != ""):
                found += [n for n in unset_variables(inner, env) if n not in found]
            continue
        match = _NAME.match(text, i + 1)
        if match:
            if match.group() not in env and match.group() not in found:
                found.append(match.group())
            i = match.end()
        else:
            i += 1
    return found


def strip_comments(text: str) -> str:
    """Drop YAML comments (a `#` at a line's start or after a space, outside quotes)."""
    out = []
    for line in text.splitlines():
        quote = ""
        for i, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
                line = line[:i]
                break
        out.append(line)
    return "\n".join(out)


def service_names(config_text: str) -> list[str]:
    """Service names from `docker stack config` output (normalised YAML, two-space indents)."""
    names: list[str] = []
    inside = False
    for line in config_text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            inside = line.rstrip() == "services:"
            continue
        if inside and line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            names.append(line.strip()[:-1].strip("'\""))
    return names
