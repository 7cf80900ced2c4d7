"""A node's, service's or task's definition, safe to show: secret-looking values masked.

Pure (no Docker calls).  What `docker inspect` prints, with:
- the values of environment variables, labels and keys whose names look secret (PASSWORD, TOKEN,
  SECRET, KEY, CREDENTIAL ...) replaced by MASK (not those ending in _FILE: they name the file
  that holds the secret, the Docker secrets convention), and so are passwords inside URLs
  ("redis://:PASS@host" → "redis://:****@host"), wherever they appear;
- the secrets and configs a service uses shown by name and target file only.
The engine never returns a secret's data; masking is about values people put in env and labels.

`spec_changes(current, previous)` lists only the fields that differ, for the rollback confirmation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

import yaml

MASK = "****"
SECRET_NAME = re.compile(r"PASSW(OR)?D|PASS$|TOKEN|SECRET|KEY|CREDENTIAL|PRIVATE|AUTH", re.IGNORECASE)
URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@", re.IGNORECASE)
PATH_NAME = re.compile(r"[_-]FILE$", re.IGNORECASE)  # REDIS_PASSWORD_FILE=/run/secrets/redis: a path, shown
REFERENCES = {"Secrets": "SecretName", "Configs": "ConfigName"}


def secret_looking(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not PATH_NAME.search(name.strip())


def mask_text(text: str) -> str:
    """Passwords inside URLs, and `NAME=value` where NAME looks secret."""
    text = URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)
    name, eq, _ = text.partition("=")
    if eq and name and " " not in name.strip("-") and secret_looking(name):
        return f"{name}={MASK}"
    return text


def _reference(item: Mapping[str, Any], name_key: str) -> dict[str, Any]:
    """A secret or config a service uses: its name and the file it appears as, nothing else."""
    target = (item.get("File") or {}).get("Name") or ("(runtime)" if "Runtime" in item else "")
    return {"name": item.get(name_key, ""), "target": target}


def mask(value: Any, key: str = "") -> Any:
    """A copy of an Engine API payload with secret-looking values masked (see the module doc)."""
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if k in REFERENCES and isinstance(v, list):
                out[k] = [_reference(item, REFERENCES[k]) for item in v if isinstance(item, Mapping)]
            elif isinstance(v, (str, int, float)) and not isinstance(v, bool) and secret_looking(k) and v != "":
                out[k] = MASK
            else:
                out[k] = mask(v, k)
        return out
    if isinstance(value, list):
        return [mask(v, key) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def to_yaml(data: Any) -> str:
    """YAML in the payload's own key order, long strings kept on one line (searchable, never cut)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000)


def definition(attrs: Mapping[str, Any]) -> str:
    """The masked YAML of a node, service or task as the Engine API returns it."""
    return to_yaml(mask(attrs))


# ---- what a rollback changes ------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    path: str  # "TaskTemplate.ContainerSpec.Image"
    before: Any  # MISSING when the field is new
    after: Any  # MISSING when the field goes away

    def __str__(self) -> str:
        return f"{self.path}: {shown(self.before)} → {shown(self.after)}"


class _Missing:
    def __repr__(self) -> str:
        return "(none)"


MISSING: Any = _Missing()


def shown(value: Any) -> str:
    """One side of a Change, on one line."""
    if value is MISSING:
        return "(none)"
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return str(value)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def changes(before: Any, after: Any, path: str = "") -> list[Change]:
    """The leaves that differ between two (masked) payloads.  Lists of strings such as Env are
    compared as sets ("Env: + A=1", "Env: - B=2"), other lists item by item when of equal length."""
    if before == after:
        return []
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        out = []
        for key in list(before) + [k for k in after if k not in before]:
            out += changes(before.get(key, MISSING), after.get(key, MISSING), f"{path}.{key}" if path else str(key))
        return out
    if _strings(before) and _strings(after) and not path.endswith(("Args", "Command")):
        gone = [v for v in before if v not in after]
        new = [v for v in after if v not in before]
        return [Change(path, v, MISSING) for v in gone] + [Change(path, MISSING, v) for v in new] or \
            [Change(path, before, after)]  # same items, another order
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for i, (b, a) in enumerate(zip(before, after)):
            out += changes(b, a, f"{path}[{i}]")
        return out
    return [Change(path, before, after)]


IGNORED = ("TaskTemplate.ForceUpdate",)  # a restart counter, not a setting anyone rolls back to


def rollback_changes(attrs: Mapping[str, Any]) -> list[Change]:
    """What `docker service rollback` would change: the current Spec → PreviousSpec (masked)."""
    previous = attrs.get("PreviousSpec")
    if not previous:
        return []
    found = changes(attrs.get("Spec") or {}, previous)  # unmasked: a changed password is a change too
    return [_readable(_masked(c)) for c in found if c.path not in IGNORED]


def _masked(change: Change) -> Change:
    """Both sides masked as they would be in place (by the field's own name)."""
    key = change.path.rsplit(".", 1)[-1].split("[", 1)[0]

    def one(value: Any) -> Any:
        return value if value is MISSING else mask({key: value})[key]

    return Change(change.path, one(change.before), one(change.after))


def _readable(change: Change) -> Change:
    """Images without their digests, unless only the digest changed."""
    if not change.path.endswith(".Image") or not isinstance(change.before, str) or not isinstance(change.after, str):
        return change
    before, after = change.before.split("@", 1)[0], change.after.split("@", 1)[0]
    return Change(change.path, before, after) if before != after else change
