"""`swarmtui stack ...`, `swarmtui secret ...`, `swarmtui config ...`: stacks and swarm objects for scripts.

deploy, rm and rotate ask first (unless --yes) and print the docker CLI equivalent.  A value
given as `-` is read from stdin (without echo on a terminal) and never printed.
Exit codes as in cluster/cli.py: 0 done, 1 refused or failed, 2 bad usage, 3 not confirmed.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from swarmtui.cluster import commands, objects, stacks
from swarmtui.cluster.cli import _confirm, _pairs, _Plan, _run, _table, _yes
from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.errors import InvalidInput


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _ask(args, what: str, cli: str) -> bool:
    return _confirm(args, _Plan(what, cli, run=lambda client: None))


def _done(result) -> int:
    print(result.summary)
    print(f"  docker CLI: {result.cli}")
    return 0


# ---- stacks ---------------------------------------------------------------------------------
def _stack_ls(args, client: SwarmClient) -> int:
    rows = [(s.name, len(s.services), f"{s.replicas_running}/{s.replicas_desired}", s.state, ", ".join(s.images))
            for s in stacks.stacks(client)]
    print(_table(rows, ("NAME", "SERVICES", "REPLICAS", "STATE", "IMAGES")))
    return 0


def _stack_ps(args, client: SwarmClient) -> int:
    rows = [(t.id[:12], t.name, t.image, t.node_hostname, t.desired_state, t.state, _when(t.state_since), t.error)
            for t in stacks.stack_tasks(client, args.stack, history=args.all)]
    print(_table(rows, ("ID", "NAME", "IMAGE", "NODE", "DESIRED", "STATE", "SINCE", "ERROR")))
    return 0


def _stack_deploy(args, client: SwarmClient) -> int:
    plan = stacks.plan_deploy(client, args.compose_file, args.stack, env_file=args.env_file)
    print(f"deploy stack {plan.stack} from {plan.compose_file}")
    for line in plan.lines():
        print(f"  {line}")
    if not _ask(args, f"deploy stack {plan.stack}", plan.cli):
        return 3
    result = stacks.deploy(plan, say=lambda line: print(f"  | {line}", flush=True))
    print(result.summary)
    print(f"  docker CLI: {result.cli}")
    if args.no_wait:
        return 0
    outcomes = stacks.wait_rollout(client, plan.stack, plan.creates + plan.updates,
                                   say=lambda line: print(f"  {line}", flush=True), timeout=args.timeout)
    failed = [o for o in outcomes if not o.ok]
    print(f"stack {plan.stack}: " + ("every service converged" if not failed else f"{len(failed)} service(s) did not converge"))
    return 1 if failed else 0


def _stack_rm(args, client: SwarmClient) -> int:
    what = stacks.contents(client, args.stack)
    if what.empty:
        return _done(stacks.remove_stack(client, args.stack))  # raises UnknownObject
    print(f"stack {args.stack} consists of:")
    for line in what.lines():
        print(f"  {line}")
    if not _ask(args, f"remove stack {args.stack} and all of the above", commands.stack_rm(args.stack)):
        return 3
    return _done(stacks.remove_stack(client, args.stack, say=lambda line: print(f"  {line}", flush=True)))


# ---- secrets and configs ---------------------------------------------------------------------
def read_value(source: str, kind: str) -> tuple[bytes, str | None]:
    """(data, file name or None for stdin).  On a terminal `-` asks without echo."""
    if source == "-":
        if sys.stdin.isatty():
            return getpass.getpass(f"{kind} value (not shown): ").encode(), None
        return sys.stdin.buffer.read(), None
    path = Path(source).expanduser()
    try:
        return path.read_bytes(), source
    except OSError as exc:
        raise InvalidInput(f"{source} cannot be read ({exc.strerror})", "give a readable file, or - to read the value from stdin") from exc


def _object_ls(kind: str):
    def fn(args, client: SwarmClient) -> int:
        rows = [(o.id[:12], o.name, _when(o.created), _when(o.updated),
                 ",".join(f"{k}={v}" for k, v in o.labels.items()), objects.describe_uses(o.used_by))
                for o in objects.list_objects(client, kind)]
        print(_table(rows, ("ID", "NAME", "CREATED", "UPDATED", "LABELS", "USED BY (TARGET)")))
        return 0
    return fn


def _object_create(kind: str):
    def fn(args, client: SwarmClient) -> int:
        objects.check_name(args.name, kind)
        data, source = read_value(args.source, kind)
        return _done(objects.create_object(client, kind, args.name, data, source, _pairs(args.label, "label")))
    return fn


def _object_rotate(kind: str):
    def fn(args, client: SwarmClient) -> int:
        old = objects.get_object(client, kind, args.name)
        data, source = read_value(args.source, kind)
        users = objects.describe_uses(old.used_by) or "no service"
        print(f"rotate {kind} {old.name}: a new {kind} with the new value, then one rolling update of each of: {users}; "
              f"{old.name} is removed once every update completed")
        new = objects.next_name(old.name, [o.name for o in objects.list_objects(client, kind)])
        uses = [(u.service_name, [objects._cli_target(u.target)]) for u in old.used_by]
        if not _ask(args, f"rotate {kind} {old.name}", commands.rotation(kind, old.name, new, source, uses)):
            return 3
        return _done(objects.rotate_object(client, kind, old.name, data, source, say=lambda line: print(f"  {line}", flush=True),
                                           timeout_per_service=args.timeout))
    return fn


def _object_rm(kind: str):
    def fn(args, client: SwarmClient) -> int:
        obj = objects.get_object(client, kind, args.name)
        if obj.used_by:  # refused with the services' names, before asking
            return _done(objects.remove_object(client, kind, obj.name))
        if not _ask(args, f"remove {kind} {obj.name}", commands.object_rm(kind, [obj.name])):
            return 3
        return _done(objects.remove_object(client, kind, obj.name))
    return fn


def register(sub) -> tuple[str, ...]:
    stack = sub.add_parser("stack", help="list, deploy (docker stack deploy) and remove stacks")
    sv = stack.add_subparsers(dest="stack_command", metavar="VERB", required=True)
    sv.add_parser("ls", help="stacks with their services, replicas and state").set_defaults(handler=_run(_stack_ls))
    p = sv.add_parser("ps", help="the tasks of every service of a stack (--all: with recent history)")
    p.add_argument("stack")
    p.add_argument("--all", "-a", action="store_true")
    p.set_defaults(handler=_run(_stack_ps))
    p = _yes(sv.add_parser("deploy", help="deploy or update a stack from a compose file (runs the docker CLI)"))
    p.add_argument("--compose-file", "-c", required=True, metavar="FILE")
    p.add_argument("--env-file", metavar="FILE", help="KEY=VALUE lines for the file's ${VARIABLES} (they beat the environment)")
    p.add_argument("--no-wait", action="store_true", help="do not follow the services' rollout")
    p.add_argument("--timeout", type=float, default=180, help="seconds to wait for the services to converge")
    p.add_argument("stack")
    p.set_defaults(handler=_run(_stack_deploy))
    p = _yes(sv.add_parser("rm", help="remove a stack's services, networks, secrets and configs"))
    p.add_argument("stack")
    p.set_defaults(handler=_run(_stack_rm))

    for kind in objects.KINDS:
        parser = sub.add_parser(kind, help=f"list, create, rotate and remove swarm {kind}s")
        verbs = parser.add_subparsers(dest=f"{kind}_command", metavar="VERB", required=True)
        verbs.add_parser("ls", help=f"{kind}s and the services using each").set_defaults(handler=_run(_object_ls(kind)))
        p = verbs.add_parser("create", help=f"create a {kind} from FILE, or from stdin with -")
        p.add_argument("name")
        p.add_argument("source", metavar="FILE|-")
        p.add_argument("--label", "-l", action="append", metavar="KEY=VALUE")
        p.set_defaults(handler=_run(_object_create(kind)))
        p = _yes(verbs.add_parser("rotate", help=f"replace a {kind}'s value in every service using it (rolling updates)"))
        p.add_argument("name")
        p.add_argument("source", metavar="FILE|-")
        p.add_argument("--timeout", type=float, default=300, help="seconds to wait for each service's update")
        p.set_defaults(handler=_run(_object_rotate(kind)))
        p = _yes(verbs.add_parser("rm", help=f"remove a {kind} (refused while a service uses it)"))
        p.add_argument("name")
        p.set_defaults(handler=_run(_object_rm(kind)))
    return ("stack", *objects.KINDS)
