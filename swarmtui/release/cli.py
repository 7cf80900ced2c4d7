"""`swarmtui release SERVICE --context DIR --tag T`: build, push, roll out; exit 1 when it rolled back."""

from __future__ import annotations

import sys


def register(subparsers) -> tuple[str, ...]:
    p = subparsers.add_parser(
        "release",
        help="build, push and roll out a new image",
        description="Build DIR as the service's image at TAG on the manager's daemon, push it, and roll the service "
        "out to it one task at a time. If new tasks fail within the monitor window the swarm rolls back by itself "
        "and this command says why and exits 1.",
    )
    p.add_argument("service", metavar="SERVICE")
    p.add_argument("--context", required=True, metavar="DIR", help="build context (holds the Dockerfile)")
    p.add_argument("--tag", required=True, metavar="T", help="new image tag, e.g. 0.02")
    p.add_argument("--registry", metavar="R", help="registry host:port (default: the one in the service's image)")
    p.add_argument("--repo", metavar="NAME", help="repository name (default: the service's)")
    p.add_argument("--build-arg", action="append", default=[], metavar="K=V", dest="build_args")
    p.add_argument("--parallelism", type=int, default=1)
    p.add_argument("--delay", type=float, default=2.0, help="seconds between batches (default 2)")
    p.add_argument("--monitor", type=float, default=5.0, help="seconds each new task must survive (default 5)")
    p.add_argument("--order", choices=("start-first", "stop-first"), default="start-first")
    p.add_argument("--timeout", type=float, default=300.0)
    p.set_defaults(handler=run)
    return ("release",)


def run(args, settings) -> int:
    from swarmtui.cluster.client import SwarmClient
    from swarmtui.cluster.errors import ClusterError
    from swarmtui.cluster.models import UpdatePolicy
    from swarmtui.release.build import ReleaseError, parse_build_args
    from swarmtui.release.flow import release

    policy = UpdatePolicy(parallelism=args.parallelism, delay_seconds=args.delay, failure_action="rollback",
                          order=args.order, monitor_seconds=args.monitor)
    try:
        build_args = parse_build_args(args.build_args)
    except ReleaseError as exc:
        print(f"swarmtui release: {exc}", file=sys.stderr)
        return 2
    swarm = SwarmClient(settings.endpoint, timeout=120)
    try:
        result = release(
            swarm, args.service, args.context, args.tag, registry=args.registry, repo=args.repo,
            build_args=build_args, policy=policy, timeout=args.timeout,
            on_event=lambda e: print(e.line() + (f"\n           $ {e.cli}" if e.cli else ""), flush=True),
        )
    except ReleaseError as exc:
        print(f"swarmtui release: {exc}", file=sys.stderr)
        return 1
    except ClusterError as exc:
        print(f"swarmtui release: {exc}", file=sys.stderr)
        return 1
    finally:
        swarm.close()
    print(f"{result.outcome}: {result.message}")
    return 0 if result.ok else 1
