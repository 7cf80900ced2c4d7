"""SwarmClient: every read of the swarm and every operation on it, through docker-py.

Blocking calls, safe to run from a thread worker (one SwarmClient per thread is
simplest; docker-py's session is shared otherwise).  Reads return frozen models;
operations return an OperationResult with the equivalent docker CLI command.
Every failure is an errors.ClusterError subclass.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import docker
import docker.errors
import requests.exceptions
from docker.types import ServiceMode, UpdateConfig

from swarmtui.cluster import assemble, commands, convert, definition, guards, health, reach, tasklist
from swarmtui.cluster._dockerpy_private import get_tasks, post_service_update
from swarmtui.cluster.endpoint import Endpoint, as_endpoint, ssh_words
from swarmtui.cluster.errors import (
    ClusterError,
    DaemonUnreachable,
    EngineRefused,
    InvalidInput,
    NoLeader,
    NotAManager,
    NotInSwarm,
    UnknownNode,
    UnknownService,
    reason,
)
from swarmtui.cluster.models import JoinTokens, Node, OperationResult, Service, Snapshot, SwarmInfo, Task, UpdatePolicy

NS = convert.NS_PER_SECOND
RETRIES = 5  # read-modify-write attempts on "update out of sequence"
NOT_IN_RAFT = "can't find manager in raft memberlist"  # the engine's answer to demoting a node still joining
DEFAULT_MAX_REPLICAS = 1000
RUNNING = {"desired-state": ["running", "ready"]}  # "ready": waiting out a restart delay
# Above this many running tasks the list (10,000 tasks: 13.5 MB of JSON the engine makes and sends, 36-39 ms
# to decode here even by schema) is read again only when it can have changed (see _running_tasks) or every
# RELIST_SECONDS.
RELIST_ABOVE = 2000
RELIST_SECONDS = 30.0


def update_config(policy: UpdatePolicy) -> UpdateConfig:
    """The full UpdateConfig the engine expects (durations in nanoseconds)."""
    guards.check_policy(policy)
    return UpdateConfig(
        parallelism=policy.parallelism,
        delay=int(policy.delay_seconds * NS),
        failure_action=policy.failure_action,
        monitor=int(policy.monitor_seconds * NS),
        max_failure_ratio=policy.max_failure_ratio,
        order=policy.order,
    )


class _Unchanged(Exception):
    """Raised inside a read-modify-write when the spec already is what was asked: nothing is sent."""


def _label_words(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """"labelled a=1, b" / "label(s) c removed": what a label change did, in words."""
    set_ = [commands.label_word(k, v) for k, v in after.items() if before.get(k) != v]
    gone = [k for k in before if k not in after]
    return [*([f"labelled {', '.join(set_)}"] if set_ else []), *([f"label(s) {', '.join(gone)} removed"] if gone else [])]


class SwarmClient:
    """One manager's view of the swarm through an Endpoint (or a DOCKER_HOST string; None: local socket).
    `crash_thresholds`: what marks a service failing in its snapshots ([alerts] crash_loop_failures/_minutes)."""

    def __init__(self, docker_host: Endpoint | str | None = None, timeout: float = 10, max_replicas: int = DEFAULT_MAX_REPLICAS,
                 crash_thresholds: health.Thresholds = health.DEFAULT, relist_above: int = RELIST_ABOVE) -> None:
        self.endpoint = as_endpoint(docker_host)
        self.docker_host = self.endpoint.host
        self.timeout = timeout
        self.max_replicas = max_replicas
        self.crash_thresholds = crash_thresholds
        self._docker: docker.DockerClient | None = None
        self._network_names: dict[str, str] = {}
        self._service_names: dict[str, str] = {}
        self._node_names: dict[str, str] = {}
        self.relist_above = relist_above
        self._running: tuple[tuple, list, float] | None = None  # (what it depends on, the list, when read)

    # ---- connection and errors ------------------------------------------------
    @property
    def where(self) -> str:
        return self.endpoint.url if self.endpoint.host else "the local Docker socket"

    @property
    def docker(self) -> docker.DockerClient:
        if self._docker is None:
            guards.check_docker_host(self.docker_host)
            with self._errors():
                self._docker = self.endpoint.docker_client(self.timeout)
        return self._docker

    @property
    def api(self) -> docker.APIClient:
        return self.docker.api

    def close(self) -> None:
        if self._docker is not None:
            self._docker.close()
            self._docker = None

    def __enter__(self) -> "SwarmClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _unreachable(self, why: BaseException) -> DaemonUnreachable:
        return DaemonUnreachable(
            f"no Docker daemon answers at {self.where}: {reason(why)}",
            "check that Docker runs there and that --host / DOCKER_HOST point at a swarm manager",
        )

    def _swarm_problem(self, exc: docker.errors.APIError) -> ClusterError:
        """A 503 means "not a manager" or "not in a swarm"; ask the daemon which."""
        try:
            swarm = self.api.info().get("Swarm") or {}
        except Exception:  # noqa: BLE001 - fall back to the engine's own words
            swarm = {}
        state = swarm.get("LocalNodeState", "")
        if state and state != "active":
            return NotInSwarm(
                f"the Docker daemon at {self.where} is not part of a swarm (state: {state})",
                "run `docker swarm init` there, or point --host / DOCKER_HOST at a manager of your swarm",
            )
        if swarm and not swarm.get("ControlAvailable"):
            managers = ", ".join(m.get("Addr", "") for m in swarm.get("RemoteManagers") or []) or "a manager"
            return NotAManager(
                f"the Docker daemon at {self.where} is a swarm worker: workers cannot read or change the swarm",
                f"point --host / DOCKER_HOST at a manager ({managers}) or promote this node",
            )
        return EngineRefused(f"the swarm is unavailable: {exc.explanation or exc}", "it may have lost quorum; check the managers")

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except ClusterError:
            raise
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise self._unreachable(exc) from exc
        except docker.errors.APIError as exc:
            if exc.status_code == 503 and "does not have a leader" in str(exc.explanation or exc):
                raise NoLeader(f"the swarm does not have a leader (asked {self.endpoint.label})",
                               "the managers are electing one; raft takes about 20-35 s after losing the leader") from exc
            if exc.status_code == 503:
                raise self._swarm_problem(exc) from exc
            raise EngineRefused(f"the engine refused: {exc.explanation or exc}") from exc
        except docker.errors.DockerException as exc:
            raise self._unreachable(exc) from exc
        except Exception as exc:  # paramiko's own errors (e.g. "SSH session not active" when the manager died)
            words = ssh_words(self.endpoint, exc)
            if words is None:
                raise
            raise DaemonUnreachable(*words) from exc

    @contextlib.contextmanager
    def _patient(self, seconds: float = 60) -> Iterator[None]:
        """Raise the request timeout for calls the engine answers only when done (demote, node rm)."""
        api = self.api
        saved = api.timeout
        api.timeout = max(saved, seconds)
        try:
            yield
        finally:
            api.timeout = saved

    # ---- reads ------------------------------------------------------------------
    def _networks(self, raw_services: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        wanted = {
            n.get("Target", "")
            for s in raw_services
            for n in ((s.get("Spec") or {}).get("TaskTemplate") or {}).get("Networks") or ()
        }
        if wanted - set(self._network_names):
            self._network_names.update(convert.network_names(self.api.networks()))
            # swarm's predefined "host" network has a swarm-scope ID that the list does not show
            for missing in wanted - set(self._network_names):
                try:
                    self._network_names[missing] = self.api.inspect_network(missing, scope="swarm").get("Name", missing)
                except docker.errors.NotFound:
                    self._network_names[missing] = missing
        return self._network_names

    def snapshot(self, tasks_for: str | None = None, history: bool = False, recheck: Iterable[str] = ()) -> Snapshot:
        """The whole swarm in 4 API calls, +1 for the task history of `tasks_for` (a service or node
        ID/name) when `history`, +1 per service that looks crash-looping (assemble.unwell; `recheck`:
        the IDs found failing last time, so an incident is followed until it is over)."""
        with self._errors():
            api = self.api
            raw_swarm = api.inspect_swarm()
            raw_nodes = api.nodes()
            raw_services = api.services(status=True)
            running = self._running_tasks(raw_nodes, raw_services, tasks_for)
            self._node_names = assemble.hostnames(raw_nodes)
            self._service_names = assemble.service_names(raw_services)
            raw = assemble.RawSwarm(raw_swarm, raw_nodes, raw_services, running, self._networks(raw_services))
            models = assemble.service_models(raw)  # for unwell and the snapshot alike: converted once
            histories = {ident: api.tasks(filters={"service": ident}) for ident in assemble.unwell(raw, recheck, models)}
            raw_history = None
            scope = assemble.task_scope(tasks_for, raw_nodes, raw_services) if tasks_for and history else None
            if scope:
                kind, ident = scope
                raw_history = histories.get(ident) if kind == "service" and ident in histories else api.tasks(filters={kind: ident})
            raw = replace(raw, history=raw_history, histories=histories)
        return assemble.snapshot(raw, datetime.now(timezone.utc), tasks_for, self.crash_thresholds, models)

    def _list_tasks(self, filters: Mapping, counted: bool = False) -> list:
        """GET /tasks with `filters`: whole tasks, or (`counted`) only the fields tasklist.Counted names."""
        return tasklist.decode(get_tasks(self.api, filters), counted)

    def _running_tasks(self, raw_nodes: Sequence[Mapping], raw_services: Sequence[Mapping], tasks_for: str | None) -> list:
        """The swarm's running tasks: the tasks of `tasks_for` (the tasks pane's service or node) whole,
        every other one as what it is counted by (tasklist.Counted).  A big list of those is reused while
        every service's version and ServiceStatus counts and every node's state are what they were when
        it was read (swarm has no task events; a task that stops or moves changes those counts)."""
        depends = (tuple((s["ID"], (s.get("Version") or {}).get("Index"), tuple(sorted((s.get("ServiceStatus") or {}).items())))
                         for s in raw_services),
                   tuple((n["ID"], (n.get("Version") or {}).get("Index"), (n.get("Status") or {}).get("State")) for n in raw_nodes))
        cached, now = self._running, time.monotonic()
        if cached is None or len(cached[1]) <= self.relist_above or cached[0] != depends or now - cached[2] > RELIST_SECONDS:
            cached = self._running = (depends, self._list_tasks(RUNNING, counted=True), now)
        scope = assemble.task_scope(tasks_for, raw_nodes, raw_services) if tasks_for else None
        if scope is None:
            return cached[1]
        kind, ident = scope
        key = "ServiceID" if kind == "service" else "NodeID"
        running = [t for t in cached[1] if t.get(key) != ident] + self._list_tasks({kind: ident, **RUNNING})
        self._running = (depends, running, cached[2])
        return running

    def swarm(self) -> SwarmInfo:
        with self._errors():
            raw_swarm = self.api.inspect_swarm()
            nodes = self.nodes()
        return convert.swarm_info(raw_swarm, nodes)

    def nodes(self) -> tuple[Node, ...]:
        with self._errors():
            raw_nodes = self.api.nodes()
            running = self.api.tasks(filters={"desired-state": ["running", "ready"]})
        self._node_names = assemble.hostnames(raw_nodes)
        return assemble.nodes(raw_nodes, running)

    def services(self) -> tuple[Service, ...]:
        with self._errors():
            raw_services = self.api.services(status=True)
            names = self._networks(raw_services)
        self._service_names = assemble.service_names(raw_services)
        return assemble.services(raw_services, names)

    def service(self, ref: str) -> Service:
        """One service by name or ID (UnknownService if there is none)."""
        attrs = self._inspect_service(ref)
        with self._errors():
            listed = self.api.services(filters={"id": attrs["ID"]}, status=True)
            names = self._networks(listed)
        return convert.service(listed[0] if listed else attrs, names)

    def node(self, ref: str) -> Node:
        """One node by hostname or ID (UnknownNode if there is none)."""
        attrs = self._inspect_node(ref)
        with self._errors():
            running = self.api.tasks(filters={"desired-state": ["running", "ready"], "node": attrs["ID"]})
        return assemble.nodes([attrs], running)[0]

    def tasks(self, service: str | None = None, node: str | None = None, history: bool = False) -> tuple[Task, ...]:
        """Tasks of a service and/or node (name or ID): running ones, or the recent history too."""
        filters: dict[str, Any] = {} if history else {"desired-state": "running"}
        if service:
            service_id = self._inspect_service(service)["ID"] if service not in self._service_names else service
            filters["service"] = service_id
        if node:
            node_id = self._inspect_node(node)["ID"] if node not in self._node_names else node
            filters["node"] = node_id
        with self._errors():
            raw = self.api.tasks(filters=filters)
            if {t.get("ServiceID") for t in raw} - set(self._service_names):
                self.services()
            if {t.get("NodeID") for t in raw if t.get("NodeID")} - set(self._node_names):
                self._node_names = assemble.hostnames(self.api.nodes())
        return convert.tasks(raw, self._service_names, self._node_names)

    # ---- reaching one node's engine --------------------------------------------------
    def node_access(self, hostname: str, overrides: Mapping[str, Mapping[str, str]] | None = None) -> reach.NodeAccess:
        """How to reach that node's own engine (cluster/reach.py): the local socket when it is the node
        this client talks to, else ssh (per-node override, or the manager's ssh:// user and port)."""
        node = self.node(hostname)
        return reach.resolve(node.hostname, node.address, self.endpoint.host, self.own_hostname(), overrides)

    def own_hostname(self) -> str | None:
        """The hostname of the node whose engine this client talks to (None: not a swarm node)."""
        with self._errors():
            own_id = (self.api.info().get("Swarm") or {}).get("NodeID", "")
        return self.node(own_id).hostname if own_id else None

    def shell_command(self, hostname: str, container_id: str, command: str = "", what: str = "",
                      overrides: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
        """argv of an interactive shell in that container on that node, checked first without any
        prompt (host key known, keys accepted, the container running): raises a ClusterError otherwise."""
        if not container_id:
            raise InvalidInput(f"{what or 'the task'} has no container yet", "pick a running task")
        access = self.node_access(hostname, overrides)
        reach.preflight(access, container_id, what)
        return reach.shell_argv(access, container_id, command)

    # ---- definitions ----------------------------------------------------------------
    def definition(self, kind: str, ref: str) -> str:
        """The YAML of a node, service or task (`kind`), secret-looking values masked (cluster/definition.py)."""
        if kind == "node":
            attrs = self._inspect_node(ref)
        elif kind == "service":
            attrs = self._inspect_service(ref)
        elif kind == "task":
            with self._errors():
                try:
                    attrs = self.api.inspect_task(ref)
                except docker.errors.NotFound:
                    raise UnknownService(f"no task {ref!r}", "it may have been pruned from the history; refresh") from None
        else:
            raise InvalidInput(f"cannot inspect a {kind!r}", "a node, service or task")
        return definition.definition(attrs)

    def rollback_changes(self, service: str) -> list[definition.Change]:
        """What rolling `service` back would change (current spec → previous), masked."""
        return definition.rollback_changes(self._inspect_service(service))

    # ---- lookups ------------------------------------------------------------------
    def _inspect_service(self, ref: str) -> dict:
        if not isinstance(ref, str) or not ref:
            raise UnknownService("no service given")
        with self._errors():
            try:
                return self.api.inspect_service(ref)
            except docker.errors.NotFound:
                known = [s["Spec"]["Name"] for s in self.api.services()]
        raise UnknownService(
            f"no service called {ref!r}",
            f"the services are: {', '.join(sorted(known)) or 'none'}" if len(known) <= 20 else "see `swarmtui service ls`",
        )

    def _inspect_node(self, ref: str) -> dict:
        if not isinstance(ref, str) or not ref:
            raise UnknownNode("no node given")
        with self._errors():
            try:
                return self.api.inspect_node(ref)
            except docker.errors.NotFound:
                known = [(n.get("Description") or {}).get("Hostname", "") for n in self.api.nodes()]
            except docker.errors.APIError as exc:
                # several nodes share that hostname (e.g. a removed one came back): ambiguous
                if exc.status_code == 500 and "ambiguous" in str(exc).lower():
                    raise InvalidInput(f"node name {ref!r} matches several nodes", "use the node ID instead") from exc
                raise
        raise UnknownNode(f"no node called {ref!r}", f"the nodes are: {', '.join(sorted(known)) or 'none'}")

    # ---- service operations ---------------------------------------------------------
    def _post_service_spec(self, service_id: str, version: int, spec: Mapping, rollback: bool = False) -> None:
        """POST /services/{id}/update with the whole spec — the route `docker service update/rollback` uses."""
        params: dict[str, Any] = {"version": version}
        if rollback:
            params["rollback"] = "previous"
        post_service_update(self.api, service_id, spec, params)

    def _retrying(self, attempt: Callable[[], Any], what: str) -> Any:
        """Run one read-modify-write `attempt`; on "update out of sequence" read again and retry."""
        last: Exception | None = None
        for _ in range(RETRIES):
            with self._errors():
                try:
                    return attempt()
                except docker.errors.APIError as exc:
                    if "out of sequence" not in str(exc):
                        raise
                    last = exc
            time.sleep(0.05)
        raise EngineRefused(f"{what} kept changing under us ({last})", "try again")

    def _modify_service(self, ref: str, mutate: Callable[[dict, dict], None], rollback: bool = False) -> dict:
        """Read-modify-write of a service spec with its version. Returns the attrs read."""

        def attempt() -> dict:
            attrs = self._inspect_service(ref)
            spec = copy.deepcopy(attrs["Spec"])
            mutate(spec, attrs)
            self._post_service_spec(attrs["ID"], attrs["Version"]["Index"], spec, rollback=rollback)
            return attrs

        return self._retrying(attempt, ref)

    def create_service(
        self,
        name: str,
        image: str,
        replicas: int | str = 1,
        *,
        network: str | None = None,
        env: Mapping[str, str] | Sequence[str] | None = None,
        constraints: Sequence[str] = (),
        labels: Mapping[str, str] | None = None,
        stop_grace_seconds: float | None = None,
        command: Sequence[str] | None = None,
        policy: UpdatePolicy = UpdatePolicy(),
    ) -> OperationResult:
        guards.check_service_name(name)
        image = guards.check_image(image)
        count = guards.check_replicas(replicas, self.max_replicas)
        env_list = [f"{k}={v}" for k, v in env.items()] if isinstance(env, Mapping) else list(env or ())
        config = update_config(policy)
        with self._errors():
            if any(s["Spec"]["Name"] == name for s in self.api.services(filters={"name": name})):
                raise InvalidInput(f"a service called {name!r} already exists", "pick another name or update that one")
            created = self.docker.services.create(
                image,
                # Args, not Command: what `docker service create IMAGE CMD...` sets (the image's entrypoint stays)
                args=list(command) if command else None,
                name=name,
                mode=ServiceMode("replicated", count),
                networks=[network] if network else None,
                env=env_list or None,
                constraints=list(constraints) or None,
                labels=dict(labels or {}),
                stop_grace_period=int(stop_grace_seconds * NS) if stop_grace_seconds is not None else None,
                update_config=config,
            )
        cli = commands.create_service(name, image, count, network=network, env=env_list, constraints=constraints, labels=labels,
                                      stop_grace_seconds=stop_grace_seconds, command=command, policy=policy)
        return OperationResult("create", name, f"{name} created with {count} replica(s) of {image}", cli,
                               target_id=created.id)

    def scale(self, service: str, replicas: int | str) -> OperationResult:
        """Set the replica count; 0 stops every replica."""
        count = guards.check_replicas(replicas, self.max_replicas)
        before: dict[str, int] = {}

        def mutate(spec: dict, attrs: dict) -> None:
            mode = spec.get("Mode") or {}
            if "Replicated" not in mode:
                raise InvalidInput(f"{spec['Name']} is a {convert.service_mode(spec)} service", "only replicated services can be scaled")
            before["n"] = mode["Replicated"].get("Replicas", 0)
            mode["Replicated"]["Replicas"] = count

        attrs = self._inspect_service(service)
        name = attrs["Spec"]["Name"]
        current = ((attrs["Spec"].get("Mode") or {}).get("Replicated") or {}).get("Replicas")
        cli = commands.scale(name, count)
        if current == count:
            return OperationResult("scale", name, f"{name} already has {count} replica(s)", cli, changed=False, target_id=attrs["ID"])
        attrs = self._modify_service(service, mutate)
        what = "every replica stops" if count == 0 else f"{count} replica(s)"
        return OperationResult("scale", name, f"{name} scaled {before['n']} → {count} ({what})", cli, target_id=attrs["ID"])

    def update_image(self, service: str, image: str, policy: UpdatePolicy = UpdatePolicy()) -> OperationResult:
        """A rolling update to `image` with the full update config `policy`."""
        image = guards.check_image(image)
        config = update_config(policy)
        old: dict[str, str] = {}

        def mutate(spec: dict, attrs: dict) -> None:
            container = spec.setdefault("TaskTemplate", {}).setdefault("ContainerSpec", {})
            old["image"] = convert.strip_digest(container.get("Image", ""))
            container["Image"] = image
            spec["UpdateConfig"] = dict(config)

        attrs = self._modify_service(service, mutate)
        name = attrs["Spec"]["Name"]
        cli = commands.update_image(name, image, policy)
        return OperationResult("update", name, f"{name}: rolling update {old['image']} → {image} "
                               f"({policy.parallelism} at a time, on failure {policy.failure_action})", cli, target_id=attrs["ID"])

    def rollback(self, service: str) -> OperationResult:
        """Back to the previous spec (what `docker service rollback` does)."""

        def mutate(spec: dict, attrs: dict) -> None:
            if not attrs.get("PreviousSpec"):
                raise InvalidInput(f"{spec['Name']} has no previous spec to roll back to", "it was never updated")

        attrs = self._modify_service(service, mutate, rollback=True)
        name = attrs["Spec"]["Name"]
        prev = convert.strip_digest(((attrs["PreviousSpec"].get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image", ""))
        return OperationResult("rollback", name, f"{name} rolling back to its previous spec ({prev})",
                               commands.rollback(name), target_id=attrs["ID"])

    def restart(self, service: str) -> OperationResult:
        """A rolling restart of every replica (ForceUpdate + 1), following the service's update config."""

        def mutate(spec: dict, attrs: dict) -> None:
            template = spec.setdefault("TaskTemplate", {})
            template["ForceUpdate"] = int(template.get("ForceUpdate") or 0) + 1

        attrs = self._modify_service(service, mutate)
        name = attrs["Spec"]["Name"]
        return OperationResult("restart", name, f"{name}: rolling restart of every replica",
                               commands.restart(name), target_id=attrs["ID"])

    def remove_service(self, service: str) -> OperationResult:
        attrs = self._inspect_service(service)
        name = attrs["Spec"]["Name"]
        with self._errors():
            try:
                self.api.remove_service(attrs["ID"])
            except docker.errors.NotFound:
                pass  # gone meanwhile: the outcome the user asked for
        return OperationResult("remove", name, f"{name} removed (its replicas stop)", commands.remove_service(name),
                               target_id=attrs["ID"])

    # ---- node operations -------------------------------------------------------------
    def _modify_node(self, ref: str, mutate: Callable[[dict, dict], None]) -> dict:
        """Read-modify-write of a node spec (node.update replaces the whole spec)."""

        def attempt() -> dict:
            attrs = self._inspect_node(ref)
            spec = copy.deepcopy(attrs["Spec"])
            mutate(spec, attrs)
            with self._patient():  # a role change waits for raft to add/remove the member
                self.api.update_node(attrs["ID"], attrs["Version"]["Index"], spec)
            return attrs

        return self._retrying(attempt, f"node {ref}")

    def _node_result(self, action: str, attrs: dict, summary: str, cli: Callable[[str], str], changed: bool = True) -> OperationResult:
        hostname = (attrs.get("Description") or {}).get("Hostname", attrs["ID"])
        return OperationResult(action, hostname, summary.replace("{node}", hostname), cli(hostname), changed=changed, target_id=attrs["ID"])

    def promote(self, node: str) -> OperationResult:
        attrs = self._inspect_node(node)
        if attrs["Spec"].get("Role") == "manager":
            return self._node_result("promote", attrs, "{node} is already a manager", commands.promote, changed=False)
        attrs = self._change_role(node, "manager")
        return self._node_result("promote", attrs, "{node} promoted to manager", commands.promote)

    def demote(self, node: str, join_seconds: float = 90) -> OperationResult:
        target = self.node(node)
        if target.role != "manager":
            return self._node_result("demote", self._inspect_node(node), "{node} is already a worker", commands.demote, changed=False)
        if target.manager_reachability is None:
            self._await_raft_member(target, join_seconds)
        guards.check_demote(self.nodes(), target)
        try:
            attrs = self._change_role(node, "worker")
        except EngineRefused as exc:
            if NOT_IN_RAFT not in str(exc):
                raise
            self._await_raft_member(target, join_seconds)  # the member list moved between our read and the update
            attrs = self._change_role(node, "worker")
        if not self._await_raft_leave(target, join_seconds):
            return self._node_result("demote", attrs, "{node} demoted: still leaving the managers", commands.demote)
        return self._node_result("demote", attrs, "{node} demoted to worker", commands.demote)

    def _await_raft_leave(self, target: Node, seconds: float) -> bool:
        """The spec says worker at once, but the node leaves raft a moment later; stopping it before
        then takes a vote away from a two-manager raft for good (CI lost its lab's leader that way).
        Its ManagerStatus goes when it has left."""
        deadline = time.monotonic() + seconds
        while self._inspect_node(target.id).get("ManagerStatus"):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.5)
        return True

    def _await_raft_member(self, target: Node, seconds: float) -> None:
        """A just-promoted node is a manager in its spec for a while (seconds; half a minute under load)
        before it has joined raft, and until then the engine refuses to demote it ("can't find manager
        in raft memberlist"). Its ManagerStatus appears when it has joined: wait for that."""
        deadline = time.monotonic() + seconds
        while not self._inspect_node(target.id).get("ManagerStatus"):
            if time.monotonic() >= deadline:
                raise EngineRefused(
                    f"{target.hostname} has not finished joining the managers (its promotion is still in progress "
                    f"after {seconds:g}s), so it cannot be demoted yet",
                    "try again once the MANAGER column shows it Reachable",
                )
            time.sleep(0.5)

    def _change_role(self, node: str, role: str, settle_seconds: float = 30) -> dict:
        """Raft membership changes can outlast the engine's own deadline; then wait for the role to show."""
        try:
            return self._modify_node(node, lambda spec, _: spec.update(Role=role))
        except EngineRefused as exc:
            if "DeadlineExceeded" not in str(exc):
                raise
            deadline = time.monotonic() + settle_seconds
            while time.monotonic() < deadline:
                attrs = self._inspect_node(node)
                if attrs["Spec"].get("Role") == role:
                    return attrs
                time.sleep(0.5)
            raise

    def set_availability(self, node: str, availability: str) -> OperationResult:
        """active | pause (no new tasks) | drain (move its tasks elsewhere)."""
        guards.check_availability(availability)
        target = self.node(node)
        cli = functools.partial(commands.availability, value=availability)
        if target.availability == availability:
            return self._node_result(availability, self._inspect_node(node), f"{{node}} is already {availability}", cli, changed=False)
        guards.check_availability_change(self.nodes(), target, availability)
        attrs = self._modify_node(node, lambda spec, _: spec.update(Availability=availability))
        meaning = {"active": "takes tasks again", "pause": "takes no new tasks", "drain": "its tasks move to other nodes"}
        return self._node_result(availability, attrs, f"{{node}} set to {availability}: {meaning[availability]}", cli)

    def change_labels(self, node: str, add: Mapping[str, str] | None = None, remove: Iterable[str] = ()) -> OperationResult:
        """Add/change `add` and remove the keys `remove` in one spec update, as one
        `docker node update --label-add ... --label-rm ...` does (a key in both ends up removed)."""
        add = {k: str(v) for k, v in (add or {}).items()}
        remove = list(remove)
        guards.check_label_keys([*add, *remove])
        cli = functools.partial(commands.labels, add=add, remove=remove)
        said: list[str] = []

        def mutate(spec: dict, _: dict) -> None:
            current = spec.get("Labels") or {}
            wanted = {k: v for k, v in {**current, **add}.items() if k not in remove}
            if wanted == current:
                raise _Unchanged
            spec["Labels"] = wanted
            said[:] = _label_words(current, wanted)

        try:
            attrs = self._modify_node(node, mutate)
        except _Unchanged:
            shown = ", ".join([*(commands.label_word(k, v) for k, v in add.items()), *(f"no {k}" for k in remove)])
            return self._node_result("labels", self._inspect_node(node), f"{{node}} already has {shown}", cli, changed=False)
        return self._node_result("labels", attrs, f"{{node}}: {'; '.join(said)}", cli)

    def add_labels(self, node: str, labels: Mapping[str, str]) -> OperationResult:
        return self.change_labels(node, add=labels)

    def remove_labels(self, node: str, keys: Iterable[str]) -> OperationResult:
        return self.change_labels(node, remove=keys)

    def remove_node(self, node: str, force: bool = False) -> OperationResult:
        """Remove a node from the swarm: only a Down one unless `force`."""
        target = self.node(node)
        guards.check_remove_node(target, force)
        with self._errors():
            with self._patient():
                self.api.remove_node(target.id, force=force)
        return OperationResult("remove", target.hostname, f"{target.hostname} removed from the swarm",
                               commands.remove_node(target.hostname, force), target_id=target.id)

    # ---- swarm -----------------------------------------------------------------------
    def join_tokens(self) -> JoinTokens:
        """Join tokens and manager addresses.  Tokens are secrets: only call this when they are needed."""
        with self._errors():
            raw = self.api.inspect_swarm()
            raw_nodes = self.api.nodes(filters={"role": "manager"})
        addresses = sorted(
            ((n.get("ManagerStatus") or {}).get("Addr", "") for n in raw_nodes if (n.get("ManagerStatus") or {}).get("Addr")),
            key=lambda a: not any((n.get("ManagerStatus") or {}).get("Leader") and n["ManagerStatus"]["Addr"] == a for n in raw_nodes),
        )
        tokens = raw.get("JoinTokens") or {}
        return JoinTokens(manager_addresses=tuple(addresses), worker_token=tokens.get("Worker", ""), manager_token=tokens.get("Manager", ""))

    def manager_address(self) -> str:
        """The leader's swarm address ("10.0.0.1:2377"), for `docker swarm join`."""
        addresses = self.join_tokens().manager_addresses
        if not addresses:
            raise EngineRefused("the swarm reports no manager address")
        return addresses[0]

    def rotate_token(self, role: str = "worker") -> OperationResult:
        """A new join token for `role`; the rest of the swarm spec is sent back unchanged."""
        if role not in ("worker", "manager"):
            raise InvalidInput(f"role {role!r} is not worker or manager")

        def attempt() -> dict:
            raw = self.api.inspect_swarm()
            self.api.update_swarm(version=raw["Version"]["Index"], swarm_spec=raw["Spec"],
                                  rotate_worker_token=role == "worker", rotate_manager_token=role == "manager")
            return raw

        raw = self._retrying(attempt, "the swarm")
        return OperationResult("rotate", role, f"{role} join token rotated: the old one no longer joins new nodes",
                               commands.rotate_token(role), target_id=raw.get("ID", ""))
