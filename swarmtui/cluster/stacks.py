"""Stacks: services (and networks, secrets, configs) labelled `com.docker.stack.namespace`.

The Engine has no stack API.  Reading and removing a stack is done here through the API;
deploying runs the real `docker stack deploy` (as Portainer does) against the endpoint
swarmtui uses, after checking what the CLI would silently accept: unset variables.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

import docker.errors

from swarmtui.cluster import commands, compose_vars, convert, dockercli
from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.errors import InvalidInput, EngineRefused, UnknownObject
from swarmtui.cluster.models import STACK_LABEL, OperationResult, Service, Stack, StackContents, Task

Say = Callable[[str], None]
USAGE_ERROR = 125  # the docker CLI's exit code for an unknown command or flag
_STACK_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}")


def _quiet(_: str) -> None:
    pass


def check_stack_name(name: str) -> str:
    if not isinstance(name, str) or not _STACK_NAME.fullmatch(name):
        raise InvalidInput(f"{name!r} is not a valid stack name", "use letters, digits, '_', '.' or '-', starting with a letter or digit")
    return name


def group_stacks(services: Iterable[Service]) -> tuple[Stack, ...]:
    """Services → stacks, by label; services without the label belong to no stack."""
    by_name: dict[str, list[Service]] = {}
    for s in services:
        ns = s.labels.get(STACK_LABEL)
        if ns:
            by_name.setdefault(ns, []).append(s)
    return tuple(Stack(n, tuple(sorted(v, key=lambda s: s.name))) for n, v in sorted(by_name.items()))


def stack_filter(name: str) -> dict[str, str]:
    """The API filter for everything of stack `name` (services, networks, secrets, configs; LogStream)."""
    return {"label": f"{STACK_LABEL}={name}"}


# ---- reads ------------------------------------------------------------------------------
def stacks(client: SwarmClient) -> tuple[Stack, ...]:
    return group_stacks(client.services())


def stack(client: SwarmClient, name: str) -> Stack:
    found = next((s for s in stacks(client) if s.name == name), None)
    if found is None:
        known = ", ".join(s.name for s in stacks(client)) or "none"
        raise UnknownObject(f"no stack called {name!r}", f"the stacks are: {known}")
    return found


def stack_tasks(client: SwarmClient, name: str, history: bool = False) -> tuple[Task, ...]:
    """Tasks of every service of the stack (like `docker stack ps`)."""
    ids = [s.id for s in stack(client, name).services]
    filters: dict = {"service": ids}
    if not history:
        filters["desired-state"] = "running"
    with client._errors():
        raw = client.api.tasks(filters=filters)
        nodes = {n["ID"]: (n.get("Description") or {}).get("Hostname", "") for n in client.api.nodes()}
    names = {s.id: s.name for s in client.services()}
    return convert.tasks(raw, names, nodes)


def contents(client: SwarmClient, name: str) -> StackContents:
    """What `stack rm` removes: everything carrying the stack's label."""
    flt = stack_filter(name)
    with client._errors():
        api = client.api
        services = sorted(s["Spec"]["Name"] for s in api.services(filters=flt))
        networks = sorted(n["Name"] for n in api.networks(filters=flt))
        secrets = sorted(s["Spec"]["Name"] for s in api.secrets(filters=flt))
        configs = sorted(c["Spec"]["Name"] for c in api.configs(filters=flt))
    return StackContents(name, tuple(services), tuple(networks), tuple(secrets), tuple(configs))


# ---- deploy ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeployPlan:
    """A checked deploy, nothing run yet: what the CLI will be given and what it will change."""

    stack: str
    compose_file: str
    env_file: str | None
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(repr=False)  # may carry the env file's values: never shown
    creates: tuple[str, ...] = ()  # service names
    updates: tuple[str, ...] = ()
    untouched: tuple[str, ...] = ()  # services of the stack the file no longer has (kept: no --prune)
    defaulted: tuple[str, ...] = ()  # variables the file defaults and nobody set

    @property
    def cli(self) -> str:
        return commands.stack_deploy(self.compose_file, self.stack, self.env_file)

    def lines(self) -> list[str]:
        out = []
        if self.creates:
            out.append(f"creates: {', '.join(self.creates)}")
        if self.updates:
            out.append(f"updates (a rolling update where the spec changed): {', '.join(self.updates)}")
        if self.untouched:
            out.append(f"left running (not in the file any more): {', '.join(self.untouched)}")
        return out


def _read_file(path: str, what: str) -> str:
    p = Path(path).expanduser()
    if not p.is_file():
        raise InvalidInput(f"{what} {path} does not exist or is not a file", "nothing was deployed")
    try:
        return p.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{what} {path} cannot be read ({exc})", "nothing was deployed") from exc


