"""`swarmtui bootstrap HOST...`: the headless bootstrap, one progress line per host and step.

Exit code 0 only if every host joined (or was already in this swarm).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from swarmtui.bootstrap.engine import FAILED, PLANNED, RUNNING, Engine, StepEvent, failed
from swarmtui.bootstrap.hostkeys import KnownHosts
from swarmtui.bootstrap.hosts import HostSpecError, load_targets, parse_labels
from swarmtui.bootstrap.manager import Manager, ManagerError
from swarmtui.bootstrap.steps import Auth, Options


def register(subparsers) -> tuple[str, ...]:
    p = subparsers.add_parser(
        "bootstrap",
        help="turn fresh servers into swarm nodes over SSH",
        description="Over SSH: check the host, install Docker if missing, trust the registry "
        "(merging daemon.json), join the swarm of the manager given by --host/DOCKER_HOST, wait until Ready, add labels.",
    )
    p.add_argument("hosts", nargs="*", metavar="HOST", help="[user@]host[:port]")
    p.add_argument("--hosts-file", help="one [user@]host[:port] per line (# comments allowed)")
    p.add_argument("--user", "-u", default="root", help="SSH user when a host does not name one (default: root)")
    auth = p.add_mutually_exclusive_group()
    auth.add_argument("--key", "-i", help="private key file (default: ssh-agent and ~/.ssh keys)")
    auth.add_argument("--password-stdin", action="store_true", help="read the SSH password from stdin")
    p.add_argument("--passphrase-stdin", action="store_true", help="read the --key passphrase from stdin")
    p.add_argument("--registry", help="registry host:port every node must trust (insecure-registries)")
    p.add_argument("--role", choices=("worker", "manager"), default="worker")
    p.add_argument("--label", action="append", default=[], metavar="K=V", help="node label (repeatable)")
    p.add_argument("--accept-new", action="store_true", help="trust and pin unknown host keys (fingerprints are printed)")
    p.add_argument("--docker-source", choices=("distro", "docker-repo"), default="distro",
                   help="where to install Docker from when missing: the distribution's docker.io, or Docker's apt repository")
    p.add_argument("--concurrency", "-j", type=int, default=10, help="hosts at once (default 10)")
    p.add_argument("--dry-run", action="store_true", help="print the exact commands per host (token masked); change nothing")
    p.add_argument("--known-hosts", help="swarmtui's own known_hosts (default: $XDG_CONFIG_HOME/swarmtui/known_hosts)")
    p.set_defaults(handler=handle)
    return ("bootstrap",)


def read_secret(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def progress_line(event: StepEvent, width: int) -> str | None:
    if event.status == RUNNING:
        return None
    if event.status == PLANNED:
        return "\n".join(f"{event.host:<{width}}  {event.step:<9}  {c}" for c in event.output)
    took = f" ({event.seconds:.1f}s)" if event.seconds >= 0.1 else ""
    return f"{event.host:<{width}}  {event.step:<9}  {event.status:<7}  {event.message}{took}"


def handle(args: argparse.Namespace, settings) -> int:
    from pathlib import Path

    try:
        targets = load_targets(args.hosts, args.hosts_file, default_user=args.user)
        labels = parse_labels(args.label)
    except HostSpecError as exc:
        print(f"swarmtui bootstrap: {exc}", file=sys.stderr)
        return 2
    if not targets:
        print("swarmtui bootstrap: no hosts given (HOST... or --hosts-file)", file=sys.stderr)
        return 2
    password = read_secret("SSH password: ") if args.password_stdin else None
    passphrase = read_secret("Key passphrase: ") if args.passphrase_stdin else None
    auth = Auth(password=password, key_file=args.key, passphrase=passphrase)
    options = Options(role=args.role, registry=args.registry, labels=labels, docker_source=args.docker_source)
    known = KnownHosts(own_file=Path(args.known_hosts) if args.known_hosts else None)
    engine = Engine(lambda: Manager.connect(settings.endpoint), known=known, concurrency=args.concurrency)
    width = max(len(t.label) for t in targets)

    def on_event(event: StepEvent) -> None:
        line = progress_line(event, width)
        if line:
            print(line, flush=True)
        if event.status == FAILED and event.output:
            for out in event.output[-6:]:
                print(f"{'':<{width}}  {'':<9}  | {out}", flush=True)

    async def confirm(unknown) -> bool:
        print(f"{unknown.target.label:<{width}}  hostkey    new {unknown.key_type} key {unknown.fingerprint}"
              f" — {'accepted (--accept-new)' if args.accept_new else 'not trusted (pass --accept-new to pin it)'}",
              flush=True)
        return bool(args.accept_new)

    try:
        results = asyncio.run(engine.run(targets, auth, options, on_event, confirm, dry_run=args.dry_run))
    except ManagerError as exc:
        print(f"swarmtui bootstrap: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.close()
    if args.dry_run:
        return 0
    print()
    for label, result in results.items():
        print(f"{label:<{width}}  {result.summary()}")
    bad = failed(results)
    if bad:
        print(f"\n{len(bad)} of {len(results)} host(s) did not join; retry them with: swarmtui bootstrap "
              + " ".join(f"{t.user}@{t.label}" for t in bad) + " ...", file=sys.stderr)
        return 1
    return 0
