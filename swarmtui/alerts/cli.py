"""`swarmtui watch`: the alert rules without a screen, one line per alert on stdout.

Run it on a manager under systemd or tmux, or as a swarm service (`--print-service` prints the
`docker service create` command). Read-only by construction: it only reads the swarm and Redis,
unless --autoscale lets it scale the services that have an [autoscale.NAME] policy.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import threading
from pathlib import Path

SERVICE_NAME = "swarmtui-watch"
WEBHOOK_SECRET = "swarmtui-webhook"
REDIS_SECRET = "swarmtui-redis-url"


def register(subparsers) -> tuple[str, ...]:
    p = subparsers.add_parser(
        "watch",
        help="alert on node losses, crash loops, stalled queues ... without a screen",
        description="Watch the swarm and the Redis queue and print one line per alert (and per resolved "
        "incident) on stdout; also POST them to webhooks and run the [alerts] command of config.toml. "
        "Never changes anything unless --autoscale is given.",
    )
    p.add_argument("--webhook", metavar="URL", help="POST alerts to this URL too (JSON with a Slack-compatible text field)")
    p.add_argument("--webhook-file", metavar="PATH", default=os.environ.get("SWARMTUI_WEBHOOK_FILE"),
                   help="read the webhook URL from this file (a docker secret; default: $SWARMTUI_WEBHOOK_FILE)")
    p.add_argument("--redis-file", metavar="PATH", default=os.environ.get("SWARMTUI_REDIS_URL_FILE"),
                   help="read the Redis URL from this file (a docker secret; default: $SWARMTUI_REDIS_URL_FILE)")
    p.add_argument("--autoscale", action="store_true", help="also scale the services that have an [autoscale.NAME] policy")
    p.add_argument("--audit-log", metavar="PATH", help="JSON lines of every autoscaling decision (default: $XDG_STATE_HOME/swarmtui/autoscale.jsonl)")
    p.add_argument("--print-service", action="store_true", help="print the docker commands that run this watcher as a swarm service, and exit")
    p.add_argument("--image", default="swarmtui:latest", help="image for --print-service (see sample_watch/Dockerfile)")
    p.add_argument("--socket", default="/var/run/docker.sock", help="the managers' Docker socket path, for --print-service")
    p.add_argument("--network", help="a network for the service, for --print-service (e.g. host, to reach a webhook on the manager's own network)")
    p.add_argument("--for-seconds", type=float, help=argparse.SUPPRESS)  # tests: stop after this long
    p.set_defaults(handler=run)
    return ("watch",)


def _read_secret(path: str | None, what: str) -> str | None:
    if not path:
        return None
    try:
        value = Path(path).read_text().strip()
    except OSError as exc:
        raise SystemExit(f"swarmtui watch: cannot read the {what} from {path}: {exc.strerror}")
    return value or None


def service_commands(image: str, socket: str, webhook: bool, redis: bool, autoscale: bool, network: str | None = None) -> list[str]:
    """The docker CLI lines that run the watcher as a service on a manager (no secret value in them)."""
    lines = []
    if webhook:
        lines.append(f"printf '%s' \"$WEBHOOK_URL\" | docker secret create {WEBHOOK_SECRET} -")
    if redis:
        lines.append(f"printf '%s' \"$REDIS_URL\" | docker secret create {REDIS_SECRET} -")
    words = ["docker", "service", "create", "--name", SERVICE_NAME,
             "--constraint", "node.role==manager", "--replicas", "1",
             "--mount", f"type=bind,source={socket},target=/var/run/docker.sock",
             "--env", "DOCKER_HOST=unix:///var/run/docker.sock"]
    if network:
        words += ["--network", network]
    if webhook:
        words += ["--secret", f"source={WEBHOOK_SECRET},target=webhook_url",
                  "--env", "SWARMTUI_WEBHOOK_FILE=/run/secrets/webhook_url"]
    if redis:
        words += ["--secret", f"source={REDIS_SECRET},target=redis_url",
                  "--env", "SWARMTUI_REDIS_URL_FILE=/run/secrets/redis_url"]
    words += [image, "watch", *(["--autoscale"] if autoscale else [])]
    lines.append(_wrap(words))
    return lines


def _wrap(words: list[str]) -> str:
    """One shell command, an option and its value per line."""
    head, rest = words[:3], words[3:]
    parts, i = [shlex.join(head)], 0
    while i < len(rest):
        if rest[i].startswith("--") and i + 1 < len(rest) and not rest[i + 1].startswith("--") and rest[i] != "--autoscale":
            parts.append(shlex.join(rest[i:i + 2]))
            i += 2
        else:
            parts.append(shlex.join(rest[i:]))
            break
    return " \\\n    ".join(parts)


def _say_autoscale(line: str) -> None:
    from datetime import datetime, timezone

    print(f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} AUTOSCALE {line}", flush=True)


def run(args, settings) -> int:
    from dataclasses import replace

    from swarmtui.alerts.delivery import Delivery, sinks_from
    from swarmtui.alerts.watch import Watcher

    if args.print_service:
        has_redis = bool(settings.redis_url or args.redis_file)
        print("\n".join(service_commands(args.image, args.socket, bool(settings.alerts.webhook or args.webhook),
                                         has_redis, args.autoscale, args.network)))
        return 0
    webhook = args.webhook or _read_secret(args.webhook_file, "webhook URL")
    redis_url = _read_secret(args.redis_file, "Redis URL")
    if redis_url:
        settings = replace(settings, redis_url=redis_url)
    try:
        sinks = sinks_from(settings.alerts, webhook=webhook, stdout=True)
    except ValueError as exc:
        print(f"swarmtui watch: {exc}", file=sys.stderr)
        return 2
    delivery = Delivery(sinks)
    autoscaler = None
    if args.autoscale:
        from swarmtui.autoscale.runner import Autoscaler, default_audit_path

        if not settings.autoscale:
            print("swarmtui watch: --autoscale needs at least one [autoscale.SERVICE] table in config.toml", file=sys.stderr)
            return 2
        if not settings.redis_url:
            print("swarmtui watch: --autoscale needs the queue: give --redis or REDIS_URL", file=sys.stderr)
            return 2
        autoscaler = Autoscaler(settings, say=_say_autoscale,
                                audit_path=Path(args.audit_log) if args.audit_log else default_audit_path())
    watcher = Watcher(settings, on_alert=delivery.send, autoscaler=autoscaler)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    where = settings.endpoint.label
    queue = f", queue on {watcher.monitor.server or 'Redis'}" if watcher.monitor else ""
    mode = "autoscaling " + ", ".join(settings.autoscale) if autoscaler else "read-only"
    print(f"swarmtui watch: watching {where}{queue} ({mode}); one line per alert", file=sys.stderr, flush=True)
    watcher.start()
    try:
        done.wait(args.for_seconds)
    finally:
        watcher.stop()
        if autoscaler is not None:
            autoscaler.close()
        delivery.close()
    return 0
