"""Swarm secrets and configs: list (with the services using each), create, rotate, remove.

Values go to the Engine only (docker-py base64-encodes them in the request body); they are
never put in a result, a message or a CLI equivalent (`docker secret create NAME -`).
Rotation is the swarm's own procedure (GUIDE §6): create NAME.vN, move every service that
uses the old one to the new one at the same target (one rolling update each, waited for),
and remove the old one only when every update completed.
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any, Callable, Iterable, Mapping, Sequence

import docker.errors

from swarmtui.cluster import convert, commands
from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.errors import InUse, InvalidInput, EngineRefused, UnknownObject
from swarmtui.cluster.models import ObjectUse, OperationResult, SwarmObject

KINDS = ("secret", "config")
_NAME = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9])?")
_VERSIONED = re.compile(r"^(?P<base>.+)\.v(?P<n>\d+)$")
# the reference lists in a ContainerSpec and the ID/name keys of each entry
_REFS = {"secret": ("Secrets", "SecretID", "SecretName"), "config": ("Configs", "ConfigID", "ConfigName")}
FAILED_STATES = ("paused", "rollback_started", "rollback_paused", "rollback_completed")
Say = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"{kind!r} is not secret or config")
    return kind


def check_name(name: str, kind: str = "secret") -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput(f"{name!r} is not a valid {kind} name",
                           "use up to 64 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")
    return name


def check_data(data: bytes, kind: str) -> bytes:
    if not data:
        raise InvalidInput(f"the {kind} value is empty", "the swarm refuses empty secrets and configs")
    limit = 500 * 1024 if kind == "secret" else 1000 * 1024
    if len(data) >= limit:
        raise InvalidInput(f"the {kind} value is {len(data)} bytes", f"the swarm takes less than {limit // 1024} KiB")
    return data


def next_name(name: str, existing: Iterable[str]) -> str:
    """`pw` → `pw.v2`, `pw.v2` → `pw.v3`, skipping names already taken."""
    match = _VERSIONED.match(name)
    base, n = (match["base"], int(match["n"])) if match else (name, 1)
    taken = set(existing)
    n += 1
    while f"{base}.v{n}" in taken:
        n += 1
    return f"{base}.v{n}"


# ---- pure: who uses what --------------------------------------------------------------
def references(spec: Mapping[str, Any], kind: str) -> list[dict]:
    container = ((spec.get("TaskTemplate") or {}).get("ContainerSpec")) or {}
    return list(container.get(_REFS[kind][0]) or ())


def _target(ref: Mapping[str, Any], kind: str) -> str:
    """Where the tasks see it: a secret's relative name lives under /run/secrets/."""
    name = (ref.get("File") or {}).get("Name") or ""
    if not name:
        return "(runtime)" if "Runtime" in ref else ""
    return name if name.startswith("/") or kind != "secret" else f"/run/secrets/{name}"


def _cli_target(target: str) -> str:
    return target.removeprefix("/run/secrets/")


def uses_by_object(raw_services: Iterable[Mapping[str, Any]], kind: str) -> dict[str, tuple[ObjectUse, ...]]:
    """Object ID → the services whose spec references it, with the target path of each reference."""
    _, id_key, _ = _REFS[kind]
    out: dict[str, list[ObjectUse]] = {}
    for svc in raw_services:
        spec = svc.get("Spec") or {}
        for ref in references(spec, kind):
            out.setdefault(ref.get(id_key, ""), []).append(ObjectUse(svc["ID"], spec.get("Name", ""), _target(ref, kind)))
    return {k: tuple(sorted(v, key=lambda u: (u.service_name, u.target))) for k, v in out.items()}


def to_object(attrs: Mapping[str, Any], kind: str, uses: Mapping[str, tuple[ObjectUse, ...]]) -> SwarmObject:
    spec = attrs.get("Spec") or {}
    return SwarmObject(
        kind=kind,
        id=attrs["ID"],
        name=spec.get("Name", ""),
        created=convert.parse_time(attrs.get("CreatedAt")),
        updated=convert.parse_time(attrs.get("UpdatedAt")),
        labels=dict(spec.get("Labels") or {}),
        used_by=uses.get(attrs["ID"], ()),
        version=(attrs.get("Version") or {}).get("Index", 0),
    )


def describe_uses(uses: Sequence[ObjectUse]) -> str:
    return ", ".join(f"{u.service_name} (at {u.target})" for u in uses)


