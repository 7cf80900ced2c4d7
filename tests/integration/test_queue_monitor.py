"""QueueMonitor against a real redis-server: rates from real traffic, errors in one line, reconnecting."""

import secrets
import pytest
import redis

from swarmtui.lab.redis_server import RedisServer
from swarmtui.lab.system import free_port
from swarmtui.queue.monitor import QueueMonitor
from tests.fixtures.parts import need_program

pytestmark = pytest.mark.redis


class Clock:
    def __init__(self):
        self.t = 1_000_000.0

    def __call__(self):
        return self.t


def test_rates_and_drain_time_from_a_real_spider_like_sequence(redis_server, redis_client, key_prefix):
    q = f"{key_prefix}:spider"
    clock = Clock()
    redis_client.rpush(q, *range(200))
    monitor = QueueMonitor(redis_server.url, [q, f"{q}:processing:*", f"{q}:results"], clock=clock)
    first = monitor.poll().get(q)
    assert (first.depth, first.rate_in, first.eta) == (200, None, None)  # one sample: still measuring
    for _second in range(5):
        redis_client.rpush(q, "a", "b")  # producers: 2 per second
        for _ in range(6):  # 2 replicas × 3 items per second, the reliable-queue way
            item = redis_client.lmove(q, f"{q}:processing:r1", "LEFT", "RIGHT")
            redis_client.lrem(f"{q}:processing:r1", 1, item)
            redis_client.rpush(f"{q}:results", item)
        clock.t += 1
        row = monitor.poll().get(q)
    assert row.depth == 200 + 5 * 2 - 5 * 6 == 180
    assert (row.rate_in, row.rate_out, row.method) == (2.0, 6.0, "counters")
    assert row.eta == pytest.approx(45.0)  # 180 / (6 - 2)
    assert row.history == (200, 196, 192, 188, 184, 180)


def test_stream_rates_use_entries_added_and_read(redis_server, redis_client, key_prefix):
    s = f"{key_prefix}:stream"
    redis_client.xadd(s, {"u": 0})
    redis_client.xgroup_create(s, "g", id="0")
    clock = Clock()
    monitor = QueueMonitor(redis_server.url, [s], clock=clock)
    monitor.poll()
    for _ in range(4):
        for i in range(5):
            redis_client.xadd(s, {"u": i})
        redis_client.xreadgroup("g", "c", {s: ">"}, count=3)
        clock.t += 2
        row = monitor.poll().get(s)
    assert (row.rate_in, row.rate_out) == (2.5, 1.5)
    assert (row.depth, row.in_flight, row.backlog) == (21, 12, 9)
    assert row.eta is None  # growing


def test_wrong_and_missing_password_are_one_line_without_the_secret(redis_server):
    wrong = redis_server.url.replace(redis_server.url.split("@")[0], "redis://:not-the-password")
    snap = QueueMonitor(wrong, ["x"]).poll()
    assert snap.error == f"Redis at 127.0.0.1:{redis_server.port} refused the password (WRONGPASS)"
    none = QueueMonitor(f"redis://127.0.0.1:{redis_server.port}/0", ["x"]).poll()
    assert none.error.startswith(f"Redis at 127.0.0.1:{redis_server.port} needs a password (NOAUTH)")
    for text in (snap.error, none.error):
        assert "not-the-password" not in text and redis_server.password not in text and "\n" not in text


def test_down_then_restarted_on_the_same_port_resumes_by_itself(tmp_path):
    need_program("redis-server", "redis-server")
    server = RedisServer("127.0.0.1", free_port(), secrets.token_urlsafe(12), tmp_path / "r").start()
    try:
        r = redis.Redis.from_url(server.url, decode_responses=True)
        r.rpush("q", *range(10))
        monitor = QueueMonitor(server.url, ["q"])
        assert monitor.poll().get("q").depth == 10
        server.stop()
        down = monitor.poll()
        # refused, or closed mid-read if the poll raced the shutdown: both say where and why in one line
        assert down.error in (
            f"Redis at 127.0.0.1:{server.port} is not reachable (connection refused: is redis-server running on that port?)",
            f"Redis at 127.0.0.1:{server.port} is not reachable (the connection was closed (restarting?))",
        )
        assert down.get("q").depth == 10  # the last good rows stay on screen
        assert down.elapsed_ms == 0.0
        server.start()  # same port, empty (no persistence)
        r.rpush("q", "after-restart")
        back = monitor.poll()
        assert back.error is None and back.get("q").depth == 1
        r.close()
    finally:
        server.stop()


def test_unreachable_port_fails_fast(redis_server):
    import time

    started = time.monotonic()
    snap = QueueMonitor(f"redis://127.0.0.1:{free_port()}/0", ["x"]).poll()
    assert "not reachable" in snap.error
    assert time.monotonic() - started < 2  # no retry loop holding the poller
