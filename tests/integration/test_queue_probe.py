"""Reading every key type from a real password-protected redis-server, with globs resolved by SCAN."""

import pytest

from swarmtui.queue.monitor import QueueMonitor
from swarmtui.queue.probe import Prober, resolve

pytestmark = pytest.mark.redis


def test_every_key_type_shows_its_depth_and_stream_pending(redis_server, redis_client, key_prefix):
    redis_client.rpush(f"{key_prefix}:list", *range(7))
    redis_client.zadd(f"{key_prefix}:requests", {f"u{i}": -i for i in range(5)})  # scrapy-redis priority queue
    redis_client.sadd(f"{key_prefix}:dupefilter", *[f"fp{i}" for i in range(3)])
    for i in range(6):
        redis_client.xadd(f"{key_prefix}:stream", {"url": f"u{i}"})
    redis_client.xgroup_create(f"{key_prefix}:stream", "crawlers", id="0")
    redis_client.xreadgroup("crawlers", "c1", {f"{key_prefix}:stream": ">"}, count=4)  # 4 delivered, not acked
    redis_client.xack(f"{key_prefix}:stream", "crawlers", redis_client.xpending_range(f"{key_prefix}:stream", "crawlers", "-", "+", 1)[0]["message_id"])
    redis_client.hset(f"{key_prefix}:hash", mapping={"a": 1, "b": 2})
    snap = QueueMonitor(redis_server.url, [f"{key_prefix}:list", f"{key_prefix}:requests", f"{key_prefix}:dupefilter", f"{key_prefix}:stream",
                                           f"{key_prefix}:hash", f"{key_prefix}:missing"]).poll()
    assert snap.error is None
    got = {k.key.split(":", 1)[1]: (k.type, k.depth, k.in_flight) for k in snap.keys}
    assert got == {
        "list": ("list", 7, None),
        "requests": ("zset", 5, None),
        "dupefilter": ("set", 3, None),
        "stream": ("stream", 6, 3),  # XLEN 6, 3 pending (4 read, 1 acked)
        "hash": ("hash", 2, None),
        "missing": ("none", 0, None),
    }
    stream = snap.get(f"{key_prefix}:stream")
    assert stream.backlog == 2  # two entries not yet delivered to the group
    assert snap.get(f"{key_prefix}:missing").eta == 0.0  # an empty queue reads "empty"


def test_globs_resolve_with_scan_and_follow_new_keys(redis_server, redis_client, key_prefix):
    for i in range(3):
        redis_client.rpush(f"{key_prefix}:spider{i}:requests", "x")
    redis_client.rpush(f"{key_prefix}:other", "x")
    assert [k for k, _ in resolve(redis_client, [f"{key_prefix}:spider*:requests"])] == [f"{key_prefix}:spider{i}:requests" for i in range(3)]
    monitor = QueueMonitor(redis_server.url, [f"{key_prefix}:spider*:requests"])
    assert len(monitor.poll().keys) == 3
    redis_client.rpush(f"{key_prefix}:spider9:requests", "new")
    snap = monitor.poll()
    assert [k.key for k in snap.keys][-1] == f"{key_prefix}:spider9:requests"
    assert all(k.pattern == f"{key_prefix}:spider*:requests" for k in snap.keys)


def test_steady_state_refresh_is_one_round_trip_and_survives_a_type_change(redis_client, key_prefix):
    keys = [f"{key_prefix}:k{i}" for i in range(50)]
    for k in keys:
        redis_client.rpush(k, 1, 2)
    prober = Prober(redis_client)
    prober.read(keys)
    assert prober.round_trips == 2  # first time: TYPE, then depths
    prober.read(keys)
    assert prober.round_trips == 1
    redis_client.delete(keys[0])
    redis_client.sadd(keys[0], "a", "b", "c")  # same name, now a set
    samples = prober.read(keys)
    assert (samples[keys[0]].type, samples[keys[0]].depth) == ("set", 3)
    assert samples[keys[1]].depth == 2


def test_sample_spider_processing_lists_fold_into_in_flight_and_orphans_are_flagged(redis_server, redis_client, key_prefix):
    q = f"{key_prefix}:spider"
    redis_client.rpush(q, *range(20))
    redis_client.rpush(f"{q}:processing:alive1", "a", "b")
    redis_client.set(f"{q}:alive:alive1", 1, ex=15)
    redis_client.rpush(f"{q}:processing:gone1", "c")
    redis_client.rpush(f"{q}:results", *range(9))
    snap = QueueMonitor(redis_server.url, [q, f"{q}:processing:*", f"{q}:results"]).poll()
    assert [k.key for k in snap.keys] == [q, f"{q}:results"]
    row = snap.get(q)
    assert (row.depth, row.in_flight, row.consumers, row.orphaned, row.method) == (20, 3, 2, 1, "counters")
    assert snap.folded == 2