# ---- reads ---------------------------------------------------------------------------------
def _raw_list(client: SwarmClient, kind: str, filters: Mapping[str, Any] | None = None) -> list[dict]:
    api = client.api
    return api.secrets(filters=filters) if kind == "secret" else api.configs(filters=filters)


def list_objects(client: SwarmClient, kind: str) -> tuple[SwarmObject, ...]:
    """Every secret (or config) with the services using it, sorted by name (2 API calls)."""
    check_kind(kind)
    with client._errors():
        raw = _raw_list(client, kind)
        uses = uses_by_object(client.api.services(), kind)
    return tuple(sorted((to_object(a, kind, uses) for a in raw), key=lambda o: o.name))


def get_object(client: SwarmClient, kind: str, name: str) -> SwarmObject:
    """One secret/config by name or ID (UnknownObject if none)."""
    check_kind(kind)
    with client._errors():
        raw = [a for a in _raw_list(client, kind) if name in (a["ID"], (a.get("Spec") or {}).get("Name"))]
        if not raw:
            known = sorted((a.get("Spec") or {}).get("Name", "") for a in _raw_list(client, kind))
            raise UnknownObject(f"no {kind} called {name!r}",
                                f"the {kind}s are: {', '.join(known[:20]) or 'none'}")
        uses = uses_by_object(client.api.services(), kind)
    return to_object(raw[0], kind, uses)


def config_data(client: SwarmClient, name: str) -> bytes:
    """A config's data (the Engine returns it for configs, never for secrets)."""
    import base64

    obj = get_object(client, "config", name)
    with client._errors():
        attrs = client.api.inspect_config(obj.id)
    return base64.b64decode((attrs.get("Spec") or {}).get("Data") or "")


# ---- changes ----------------------------------------------------------------------------------
def create_object(client: SwarmClient, kind: str, name: str, data: bytes, source: str | None = None,
                  labels: Mapping[str, str] | None = None) -> OperationResult:
    """Create from `data`; `source` is the file it came from, None for a typed value / stdin (shown as `-`)."""
    check_kind(kind)
    check_name(name, kind)
    check_data(data, kind)
    with client._errors():
        if any((a.get("Spec") or {}).get("Name") == name for a in _raw_list(client, kind, {"name": name})):
            raise InvalidInput(f"a {kind} called {name!r} already exists", "rotate it, or pick another name")
        create = client.api.create_secret if kind == "secret" else client.api.create_config
        created = create(name=name, data=data, labels=dict(labels or {}))
    size = "" if kind == "secret" else f" ({len(data)} bytes)"  # not even a secret's length is told
    return OperationResult("create", name, f"{kind} {name} created{size}",
                           commands.object_create(kind, name, source, dict(labels or {})), target_id=created.get("ID", ""))


def remove_object(client: SwarmClient, kind: str, name: str) -> OperationResult:
    """Refused (InUse) while a service uses it, naming the services."""
    obj = get_object(client, kind, name)
    if obj.used_by:
        raise InUse(f"{kind} {obj.name} is in use by {describe_uses(obj.used_by)}: nothing was removed",
                    "remove it from those services first, or rotate it")
    with client._errors():
        try:
            (client.api.remove_secret if kind == "secret" else client.api.remove_config)(obj.id)
        except docker.errors.NotFound:
            pass  # gone meanwhile: what was asked
        except docker.errors.APIError as exc:
            if "in use" in str(exc):  # a service took it between our read and the call
                raise InUse(f"{kind} {obj.name} is in use ({exc.explanation})", "nothing was removed") from exc
            raise
    return OperationResult("remove", obj.name, f"{kind} {obj.name} removed", commands.object_rm(kind, [obj.name]),
                           target_id=obj.id)


# ---- rotation ---------------------------------------------------------------------------------
def _swap(kind: str, old_id: str, new_id: str, new_name: str) -> Callable[[dict, dict], None]:
    list_key, id_key, name_key = _REFS[kind]

    def mutate(spec: dict, _attrs: dict) -> None:
        container = spec.setdefault("TaskTemplate", {}).setdefault("ContainerSpec", {})
        refs = copy.deepcopy(container.get(list_key) or [])
        for ref in refs:
            if ref.get(id_key) == old_id:
                ref[id_key] = new_id
                ref[name_key] = new_name
        container[list_key] = refs

    return mutate


