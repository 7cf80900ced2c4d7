"""`swarmtui lab ...`: bring the local multi-node swarm up and down, break and heal nodes."""

from __future__ import annotations

import argparse
import subprocess
import sys

from swarmtui.lab.access import SSH_PROGRAMS, TLS_PROGRAMS
from swarmtui.lab.lab import DEFAULT_SUBNET, REQUIRED_PROGRAMS, Lab
from swarmtui.lab.system import LabError, require_programs


def register(sub) -> tuple[str, ...]:
    lab = sub.add_parser("lab", help="a real local multi-node swarm for trying swarmtui", description=__doc__)
    lab.add_argument("--name", default="lab", help="lab name, to run several side by side (default: lab)")
    verbs = lab.add_subparsers(dest="lab_command", metavar="VERB", required=True)

    up = verbs.add_parser("up", help="start dockerd nodes in network namespaces, a registry and Redis; form the swarm")
    up.add_argument("--managers", type=int, default=None, help="default: as the lab was, else 1")
    up.add_argument("--workers", type=int, default=None, help="default: as the lab was, else 2")
    up.add_argument("--subnet", default=None, help=f"lab network (default {DEFAULT_SUBNET})")
    up.add_argument("--install", action="store_true", help="apt-get install missing system packages first")
    up.add_argument("--ssh", action="store_true", help="an OpenSSH server in every node, a lab key, known_hosts, ssh config and docker contexts")
    up.add_argument("--tls", action="store_true", help="every manager's dockerd also on :2376 with --tlsverify (a lab CA and client cert)")
    up.set_defaults(handler=cmd_up)

    demo = verbs.add_parser("demo", help="deploy the sample spider service and seed its Redis queue")
    demo.add_argument("--replicas", type=int, default=3)
    demo.add_argument("--items", type=int, default=500, help="work items to push onto the queue")
    demo.set_defaults(handler=cmd_demo)
    verbs.add_parser("down", help="remove every process, namespace, link, mount and file of the lab").set_defaults(handler=cmd_down)
    verbs.add_parser("status", help="nodes, registry and Redis of the lab").set_defaults(handler=cmd_status)
    env = verbs.add_parser("env", help="print exports that point swarmtui and the docker CLI at the lab")
    env.add_argument("--ssh", action="store_true", help="reach the manager over ssh:// (and how to ssh into nodes)")
    env.add_argument("--tls", action="store_true", help="reach the manager over TLS: DOCKER_TLS_VERIFY / DOCKER_CERT_PATH")
    env.set_defaults(handler=cmd_env)
    for verb, helptext in (("stop-node", "stop a node's dockerd (like `systemctl stop docker`), to watch failover"),
                           ("start-node", "start a stopped node's dockerd again")):
        p = verbs.add_parser(verb, help=helptext)
        p.add_argument("node", help="e.g. lab-worker-1 (or worker-1)")
        if verb == "stop-node":
            p.add_argument("--kill", action="store_true", help="SIGKILL the node and its containers: a crash, not a shutdown")
        p.set_defaults(handler=cmd_stop_node if verb == "stop-node" else cmd_start_node)
    return ("lab",)


def _say(message: str) -> None:
    print(f"lab: {message}", flush=True)


def _guard(fn):
    def wrapper(args: argparse.Namespace, settings) -> int:
        try:
            return fn(args) or 0
        except LabError as exc:
            print(f"swarmtui lab: {exc}", file=sys.stderr)
            return 1
    return wrapper


@_guard
def cmd_up(args) -> int:
    if args.install:
        missing = require_programs({**REQUIRED_PROGRAMS, **SSH_PROGRAMS, **TLS_PROGRAMS})
        if missing:
            _say(f"installing {' '.join(missing)} ...")
            subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True)
    # Unsaid flags keep what the lab was brought up with, so a plain `lab up` heals it.
    saved = Lab.load(args.name)
    known = saved.is_complete()
    lab = Lab(
        name=args.name,
        subnet=args.subnet or (str(saved.subnet) if known else DEFAULT_SUBNET),
        managers=args.managers if args.managers is not None else saved.managers if known else 1,
        workers=args.workers if args.workers is not None else saved.workers if known else 2,
        ssh=args.ssh or (known and saved.ssh),
        tls=args.tls or (known and saved.tls),
    )
    lab.up(say=_say)
    return 0


@_guard
def cmd_demo(args) -> int:
    from swarmtui.lab.demo import deploy_spider

    deploy_spider(Lab.load(args.name), replicas=args.replicas, items=args.items, say=_say)
    return 0


@_guard
def cmd_down(args) -> int:
    Lab.load(args.name).down(say=_say)
    return 0


@_guard
def cmd_env(args) -> int:
    lab = Lab.load(args.name)
    lines = lab.env_lines()
    if args.ssh:
        lines = [line for line in lines if "DOCKER_HOST" not in line] + lab.ssh_lines()
    if args.tls:
        lines = [line for line in lines if "DOCKER_HOST" not in line] + lab.tls_lines()
    if not (args.ssh or args.tls) and (lab.ssh or lab.tls):
        lines.append("# also: `swarmtui lab env --ssh` / `--tls` to reach the manager over ssh:// or TLS")
    print("\n".join(dict.fromkeys(lines)))  # --ssh repeats the PATH line
    return 0


@_guard
def cmd_stop_node(args) -> int:
    node = Lab.load(args.name).stop_node(args.node, kill=args.kill)
    _say(f"{node.hostname} {'killed' if args.kill else 'stopped'}; the managers mark it Down within a few heartbeats")
    return 0


@_guard
def cmd_start_node(args) -> int:
    node = Lab.load(args.name).start_node(args.node)
    _say(f"{node.hostname} started; it rejoins the swarm by itself")
    return 0


@_guard
def cmd_status(args) -> int:
    lab = Lab.load(args.name)
    if not lab.state_dir.exists():
        print(f"lab {lab.name!r} is not up (run `swarmtui lab up`)")
        return 1
    print(f"lab {lab.name!r}: subnet {lab.subnet}, registry {lab.registry}, redis {lab.gateway}:{lab.redis.port}")
    swarm_view = {}
    if lab.manager.running():
        try:
            with lab.client(timeout=5) as client:
                for n in client.nodes.list():
                    swarm_view[n.attrs["Description"]["Hostname"]] = n.attrs
        except Exception as exc:  # noqa: BLE001
            print(f"  manager not answering: {exc}")
    for node in lab.nodes:
        attrs = swarm_view.get(node.hostname, {})
        state = attrs.get("Status", {}).get("State", "?")
        avail = attrs.get("Spec", {}).get("Availability", "?")
        dockerd = f"dockerd pid {node.pid()}" if node.running() else "dockerd stopped"
        print(f"  {node.hostname:<16} {node.role:<8} {node.address:<14} {dockerd:<22} swarm: {state}/{avail}")
    return 0
