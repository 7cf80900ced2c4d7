"""The seed article's spider, kept as the baseline for bench/no_loss.py.

It LPOPs an item and then works on it: whatever it holds when swarm stops it
(scale-down, rolling update, node failure) is gone.  As PID 1 without a SIGTERM
handler it ignores SIGTERM and is SIGKILLed after the grace period, mid-item.
Same environment as sample_spider/spider.py (REDIS_URL, REDIS_PASSWORD_FILE,
SPIDER_QUEUE, SPIDER_ID, SPIDER_DELAY) so both run in the same scenario; it
appends the same kind of result record so losses can be counted.
"""

import json
import os
import socket
import time

import redis

url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
password_file = os.environ.get("REDIS_PASSWORD_FILE")
password = open(password_file).read().strip() if password_file else None
client = redis.Redis.from_url(url, password=password)
queue = os.environ.get("SPIDER_QUEUE", "example:swarm:spider")
me = os.environ.get("SPIDER_ID") or socket.gethostname()
version = os.environ.get("SPIDER_VERSION", "dev")
delay = float(os.environ.get("SPIDER_DELAY", "1"))
print(f"lpop spider {version} {me} waiting for work on {queue}", flush=True)
while True:
    data = client.lpop(queue)
    if not data:
        time.sleep(1)
        continue
    item = data.decode(errors="replace")
    print(f"{me} got: {item}", flush=True)
    time.sleep(delay)
    client.rpush(f"{queue}:results", json.dumps({"item": item, "replica": me, "version": version}))