def _desired(attrs: Mapping[str, Any]) -> int | None:
    return (((attrs.get("Spec") or {}).get("Mode") or {}).get("Replicated") or {}).get("Replicas")


def wait_update(client: SwarmClient, service_id: str, kind: str, new_id: str, started_before: str | None,
                say: Say = _quiet, timeout: float = 300, poll: float = 0.5) -> tuple[bool, str]:
    """Wait for the rolling update that moves `service_id` onto `new_id`: (completed?, how it ended).

    Done when the engine reports this update (one that started after `started_before`)
    completed, or — a service the engine reports no update for — when every desired replica
    runs with the new reference.  A pause or rollback is a failure."""
    _, id_key, _ = _REFS[kind]
    deadline = time.monotonic() + timeout
    shown = ""
    name = service_id[:12]
    while True:
        with client._errors():
            attrs = client.api.inspect_service(service_id)
            tasks = client.api.tasks(filters={"service": service_id, "desired-state": "running"})
        name = attrs["Spec"]["Name"]
        status = attrs.get("UpdateStatus") or {}
        ours = bool(status.get("State")) and status.get("StartedAt") != started_before
        on_new = sum(1 for t in tasks if (t.get("Status") or {}).get("State") == "running"
                     and any(r.get(id_key) == new_id for r in references({"TaskTemplate": t.get("Spec") or {}}, kind)))
        desired = _desired(attrs)
        line = f"{name}: {on_new}/{desired if desired is not None else len(tasks)} replicas on the new {kind}" + (
            f" ({status['State']})" if ours else "")
        if line != shown:
            say(line)
            shown = line
        if ours and status["State"] == "completed":
            return True, f"{name}: update completed"
        if ours and status["State"] in FAILED_STATES:
            return False, f"{name}: update {status['State'].replace('_', ' ')}" + (f" ({status.get('Message')})" if status.get("Message") else "")
        if not ours and desired is not None and on_new == desired == len(tasks):
            return True, f"{name}: every replica on the new {kind}"
        if time.monotonic() > deadline:
            return False, f"{name}: update did not complete within {timeout:.0f}s"
        time.sleep(poll)


def rotate_object(client: SwarmClient, kind: str, name: str, data: bytes, source: str | None = None,
                  say: Say = _quiet, timeout_per_service: float = 300, poll: float = 0.5) -> OperationResult:
    """Create `name`.vN with `data`, move every service using `name` onto it, then remove `name`.

    On a failed or rolled-back update: stop, keep both, and say which services use which
    (EngineRefused).  Each service's own UpdateConfig decides how its replicas roll."""
    old = get_object(client, kind, name)
    check_data(data, kind)
    with client._errors():
        existing = [(a.get("Spec") or {}).get("Name", "") for a in _raw_list(client, kind)]
    new_name = next_name(old.name, existing)
    plan = [(u.service_name, [_cli_target(x.target) for x in old.used_by if x.service_id == u.service_id])
            for u in {u.service_id: u for u in old.used_by}.values()]
    cli = commands.rotation(kind, old.name, new_name, source, plan)
    created = create_object(client, kind, new_name, data, source, old.labels)
    say(f"created {kind} {new_name}")
    for service_id in dict.fromkeys(u.service_id for u in old.used_by):
        with client._errors():
            before = (client.api.inspect_service(service_id).get("UpdateStatus") or {}).get("StartedAt")
        attrs = client._modify_service(service_id, _swap(kind, old.id, created.target_id, new_name))
        say(f"{attrs['Spec']['Name']}: rolling update to {kind} {new_name} started")
        ok, how = wait_update(client, service_id, kind, created.target_id, before, say, timeout_per_service, poll)
        say(how)
        if not ok:
            now_old = get_object(client, kind, old.name).used_by
            now_new = get_object(client, kind, new_name).used_by
            raise EngineRefused(
                f"rotation of {kind} {old.name} stopped: {how}. Both are kept: {old.name} is used by "
                f"{describe_uses(now_old) or 'no service'}; {new_name} by {describe_uses(now_new) or 'no service'}",
                f"fix the service and rotate again, or move the rest by hand: {commands.object_rm(kind, [old.name])} once unused",
            )
    removed = remove_object(client, kind, old.name)
    say(removed.summary)
    moved = ", ".join(s for s, _ in plan) or "no service used it"
    return OperationResult("rotate", old.name, f"{kind} {old.name} rotated to {new_name} ({moved}); {old.name} removed",
                           cli, target_id=created.target_id)
