"""`swarmtui queue ...`: the queue pane's reads and actions for scripts.

    swarmtui queue stats [--watch] [--interval S] [KEY ...]
    swarmtui queue push KEY [--file F | ITEM ...]        (--file - reads stdin)
    swarmtui queue purge KEY [--yes]
    swarmtui queue requeue [--queue PREFIX ...] [--dry-run]
"""

from __future__ import annotations

import argparse
import sys
import time

from swarmtui.queue import actions
from swarmtui.queue.connection import connect
from swarmtui.queue.errors import REDIS_ERRORS, QueueError, describe
from swarmtui.queue.models import QueueSnapshot, SpiderLayout
from swarmtui.queue.monitor import QueueMonitor
from swarmtui.queue.probe import is_glob
from swarmtui.queue.spark import fmt_count, fmt_duration, fmt_rate, sparkline


def register(subparsers) -> tuple[str, ...]:
    queue = subparsers.add_parser("queue", help="inspect and feed the Redis work queue", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = queue.add_subparsers(dest="queue_command", metavar="ACTION", required=True)

    stats = sub.add_parser("stats", help="depth, in flight, rates and time to drain of the watched keys")
    stats.add_argument("keys", nargs="*", metavar="KEY", help="keys or globs (default: the configured queue_keys)")
    stats.add_argument("--watch", action="store_true", help="refresh until interrupted")
    stats.add_argument("--interval", type=float, default=1.0, help="seconds between samples (default 1; 0 = depths only)")
    stats.set_defaults(handler=cmd_stats)

    push = sub.add_parser("push", help="add items, one per line (RPUSH/ZADD/SADD/XADD by the key's type)")
    push.add_argument("key")
    push.add_argument("items", nargs="*", metavar="ITEM")
    push.add_argument("--file", "-f", help="read items from this file, one per line ('-' = stdin)")
    push.set_defaults(handler=cmd_push)

    purge = sub.add_parser("purge", help="delete a queue key (asks first)")
    purge.add_argument("key")
    purge.add_argument("--yes", "-y", action="store_true", help="do not ask")
    purge.set_defaults(handler=cmd_purge)

    requeue = sub.add_parser("requeue", help="put items of replicas that are gone back on their queue")
    requeue.add_argument("--queue", action="append", metavar="PREFIX",
                         help="queue key (the spider's prefix); repeatable (default: the configured exact keys)")
    requeue.add_argument("--dry-run", action="store_true", help="only list orphaned processing lists")
    requeue.set_defaults(handler=cmd_requeue)
    return ("queue",)


def _fail(message: str) -> int:
    print(f"swarmtui queue: {message}", file=sys.stderr)
    return 1


def render_table(snap: QueueSnapshot) -> str:
    head = ("KEY", "TYPE", "DEPTH", "IN FLIGHT", "IN", "OUT", "DRAINS IN", "LAST MINUTES")
    rows = [head]
    for k in snap.keys:
        net = "~" if k.method == "net" and k.rate_in is not None else ""
        rows.append((
            k.key, k.type, fmt_count(k.depth), fmt_count(k.in_flight),
            net + fmt_rate(k.rate_in), net + fmt_rate(k.rate_out),
            fmt_duration(k.eta) if k.rate_in is not None or k.depth == 0 else "…",
            sparkline(k.history, 16),
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    if any(k.method == "net" and k.rate_in is not None for k in snap.keys):
        lines.append("~ = net rate from depth changes (pushes and pops in the same interval cancel out)")
    for k in snap.keys:
        if k.orphaned:
            lines.append(f"! {k.key}: {k.orphaned} in-flight item(s) belong to replicas that are gone "
                         f"(swarmtui queue requeue --queue {k.key})")
    return "\n".join(lines)


def cmd_stats(args, settings) -> int:
    monitor = QueueMonitor(settings.redis_url, tuple(args.keys) or settings.queue_keys, settings.queue_links)
    try:
        snap = monitor.poll()
        if snap.error:
            return _fail(snap.error)
        if args.interval > 0 and not args.watch:
            time.sleep(args.interval)
            snap = monitor.poll()
        while True:
            if snap.error:
                print(snap.error, file=sys.stderr, flush=True)
            else:
                print(render_table(snap), flush=True)
            if not args.watch:
                return 1 if snap.error else 0
            time.sleep(max(args.interval, 0.2))
            snap = monitor.poll()
            print(flush=True)
    finally:
        monitor.close()


def cmd_push(args, settings) -> int:
    if args.file and args.items:
        return _fail("give items either on the command line or with --file, not both")
    try:
        if args.file == "-":
            items = actions.read_items(sys.stdin)
        elif args.file:
            items = actions.items_from_file(args.file)
        else:
            items = actions.read_items(args.items)
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    if not items:
        return _fail("nothing to push (no non-blank lines)")
    try:
        client, endpoint = connect(settings.redis_url)
        result = actions.push(client, args.key, items)
    except QueueError as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(str(exc))
    except REDIS_ERRORS as exc:
        return _fail(describe(exc, endpoint))
    print(f"pushed {result.pushed} item(s) to {result.key} ({result.type}, depth now {result.depth})")
    return 0


def cmd_purge(args, settings) -> int:
    try:
        client, endpoint = connect(settings.redis_url)
        kind = client.type(args.key)
        count = actions.depth(client, args.key, kind)
    except QueueError as exc:
        return _fail(str(exc))
    except REDIS_ERRORS as exc:
        return _fail(describe(exc, endpoint))
    if kind == "none":
        print(f"{args.key} does not exist; nothing to purge")
        return 0
    print(f"{args.key} is a {kind} with {count} item(s).")
    print(f"redis-cli equivalent: {endpoint.cli('DEL', args.key)}")
    if not args.yes:
        if not sys.stdin.isatty():
            return _fail("not purging without confirmation: run in a terminal or pass --yes")
        answer = input(f"Delete {args.key} and its {count} item(s)? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("left alone")
            return 1
    try:
        removed = actions.purge(client, args.key)
    except REDIS_ERRORS as exc:
        return _fail(describe(exc, endpoint))
    print(f"purged {args.key}: {removed} item(s) deleted")
    return 0


def cmd_requeue(args, settings) -> int:
    queues = args.queue or [k for k in settings.queue_keys if not is_glob(k) and not k.endswith(":results")]
    try:
        client, endpoint = connect(settings.redis_url)
        total = 0
        for queue in queues:
            layout = SpiderLayout(queue)
            if args.dry_run:
                for key, n in actions.orphans(client, layout):
                    print(f"{key}: {n} item(s), replica gone")
                    total += n
                continue
            result = actions.requeue(client, layout)
            total += result.moved
            alive = f"; {result.alive} list(s) of live replicas left alone" if result.alive else ""
            print(f"{queue}: requeued {result.moved} item(s) from {len(result.lists)} processing list(s){alive}")
    except QueueError as exc:
        return _fail(str(exc))
    except REDIS_ERRORS as exc:
        return _fail(describe(exc, endpoint))
    if args.dry_run:
        print(f"{total} item(s) would be requeued")
    return 0
