"""Reading every key type from a real password-protected redis-server, with globs resolved by SCAN."""

import pytest

from swarmtui.queue.monitor import QueueMonitor
from swarmtui.queue.probe import Prober, resolve

pytestmark = pytest.mark.redis


@pytest.fixture
def r(redis_client):
    return redis_client


@pytest.fixture
def p(key_prefix):
    return key_prefix


def test_every_key_type_shows_its_depth_and_stream_pending(redis_server, r, p):
    r.rpush(f"{p}:list", *range(7))
    r.zadd(f"{p}:requests", {f"u{i}": -i for i in range(5)})  # scrapy-redis priority queue
    r.sadd(f"{p}:dupefilter", *[f"fp{i}" for i in range(3)])
    for i in range(6):
        r.xadd(f"{p}:stream", {"url": f"u{i}"})
    r.xgroup_create(f"{p}:stream", "crawlers", id="0")
    r.xreadgroup("crawlers", "c1", {f"{p}:stream": ">"}, count=4)  # 4 delivered, not acked
    r.xack(f"{p}:stream", "crawlers", r.xpending_range(f"{p}:stream", "crawlers", "-", "+", 1)[0]["message_id"])
    r.hset(f"{p}:hash", mapping={"a": 1, "b": 2})
    snap = QueueMonitor(redis_server.url, [f"{p}:list", f"{p}:requests", f"{p}:dupefilter", f"{p}:stream",
                                           f"{p}:hash", f"{p}:missing"]).poll()
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
    stream = snap.get(f"{p}:stream")
    assert stream.backlog == 2  # two entries not yet delivered to the group
    assert snap.get(f"{p}:missing").eta == 0.0  # an empty queue reads "empty"


def test_globs_resolve_with_scan_and_follow_new_keys(redis_server, r, p):
    for i in range(3):
        r.rpush(f"{p}:spider{i}:requests", "x")
    r.rpush(f"{p}:other", "x")
    assert [k for k, _ in resolve(r, [f"{p}:spider*:requests"])] == [f"{p}:spider{i}:requests" for i in range(3)]
    monitor = QueueMonitor(redis_server.url, [f"{p}:spider*:requests"])
    assert len(monitor.poll().keys) == 3
    r.rpush(f"{p}:spider9:requests", "new")
    snap = monitor.poll()
    assert [k.key for k in snap.keys][-1] == f"{p}:spider9:requests"
    assert all(k.pattern == f"{p}:spider*:requests" for k in snap.keys)


def test_steady_state_refresh_is_one_round_trip_and_survives_a_type_change(r, p):
    keys = [f"{p}:k{i}" for i in range(50)]
    for k in keys:
        r.rpush(k, 1, 2)
    prober = Prober(r)
    prober.read(keys)
    assert prober.round_trips == 2  # first time: TYPE, then depths
    prober.read(keys)
    assert prober.round_trips == 1
    r.delete(keys[0])
    r.sadd(keys[0], "a", "b", "c")  # same name, now a set
    samples = prober.read(keys)
    assert (samples[keys[0]].type, samples[keys[0]].depth) == ("set", 3)
    assert samples[keys[1]].depth == 2


def test_sample_spider_processing_lists_fold_into_in_flight_and_orphans_are_flagged(redis_server, r, p):
    q = f"{p}:spider"
    r.rpush(q, *range(20))
    r.rpush(f"{q}:processing:alive1", "a", "b")
    r.set(f"{q}:alive:alive1", 1, ex=15)
    r.rpush(f"{q}:processing:gone1", "c")
    r.rpush(f"{q}:results", *range(9))
    snap = QueueMonitor(redis_server.url, [q, f"{q}:processing:*", f"{q}:results"]).poll()
    assert [k.key for k in snap.keys] == [q, f"{q}:results"]
    row = snap.get(q)
    assert (row.depth, row.in_flight, row.consumers, row.orphaned, row.method) == (20, 3, 2, 1, "counters")
    assert snap.folded == 2
