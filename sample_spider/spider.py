"""The seed's spider (placeholder until the sample-spider issue lands): pop work from a Redis list."""

import os
import socket
import time

import redis

url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
password_file = os.environ.get("REDIS_PASSWORD_FILE")
password = open(password_file).read().strip() if password_file else None
client = redis.Redis.from_url(url, password=password) if password else redis.Redis.from_url(url)
queue = os.environ.get("SPIDER_QUEUE", "example:swarm:spider")
me = socket.gethostname()
print(f"spider {os.environ.get('SPIDER_VERSION', 'dev')} on {me} waiting for work on {queue}", flush=True)
while True:
    data = client.lpop(queue)
    if not data:
        time.sleep(1)
        continue
    print(f"{me} got: {data.decode(errors='replace')}", flush=True)
    time.sleep(float(os.environ.get("SPIDER_DELAY", "1")))
