"""Push N work items onto the spider's queue (the seed article's test workload).

    python3 seed.py 2000                          # items "item-00001" ... (delay-only fetch)
    python3 seed.py 50 --url http://10.0.0.1:8080/page/{n}   # items carrying a URL (SPIDER_HTTP=1)

Redis comes from REDIS_URL (the password may be in it, or in REDIS_PASSWORD_FILE);
the key prefix from SPIDER_QUEUE (default example:swarm:spider).  Items are
appended on the right; replicas take from the left, so the queue is FIFO.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def make_items(count: int, url: str | None = None, start: int = 1, width: int = 5) -> list[str]:
    """Item strings; with `url` each item is JSON {"id", "url"} ({n} in the URL is the item number)."""
    items = []
    for n in range(start, start + count):
        ident = f"item-{n:0{width}d}"
        items.append(json.dumps({"id": ident, "url": url.format(n=n)}, separators=(",", ":")) if url else ident)
    return items


def push(client, queue: str, items: list[str], batch: int = 1000) -> int:
    for i in range(0, len(items), batch):
        client.rpush(queue, *items[i : i + batch])
    return len(items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--url", help="URL template for each item, {n} = item number")
    parser.add_argument("--start", type=int, default=1)
    parser.add_argument("--queue", default=os.environ.get("SPIDER_QUEUE", "example:swarm:spider"))
    args = parser.parse_args(argv)

    import redis

    password = None
    if os.environ.get("REDIS_PASSWORD_FILE"):
        with open(os.environ["REDIS_PASSWORD_FILE"]) as f:
            password = f.read().strip()
    client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"), password=password)
    n = push(client, args.queue, make_items(args.count, args.url, args.start))
    print(f"pushed {n} item(s) to {args.queue}; queue length now {client.llen(args.queue)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