def _external(config_text: str) -> dict[str, list[str]]:
    """Secrets/configs the (interpolated) file declares external: they must exist already."""
    out: dict[str, list[str]] = {"secrets": [], "configs": []}
    section = entry = ""
    entries: dict[tuple[str, str], dict[str, str]] = {}
    for line in config_text.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        key, _, value = line.strip().partition(":")
        if indent == 0:
            section = key if key in out else ""
        elif section and indent == 2:
            entry = key.strip("'\"")
            entries[(section, entry)] = {}
        elif section and indent == 4 and entry:
            entries[(section, entry)][key] = value.strip().strip("'\"")
    for (section, entry), fields_ in entries.items():
        if fields_.get("external") == "true":
            out[section].append(fields_.get("name") or entry)
    return out


def plan_deploy(client: SwarmClient, compose_file: str, name: str, env_file: str | None = None,
                variables: Mapping[str, str] | None = None, cli: str | None = None) -> DeployPlan:
    """Check everything `docker stack deploy` needs; deploy nothing.

    Variables: `variables` beat the env file, which beats this process's environment.
    Refused (InvalidInput / CliMissing): a missing CLI, an unreadable or broken compose file,
    a variable the file uses with no default that nobody set, a missing external secret/config."""
    check_stack_name(name)
    program = dockercli.find_cli(cli)
    compose_path = str(Path(compose_file).expanduser().resolve())
    text = _read_file(compose_path, "compose file")
    values: dict[str, str] = {}
    if env_file:
        values.update(compose_vars.parse_env_file(_read_file(env_file, "env file"), env_file))
    values.update(variables or {})
    env = dockercli.cli_environment(client.endpoint)
    env.update({k: v for k, v in values.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")})
    cwd = str(Path(compose_path).parent)

    # the file as the CLI reads it, before interpolation (no comments); it fails schema checks where
    # a variable stands for a number (`replicas: ${REPLICAS:-3}`): then the file itself, comments cut
    raw = dockercli.run([program, "stack", "config", "--skip-interpolation", "-c", compose_path], env, cwd=cwd, timeout=60)
    has_config = raw.returncode != USAGE_ERROR  # CLIs before 23 (Debian's 20.10) have no `stack config`
    plain = raw.output if raw.ok else compose_vars.strip_comments(text)
    unset = sorted(compose_vars.unset_variables(plain, env))
    if unset:
        raise InvalidInput(
            f"{compose_file} uses {', '.join('$' + u for u in unset)} with no default, and "
            f"{'it is' if len(unset) == 1 else 'they are'} not set: nothing was deployed",
            f"set {'it' if len(unset) == 1 else 'them'} in the env file" + (f" {env_file}" if env_file else " (--env-file)")
            + " or the environment; the docker CLI would silently use an empty string",
        )
    checked = dockercli.run([program, "stack", "config", "-c", compose_path], env, cwd=cwd, timeout=60)
    if has_config and not checked.ok:
        raise InvalidInput(f"{compose_file} is not a valid stack file: {checked.last_lines(4)}", "nothing was deployed")
    wanted = [f"{name}_{s}" for s in compose_vars.service_names(checked.output)] if checked.ok else []
    if checked.ok:
        _check_external(client, _external(checked.output), compose_file)
    current = [s.name for s in (next((st for st in stacks(client) if st.name == name), None) or Stack(name, ())).services]
    return DeployPlan(
        stack=name, compose_file=compose_path, env_file=env_file,
        argv=(program, "stack", "deploy", "-c", compose_path, name), env=env,
        creates=tuple(s for s in wanted if s not in current), updates=tuple(s for s in wanted if s in current),
        untouched=tuple(s for s in current if s not in wanted),
    )


def _check_external(client: SwarmClient, external: Mapping[str, list[str]], compose_file: str) -> None:
    with client._errors():
        have = {"secrets": {s["Spec"]["Name"] for s in client.api.secrets()},
                "configs": {c["Spec"]["Name"] for c in client.api.configs()}}
    for section, names in external.items():
        absent = [n for n in names if n not in have[section]]
        if absent:
            kind = section[:-1]
            raise InvalidInput(
                f"{compose_file} needs the external {kind}(s) {', '.join(absent)}, which the swarm does not have: nothing was deployed",
                f"create {'it' if len(absent) == 1 else 'them'} first: swarmtui {kind} create {absent[0]} FILE (or - to type the value on stdin)",
            )


def deploy(plan: DeployPlan, say: Say = _quiet, timeout: float = 300) -> OperationResult:
    """Run `docker stack deploy` as planned, each output line to `say` as it comes."""
    result = dockercli.run(plan.argv, plan.env, say=say, cwd=str(Path(plan.compose_file).parent), timeout=timeout)
    if not result.ok:
        raise EngineRefused(f"docker stack deploy of {plan.stack} failed: {result.last_lines(6)}",
                              "what the CLI created before the error stays; fix the file and deploy again")
    what = "; ".join(plan.lines()) or "no service in the file"
    return OperationResult("deploy", plan.stack, f"stack {plan.stack} deployed ({what})", plan.cli)


@dataclass(frozen=True)
class Rollout:
    service: str
    ok: bool
    how: str


def wait_rollout(client: SwarmClient, name: str, services: Iterable[str], say: Say = _quiet,
                 timeout: float = 180, poll: float = 1.0, settle: float = 3.0) -> tuple[Rollout, ...]:
    """Follow each service of the stack until it converges (running = desired, no update under way)
    or its update fails; report every change of its replica count."""
    pending = list(dict.fromkeys(services))
    shown: dict[str, str] = {}
    done: dict[str, Rollout] = {}
    start = time.monotonic()
    while pending:
        by_name = {s.name: s for s in stack(client, name).services} if pending else {}
        for svc_name in list(pending):
            s = by_name.get(svc_name)
            if s is None:
                continue
            state = s.update_status.state if s.update_status else ""
            line = f"{svc_name}: {s.replicas_running}/{s.replicas_desired}" + (f" ({state.replace('_', ' ')})" if state else "")
            if shown.get(svc_name) != line:
                say(line)
                shown[svc_name] = line
            settled = time.monotonic() - start >= settle
            if state in ("paused", "rollback_paused", "rollback_completed") and settled:
                done[svc_name] = Rollout(svc_name, False, f"{svc_name}: update {state.replace('_', ' ')} {s.update_status.message}".strip())
            elif s.converged and state not in ("updating", "rollback_started") and settled:
                done[svc_name] = Rollout(svc_name, True, f"{svc_name}: {s.replicas_running}/{s.replicas_desired} running")
            if svc_name in done:
                pending.remove(svc_name)
                say(done[svc_name].how)
        if pending and time.monotonic() - start > timeout:
            for svc_name in pending:
                error = next((t.error for t in client.tasks(service=svc_name, history=True) if t.error), "")
                done[svc_name] = Rollout(svc_name, False, f"{svc_name}: not converged after {timeout:.0f}s"
                                         + (f" (last task error: {error})" if error else ""))
                say(done[svc_name].how)
            break
        if pending:
            time.sleep(poll)
    return tuple(done[s] for s in dict.fromkeys(services) if s in done)


# ---- remove -------------------------------------------------------------------------------------
def remove_stack(client: SwarmClient, name: str, say: Say = _quiet, network_timeout: float = 60) -> OperationResult:
    """Remove everything with the stack's label: services, then secrets and configs, then networks
    (a network goes once the removed services' tasks have let go of it)."""
    check_stack_name(name)
    what = contents(client, name)
    if what.empty:
        raise UnknownObject(f"no stack called {name!r}", "nothing was removed")
    flt = stack_filter(name)
    api = client.api
    left: list[str] = []
    with client._errors():
        for svc in api.services(filters=flt):
            _gone_ok(lambda: api.remove_service(svc["ID"]))
            say(f"removed service {svc['Spec']['Name']}")
        for kind, listing, remove in (("secret", api.secrets, api.remove_secret), ("config", api.configs, api.remove_config)):
            for obj in listing(filters=flt):
                try:
                    _gone_ok(lambda: remove(obj["ID"]))
                    say(f"removed {kind} {obj['Spec']['Name']}")
                except docker.errors.APIError as exc:
                    left.append(f"{kind} {obj['Spec']['Name']} ({exc.explanation})")
        deadline = time.monotonic() + network_timeout
        for net in api.networks(filters=flt):
            while True:
                try:
                    _gone_ok(lambda: api.remove_network(net["Id"]))
                    say(f"removed network {net['Name']}")
                    break
                except docker.errors.APIError as exc:
                    if time.monotonic() > deadline:
                        left.append(f"network {net['Name']} ({exc.explanation})")
                        break
                    time.sleep(0.5)  # still attached to tasks that are stopping
        while api.networks(filters=flt) and time.monotonic() < deadline:
            time.sleep(0.5)  # removed; the manager's own copy of an overlay network goes a moment later
    summary = f"stack {name} removed: " + "; ".join(what.lines())
    if left:
        raise EngineRefused(f"{summary}, but these remain: {', '.join(left)}", "remove them once nothing uses them")
    return OperationResult("remove", name, summary, commands.stack_rm(name))


def _gone_ok(call: Callable[[], object]) -> None:
    try:
        call()
    except docker.errors.NotFound:
        pass  # removed meanwhile: what was asked
