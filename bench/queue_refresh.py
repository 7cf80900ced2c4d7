"""Queue pane refresh cost: 200 watched keys of mixed types, swarmtui vs redis-cli, in one run.

Starts its own password-protected redis-server on loopback, fills it with 80 lists, 40 zsets,
40 sets and 40 streams (each with a consumer group and pending entries), then times:

  swarmtui   QueueMonitor.poll(): TYPE + depth commands for all 200 keys in one pipeline,
             rates, folding and snapshot building included (median of --runs, after the
             rate window has filled as it does at the app's 1 s cadence)
  redis-cli  the same reads one by one: TYPE then the depth command per key, one redis-cli
             process per read (400 processes; median of --cli-runs)
  redis-cli  the same reads as one batch: all 400 commands on one redis-cli's stdin
             (one process, still one round trip per command)

Run:  .venv/bin/python bench/queue_refresh.py [--keys 200] [--runs 200]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis

from swarmtui.lab.redis_server import RedisServer
from swarmtui.lab.system import free_port
from swarmtui.queue.models import DEPTH_COMMANDS
from swarmtui.queue.monitor import QueueMonitor

KINDS = ("list",) * 2 + ("zset", "set", "stream")  # 40% lists, 20% each of the rest


def fill(r: redis.Redis, n: int) -> list[tuple[str, str]]:
    keys = []
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        key = f"bench:{kind}:{i}"
        items = [f"https://site{i}.example/page/{j}" for j in range(50 + i)]
        if kind == "list":
            pipe.rpush(key, *items)
        elif kind == "zset":
            pipe.zadd(key, {item: j for j, item in enumerate(items)})
        elif kind == "set":
            pipe.sadd(key, *items)
        else:
            for item in items:
                pipe.xadd(key, {"url": item})
            pipe.xgroup_create(key, "crawlers", id="0")
            pipe.xreadgroup("crawlers", "c1", {key: ">"}, count=10)
        keys.append((key, kind))
    pipe.execute()
    return keys


def cli_base(server: RedisServer) -> list[str]:
    return ["redis-cli", "-h", server.host, "-p", str(server.port), "--no-auth-warning"]


def cli_reads(keys: list[tuple[str, str]]) -> list[list[str]]:
    """The reads a refresh does, as redis-cli argument lists (streams: XLEN + XINFO GROUPS)."""
    reads = []
    for key, kind in keys:
        reads.append(["TYPE", key])
        reads.append([DEPTH_COMMANDS[kind], key])
        if kind == "stream":
            reads.append(["XINFO", "GROUPS", key])
    return reads


def time_one_by_one(server: RedisServer, reads: list[list[str]], env: dict) -> float:
    base = cli_base(server)
    t = time.perf_counter()
    for args in reads:
        subprocess.run(base + args, env=env, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000


def time_batch(server: RedisServer, reads: list[list[str]], env: dict) -> float:
    script = "".join(" ".join(args) + "\n" for args in reads)
    t = time.perf_counter()
    subprocess.run(cli_base(server), input=script, text=True, env=env, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", type=int, default=200)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--cli-runs", type=int, default=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="swarmtui-bench-") as tmp:
        server = RedisServer("127.0.0.1", free_port(), secrets.token_urlsafe(16), Path(tmp)).start()
        try:
            r = redis.Redis.from_url(server.url, decode_responses=True)
            keys = fill(r, args.keys)
            # Refreshes come once a second in the app; a clock stepping 1 s per poll keeps the rate
            # window (30 s) and sparkline history as full as they are there, however fast we loop.
            ticks = iter(range(10**9))
            monitor = QueueMonitor(server.url, [k for k, _ in keys], clock=lambda: 1e9 + next(ticks))
            first = monitor.poll()  # types learnt here; later refreshes are one round trip
            assert first.error is None and len(first.keys) == args.keys, first.error
            swarm = []
            for _ in range(args.runs):
                t = time.perf_counter()
                snap = monitor.poll()
                swarm.append((time.perf_counter() - t) * 1000)
            assert len(snap.keys) == args.keys and monitor.prober.round_trips == 1

            env = {**os.environ, "REDISCLI_AUTH": server.password}  # not on any command line
            reads = cli_reads(keys)
            one = [time_one_by_one(server, reads, env) for _ in range(args.cli_runs)]
            batch = [time_batch(server, reads, env) for _ in range(max(args.cli_runs, 20))]
            monitor.close()
            r.close()
        finally:
            server.stop()

    s, o, b = statistics.median(swarm), statistics.median(one), statistics.median(batch)
    kinds = {k: sum(1 for _, x in keys if x == k) for k in ("list", "zset", "set", "stream")}
    print(f"Queue refresh, {args.keys} watched keys ({', '.join(f'{v} {k}s' for k, v in kinds.items())}), "
          f"redis-server {redis_version()} on loopback, {os.cpu_count()} cores")
    print()
    print("| reader | reads per refresh | median ms | p95 ms | vs swarmtui |")
    print("|---|---|---|---|---|")
    print(f"| swarmtui QueueMonitor.poll() ({args.runs} runs) | {len(reads)} in 1 pipeline | {s:.2f} | "
          f"{percentile(swarm, 95):.2f} | 1× |")
    print(f"| redis-cli, one process per read ({args.cli_runs} runs) | {len(reads)} processes | {o:.0f} | "
          f"{percentile(one, 95):.0f} | {o / s:.0f}× slower |")
    print(f"| redis-cli, one process, reads on stdin ({len(batch)} runs) | {len(reads)} round trips | {b:.1f} | "
          f"{percentile(batch, 95):.1f} | {b / s:.1f}× slower |")
    print()
    print(f"target: one refresh of {args.keys} keys under 50 ms -> {'met' if s < 50 else 'MISSED'} ({s:.2f} ms)")
    return 0 if s < 50 else 1


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def redis_version() -> str:
    out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    return next((w.split("=", 1)[1] for w in out.split() if w.startswith("v=")), "?")


if __name__ == "__main__":
    sys.exit(main())
