"""sample_spider/spider.py as a real process against a real (loopback) redis-server."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

SPIDER = Path(__file__).resolve().parents[2] / "sample_spider" / "spider.py"


@pytest.fixture
def prefix(key_prefix):
    return f"{key_prefix}:spider"  # key_prefix's keys are deleted after the test


def start_spider(redis_server, tmp_path, prefix, replica="r1", **env) -> subprocess.Popen:
    pw = tmp_path / "redis_password"
    pw.write_text(redis_server.password + "\n")
    full_env = {
        **os.environ,
        "REDIS_URL": f"redis://{redis_server.host}:{redis_server.port}/0",  # no password in the env
        "REDIS_PASSWORD_FILE": str(pw),
        "SPIDER_QUEUE": prefix,
        "SPIDER_ID": replica,
        "SPIDER_DELAY": "0.01",
        **{k: str(v) for k, v in env.items()},
    }
    return subprocess.Popen([sys.executable, str(SPIDER)], env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_processes_every_item_then_cleans_up(redis_server, redis_client, prefix, tmp_path):
    items = [f"i{n}" for n in range(50)]
    redis_client.rpush(prefix, *items)
    proc = start_spider(redis_server, tmp_path, prefix, SPIDER_EXIT_WHEN_EMPTY=1)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    done = [json.loads(x) for x in redis_client.lrange(f"{prefix}:results", 0, -1)]
    assert sorted(d["item"] for d in done) == sorted(items)
    assert {d["replica"] for d in done} == {"r1"}
    assert redis_client.llen(prefix) == 0 and not redis_client.exists(f"{prefix}:processing:r1") and not redis_client.exists(f"{prefix}:alive:r1")
    assert sum(1 for line in out.splitlines() if line.startswith("dev done ")) == 50  # one line per item (the swarm prefixes the replica)
    assert redis_server.password not in out


def test_sigterm_returns_a_long_item_to_the_head_of_the_queue(redis_server, redis_client, prefix, tmp_path):
    redis_client.rpush(prefix, "slow", "next")
    proc = start_spider(redis_server, tmp_path, prefix, SPIDER_DELAY=60, SPIDER_GRACE=1)
    try:
        assert wait_for(lambda: redis_client.lrange(f"{prefix}:processing:r1", 0, -1) == ["slow"])
        assert redis_client.ttl(f"{prefix}:alive:r1") > 0
        t = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
        took = time.monotonic() - t
    finally:
        proc.kill()
    assert proc.returncode == 0, out
    assert took < 4, f"stopped after {took:.1f}s, grace was 1s"
    assert redis_client.lrange(prefix, 0, -1) == ["slow", "next"]
    assert redis_client.llen(f"{prefix}:results") == 0 and not redis_client.exists(f"{prefix}:processing:r1")
    assert not redis_client.exists(f"{prefix}:alive:r1")
    assert "returned slow to the queue" in out


def test_sigterm_finishes_an_item_that_fits_in_the_grace_period(redis_server, redis_client, prefix, tmp_path):
    redis_client.rpush(prefix, "a", "b", "c")
    proc = start_spider(redis_server, tmp_path, prefix, SPIDER_DELAY=1.5, SPIDER_GRACE=5)
    try:
        assert wait_for(lambda: redis_client.lrange(f"{prefix}:processing:r1", 0, -1) == ["a"])
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0, out
    assert [json.loads(x)["item"] for x in redis_client.lrange(f"{prefix}:results", 0, -1)] == ["a"]
    assert redis_client.lrange(prefix, 0, -1) == ["b", "c"]  # no new item taken after SIGTERM


def test_on_start_requeues_items_of_gone_replicas_only(redis_server, redis_client, prefix, tmp_path):
    redis_client.rpush(f"{prefix}:processing:ghost", "g1", "g2")  # its replica died: no alive key
    redis_client.rpush(f"{prefix}:processing:busy", "b1")  # alive elsewhere: must not be touched
    redis_client.set(f"{prefix}:alive:busy", "0.01", ex=60)
    proc = start_spider(redis_server, tmp_path, prefix, SPIDER_EXIT_WHEN_EMPTY=1)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert sorted(json.loads(x)["item"] for x in redis_client.lrange(f"{prefix}:results", 0, -1)) == ["g1", "g2"]
    assert redis_client.lrange(f"{prefix}:processing:busy", 0, -1) == ["b1"]
    assert not redis_client.exists(f"{prefix}:processing:ghost")
    assert "requeued 2 item(s) of gone replica ghost" in out


def test_http_fetch_of_a_loopback_server(redis_server, redis_client, prefix, tmp_path):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"x" * 100 if self.path != "/missing" else b""
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        redis_client.rpush(prefix, json.dumps({"id": "p1", "url": f"{base}/p/1"}), f"{base}/missing", "plain")
        proc = start_spider(redis_server, tmp_path, prefix, SPIDER_HTTP=1, SPIDER_EXIT_WHEN_EMPTY=1)
        out, _ = proc.communicate(timeout=30)
    finally:
        server.shutdown()
    assert proc.returncode == 0, out
    by_status = {json.loads(x)["status"]: json.loads(x) for x in redis_client.lrange(f"{prefix}:results", 0, -1)}
    assert set(by_status) == {"http 200", "http 404", "ok"}
    assert by_status["http 200"]["bytes"] == 100
