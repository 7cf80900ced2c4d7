"""`swarmtui service ...` and `swarmtui node ...`: the cluster layer for scripts.

Every command that changes the swarm asks first (unless --yes) and prints the
docker CLI command that does the same.  Exit codes: 0 done, 1 refused or failed,
2 bad usage, 3 not confirmed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from functools import partial
from typing import Callable, Sequence

from swarmtui.cluster import commands, guards
from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.errors import ClusterError, InvalidInput
from swarmtui.cluster.models import Node, OperationResult, UpdatePolicy


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)


def _client(settings) -> SwarmClient:
    return SwarmClient(settings.endpoint, max_replicas=settings.max_replicas)


def _run(fn: Callable[[argparse.Namespace, SwarmClient], int]):
    def handler(args: argparse.Namespace, settings) -> int:
        try:
            with _client(settings) as client:
                return fn(args, client) or 0
        except ClusterError as exc:
            print(f"swarmtui: {exc}", file=sys.stderr)
            return 1
    return handler


@dataclass(frozen=True)
class _Plan:
    """A change checked and put into words before anything is asked or sent."""

    what: str  # "scale spider to 3 replica(s)"
    cli: str  # its docker CLI equivalent, the one the result reports
    run: Callable[[SwarmClient], OperationResult]


def _confirm(args: argparse.Namespace, plan: _Plan) -> bool:
    if getattr(args, "yes", False):
        return True
    if not sys.stdin.isatty():
        print(f"swarmtui: refusing to {plan.what} without --yes (stdin is not a terminal)\n  docker CLI: {plan.cli}",
              file=sys.stderr)
        return False
    return input(f"{plan.what}\n  docker CLI: {plan.cli}\nGo ahead? [y/N] ").strip().lower() in ("y", "yes")


def _change(plan: Callable[[argparse.Namespace, SwarmClient], _Plan]):
    """A destructive command: validate its arguments (bad input is refused before asking), confirm,
    run, print what happened and the docker CLI equivalent."""
    def fn(args: argparse.Namespace, client: SwarmClient) -> int:
        checked = plan(args, client)
        if not _confirm(args, checked):
            return 3
        result = checked.run(client)
        print(result.summary)
        print(f"  docker CLI: {result.cli}")
        return 0
    return _run(fn)


# ---- reads ----------------------------------------------------------------------
def _service_ls(args, client: SwarmClient) -> int:
    rows = [(s.id[:12], s.name, s.mode, f"{s.replicas_running}/{s.replicas_desired}", s.image,
             s.update_status.state if s.update_status else "", ",".join(s.ports) or s.network_mode)
            for s in client.services()]
    print(_table(rows, ("ID", "NAME", "MODE", "REPLICAS", "IMAGE", "UPDATE", "PORTS/NETWORK")))
    return 0


def _service_ps(args, client: SwarmClient) -> int:
    rows = [(t.id[:12], t.name, t.node_hostname, t.desired_state, t.state,
             t.state_since.strftime("%H:%M:%S") if t.state_since else "", t.error)
            for t in client.tasks(service=args.service, history=args.all)]
    print(_table(rows, ("ID", "NAME", "NODE", "DESIRED", "STATE", "SINCE", "ERROR")))
    return 0


def _node_ls(args, client: SwarmClient) -> int:
    rows = [(n.id[:12], n.hostname, n.status, n.availability, n.manager_status, n.address, n.running_tasks,
             n.engine_version, ",".join(f"{k}={v}" for k, v in n.labels.items()))
            for n in client.nodes()]
    print(_table(rows, ("ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER", "ADDRESS", "TASKS", "ENGINE", "LABELS")))
    return 0


# ---- parsing helpers ------------------------------------------------------------------
def _pairs(items: Sequence[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInput(f"{what} {item!r} is not KEY=VALUE")
        out[key] = value
    return out


def _policy(args) -> UpdatePolicy:
    return guards.check_policy(UpdatePolicy(
        parallelism=args.parallelism, delay_seconds=args.delay, failure_action=args.failure_action,
        order=args.order, monitor_seconds=args.monitor, max_failure_ratio=args.max_failure_ratio))


def _add_policy_flags(p: argparse.ArgumentParser) -> None:
    d = UpdatePolicy()
    p.add_argument("--parallelism", type=int, default=d.parallelism, help="replicas replaced at a time (0 = all)")
    p.add_argument("--delay", type=float, default=d.delay_seconds, help="seconds between batches")
    p.add_argument("--failure-action", choices=("continue", "pause", "rollback"), default=d.failure_action)
    p.add_argument("--order", choices=("stop-first", "start-first"), default=d.order)
    p.add_argument("--monitor", type=float, default=d.monitor_seconds, help="seconds to watch each new replica")
    p.add_argument("--max-failure-ratio", type=float, default=d.max_failure_ratio)


def _yes(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    return p


# ---- plans: each checks its arguments, then names the change and its docker CLI equivalent ----
def _plan_create(a, c: SwarmClient) -> _Plan:
    name, image = guards.check_service_name(a.name), guards.check_image(a.image)
    count = guards.check_replicas(a.replicas, c.max_replicas)
    env = [f"{k}={v}" for k, v in _pairs(a.env, "environment entry").items()]
    labels, policy = _pairs(a.label, "label"), _policy(a)
    if a.stop_grace_period is not None and a.stop_grace_period < 0:
        raise InvalidInput(f"stop grace period {a.stop_grace_period:g} is negative")
    options = dict(network=a.network, env=env, constraints=a.constraint, labels=labels,
                   stop_grace_seconds=a.stop_grace_period, command=a.command or None, policy=policy)
    return _Plan(f"create service {name} with {count} replica(s) of {image}",
                 commands.create_service(name, image, count, **options),
                 lambda c: c.create_service(name, image, count, **options))


def _plan_scale(a, c: SwarmClient) -> _Plan:
    count = guards.check_replicas(a.replicas, c.max_replicas)
    name = c.service(a.service).name
    return _Plan(f"scale {name} to {count} replica(s)", commands.scale(name, count), lambda c: c.scale(name, count))


def _plan_update(a, c: SwarmClient) -> _Plan:
    image, policy = guards.check_image(a.image), _policy(a)
    name = c.service(a.service).name
    return _Plan(f"roll {name} out to {image}", commands.update_image(name, image, policy),
                 lambda c: c.update_image(name, image, policy))


def _plan_service(what: str, cli: Callable[[str], str], op: Callable[[SwarmClient, str], OperationResult]):
    def plan(a, c: SwarmClient) -> _Plan:
        name = c.service(a.service).name
        return _Plan(what.format(name), cli(name), lambda c: op(c, name))
    return plan


def _plan_node(what: str, cli: Callable[[str], str], op: Callable[[SwarmClient, str], OperationResult],
               guard: Callable[[Sequence[Node], Node], None] | None = None):
    def plan(a, c: SwarmClient) -> _Plan:
        target = c.node(a.node)
        if guard:  # the client guards again when it runs; here so that a refusal comes before the question
            guard(c.nodes(), target)
        return _Plan(what.format(target.hostname), cli(target.hostname), lambda c: op(c, target.hostname))
    return plan


def _leaves_a_node(availability: str) -> Callable[[Sequence[Node], Node], None]:
    return lambda nodes, target: guards.check_availability_change(nodes, target, availability)


def _plan_labels(a, c: SwarmClient) -> _Plan:
    add = _pairs(a.labels, "label")
    if not add and not a.rm:
        raise InvalidInput("no label to change", "give KEY=VALUE labels to add and/or --rm KEY")
    guards.check_label_keys([*add, *a.rm])
    host = c.node(a.node).hostname
    return _Plan(f"change labels of node {host}", commands.labels(host, add, a.rm),
                 lambda c: c.change_labels(host, add, a.rm))


def _plan_node_rm(a, c: SwarmClient) -> _Plan:
    target = c.node(a.node)
    guards.check_remove_node(target, a.force)
    host = target.hostname
    return _Plan(f"remove node {host} from the swarm", commands.remove_node(host, a.force),
                 lambda c: c.remove_node(host, a.force))


def register(sub) -> tuple[str, ...]:
    service = sub.add_parser("service", help="list, create, scale, update, roll back, restart and remove services")
    sv = service.add_subparsers(dest="service_command", metavar="VERB", required=True)
    sv.add_parser("ls", help="services with running/desired replicas").set_defaults(handler=_run(_service_ls))
    p = sv.add_parser("ps", help="a service's running tasks (--all: with recent history)")
    p.add_argument("service")
    p.add_argument("--all", "-a", action="store_true")
    p.set_defaults(handler=_run(_service_ps))

    p = _yes(sv.add_parser("create", help="create a replicated service"))
    p.add_argument("name")
    p.add_argument("image")
    p.add_argument("command", nargs=argparse.REMAINDER, help="command and arguments (after the image)")
    p.add_argument("--replicas", default="1")
    p.add_argument("--network", help='"host" or a network name')
    p.add_argument("--env", "-e", action="append", metavar="KEY=VALUE")
    p.add_argument("--constraint", action="append", default=[])
    p.add_argument("--label", action="append", metavar="KEY=VALUE")
    p.add_argument("--stop-grace-period", type=float, metavar="SECONDS")
    _add_policy_flags(p)
    p.set_defaults(handler=_change(_plan_create))

    p = _yes(sv.add_parser("scale", help="set the replica count (0 stops every replica)"))
    p.add_argument("service")
    p.add_argument("replicas")
    p.set_defaults(handler=_change(_plan_scale))

    p = _yes(sv.add_parser("update", help="rolling update to a new image"))
    p.add_argument("service")
    p.add_argument("--image", required=True)
    _add_policy_flags(p)
    p.set_defaults(handler=_change(_plan_update))

    for verb, helptext, plan in (
        ("rollback", "back to the previous spec",
         _plan_service("roll {} back to its previous spec", commands.rollback, SwarmClient.rollback)),
        ("restart", "rolling restart of every replica",
         _plan_service("restart every replica of {}", commands.restart, SwarmClient.restart)),
        ("rm", "remove a service (its replicas stop)",
         _plan_service("remove service {}", commands.remove_service, SwarmClient.remove_service)),
    ):
        p = _yes(sv.add_parser(verb, help=helptext))
        p.add_argument("service")
        p.set_defaults(handler=_change(plan))

    node = sub.add_parser("node", help="list nodes; promote, demote, drain, pause, activate, label, remove")
    nv = node.add_subparsers(dest="node_command", metavar="VERB", required=True)
    nv.add_parser("ls", help="nodes with role, status, availability and running tasks").set_defaults(handler=_run(_node_ls))
    for verb, helptext, cli, op, guard in (
        ("promote", "make a worker a manager", commands.promote, SwarmClient.promote, None),
        ("demote", "make a manager a worker (refused if quorum would be lost)", commands.demote, SwarmClient.demote,
         guards.check_demote),
        ("drain", "move the node's tasks elsewhere and take no new ones", partial(commands.availability, value="drain"),
         partial(SwarmClient.set_availability, availability="drain"), _leaves_a_node("drain")),
        ("pause", "take no new tasks, keep the running ones", partial(commands.availability, value="pause"),
         partial(SwarmClient.set_availability, availability="pause"), _leaves_a_node("pause")),
        ("activate", "take tasks again", partial(commands.availability, value="active"),
         partial(SwarmClient.set_availability, availability="active"), None),
    ):
        p = _yes(nv.add_parser(verb, help=helptext))
        p.add_argument("node")
        p.set_defaults(handler=_change(_plan_node(f"{verb} node {{}}", cli, op, guard)))

    p = _yes(nv.add_parser("label", help="add KEY=VALUE labels and/or remove keys (--rm KEY)"))
    p.add_argument("node")
    p.add_argument("labels", nargs="*", metavar="KEY=VALUE")
    p.add_argument("--rm", action="append", default=[], metavar="KEY")
    p.set_defaults(handler=_change(_plan_labels))

    p = _yes(nv.add_parser("rm", help="remove a Down node from the swarm (--force: even a Ready one)"))
    p.add_argument("node")
    p.add_argument("--force", action="store_true")
    p.set_defaults(handler=_change(_plan_node_rm))
    return ("service", "node")
