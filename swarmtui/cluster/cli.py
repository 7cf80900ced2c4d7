"""`swarmtui service ...` and `swarmtui node ...`: the cluster layer for scripts.

Every command that changes the swarm asks first (unless --yes) and prints the
docker CLI command that does the same.  Exit codes: 0 done, 1 refused or failed,
2 bad usage, 3 not confirmed.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.errors import ClusterError
from swarmtui.cluster.models import OperationResult, UpdatePolicy


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)


def _client(settings) -> SwarmClient:
    return SwarmClient(settings.docker_host, max_replicas=settings.max_replicas)


def _run(fn: Callable[[argparse.Namespace, SwarmClient], int]):
    def handler(args: argparse.Namespace, settings) -> int:
        try:
            with _client(settings) as client:
                return fn(args, client) or 0
        except ClusterError as exc:
            print(f"swarmtui: {exc}", file=sys.stderr)
            return 1
    return handler


def _confirm(args: argparse.Namespace, what: str) -> bool:
    if getattr(args, "yes", False):
        return True
    if not sys.stdin.isatty():
        print(f"swarmtui: refusing to {what} without --yes (stdin is not a terminal)", file=sys.stderr)
        return False
    return input(f"{what}? [y/N] ").strip().lower() in ("y", "yes")


def _change(what: Callable[[argparse.Namespace], str], op: Callable[[argparse.Namespace, SwarmClient], OperationResult]):
    """A destructive command: confirm, run, print what happened and the docker CLI equivalent."""
    def fn(args: argparse.Namespace, client: SwarmClient) -> int:
        if not _confirm(args, what(args)):
            return 3
        result = op(args, client)
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
def _pairs(items: Sequence[str] | None) -> dict[str, str]:
    out = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"swarmtui: {item!r} is not KEY=VALUE")
        out[key] = value
    return out


def _policy(args) -> UpdatePolicy:
    return UpdatePolicy(parallelism=args.parallelism, delay_seconds=args.delay, failure_action=args.failure_action,
                        order=args.order, monitor_seconds=args.monitor, max_failure_ratio=args.max_failure_ratio)


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
    p.set_defaults(handler=_change(
        lambda a: f"create service {a.name} with {a.replicas} replica(s) of {a.image}",
        lambda a, c: c.create_service(a.name, a.image, a.replicas, network=a.network, env=_pairs(a.env),
                                      constraints=a.constraint, labels=_pairs(a.label),
                                      stop_grace_seconds=a.stop_grace_period, command=a.command or None,
                                      policy=_policy(a))))

    p = _yes(sv.add_parser("scale", help="set the replica count (0 stops every replica)"))
    p.add_argument("service")
    p.add_argument("replicas")
    p.set_defaults(handler=_change(lambda a: f"scale {a.service} to {a.replicas} replica(s)",
                                   lambda a, c: c.scale(a.service, a.replicas)))

    p = _yes(sv.add_parser("update", help="rolling update to a new image"))
    p.add_argument("service")
    p.add_argument("--image", required=True)
    _add_policy_flags(p)
    p.set_defaults(handler=_change(lambda a: f"roll {a.service} out to {a.image}",
                                   lambda a, c: c.update_image(a.service, a.image, _policy(a))))

    for verb, helptext, what, method in (
        ("rollback", "back to the previous spec", "roll {} back to its previous spec", "rollback"),
        ("restart", "rolling restart of every replica", "restart every replica of {}", "restart"),
        ("rm", "remove a service (its replicas stop)", "remove service {}", "remove_service"),
    ):
        p = _yes(sv.add_parser(verb, help=helptext))
        p.add_argument("service")
        p.set_defaults(handler=_change(lambda a, w=what: w.format(a.service),
                                       lambda a, c, m=method: getattr(c, m)(a.service)))

    node = sub.add_parser("node", help="list nodes; promote, demote, drain, pause, activate, label, remove")
    nv = node.add_subparsers(dest="node_command", metavar="VERB", required=True)
    nv.add_parser("ls", help="nodes with role, status, availability and running tasks").set_defaults(handler=_run(_node_ls))
    for verb, helptext, op in (
        ("promote", "make a worker a manager", lambda a, c: c.promote(a.node)),
        ("demote", "make a manager a worker (refused if quorum would be lost)", lambda a, c: c.demote(a.node)),
        ("drain", "move the node's tasks elsewhere and take no new ones", lambda a, c: c.set_availability(a.node, "drain")),
        ("pause", "take no new tasks, keep the running ones", lambda a, c: c.set_availability(a.node, "pause")),
        ("activate", "take tasks again", lambda a, c: c.set_availability(a.node, "active")),
    ):
        p = _yes(nv.add_parser(verb, help=helptext))
        p.add_argument("node")
        p.set_defaults(handler=_change(lambda a, v=verb: f"{v} node {a.node}", op))

    p = _yes(nv.add_parser("label", help="add KEY=VALUE labels and/or remove keys (--rm KEY)"))
    p.add_argument("node")
    p.add_argument("labels", nargs="*", metavar="KEY=VALUE")
    p.add_argument("--rm", action="append", default=[], metavar="KEY")

    def _label(a, c: SwarmClient) -> OperationResult:
        result = None
        if a.labels:
            result = c.add_labels(a.node, _pairs(a.labels))
        if a.rm:
            removed = c.remove_labels(a.node, a.rm)
            if result is not None:
                return OperationResult("label", removed.target, f"{result.summary}; {removed.summary}",
                                       f"{result.cli} && {removed.cli}", target_id=removed.target_id)
            return removed
        if result is None:
            raise SystemExit("swarmtui: give KEY=VALUE labels to add and/or --rm KEY")
        return result

    p.set_defaults(handler=_change(lambda a: f"change labels of node {a.node}", _label))

    p = _yes(nv.add_parser("rm", help="remove a Down node from the swarm (--force: even a Ready one)"))
    p.add_argument("node")
    p.add_argument("--force", action="store_true")
    p.set_defaults(handler=_change(lambda a: f"remove node {a.node} from the swarm", lambda a, c: c.remove_node(a.node, a.force)))
    return ("service", "node")
