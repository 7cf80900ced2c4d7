"""Push, purge and requeue against a real redis-server, with the sample spider's key layout."""

import pytest

from swarmtui.queue import actions
from swarmtui.queue.models import SpiderLayout
from swarmtui.queue.monitor import QueueMonitor

pytestmark = pytest.mark.redis


@pytest.fixture
def r(redis_client):
    return redis_client


@pytest.fixture
def p(key_prefix):
    return key_prefix


def test_push_from_a_file_appends_in_order_to_a_new_list(r, p, tmp_path):
    f = tmp_path / "urls.txt"
    f.write_text("https://a.example/\n\nhttps://b.example/\r\nhttps://c.example/\n")
    result = actions.push(r, f"{p}:q", actions.items_from_file(f))
    assert (result.type, result.pushed, result.depth) == ("list", 3, 3)
    assert r.lpop(f"{p}:q") == "https://a.example/"  # the spider takes from the left: FIFO
    assert r.lrange(f"{p}:q", 0, -1) == ["https://b.example/", "https://c.example/"]


def test_push_follows_the_existing_type(r, p):
    r.zadd(f"{p}:z", {"seed": 1})
    r.sadd(f"{p}:s", "seed")
    r.xadd(f"{p}:x", {"data": "seed"})
    r.set(f"{p}:str", "v")
    assert actions.push(r, f"{p}:z", ["a", "b"]).depth == 3
    assert actions.push(r, f"{p}:s", ["a", "seed"]).depth == 2  # a set keeps one of each
    res = actions.push(r, f"{p}:x", ["a"])
    assert (res.type, res.depth) == ("stream", 2)
    assert r.xrange(f"{p}:x")[-1][1] == {"data": "a"}
    with pytest.raises(ValueError, match="is a string"):
        actions.push(r, f"{p}:str", ["a"])


def test_push_in_chunks_keeps_every_item(r, p):
    items = [f"u{i}" for i in range(2500)]
    assert actions.push(r, f"{p}:big", items).depth == 2500
    assert r.lindex(f"{p}:big", 2499) == "u2499"


def test_purge_returns_the_count_deleted(r, p):
    r.rpush(f"{p}:q", *range(42))
    assert actions.depth(r, f"{p}:q") == 42
    assert actions.purge(r, f"{p}:q") == 42
    assert not r.exists(f"{p}:q")
    assert actions.purge(r, f"{p}:q") == 0


def test_requeue_returns_only_gone_replicas_items_to_the_head_in_order(redis_server, r, p):
    lay = SpiderLayout(f"{p}:spider")
    r.rpush(lay.queue, "next1", "next2")
    for item in ("old1", "old2", "old3"):  # what BLMOVE queue processing LEFT RIGHT leaves behind
        r.rpush(lay.processing("gone"), item)
    r.rpush(lay.processing("busy"), "working")
    r.set(lay.alive("busy"), "1", ex=15)
    assert actions.orphans(r, lay) == [(lay.processing("gone"), 3)]
    monitor = QueueMonitor(redis_server.url, [lay.queue, lay.processing_glob])
    assert monitor.poll().get(lay.queue).orphaned == 3
    result = monitor.requeue(lay.queue)
    assert (result.moved, result.lists, result.alive) == (3, (lay.processing("gone"),), 1)
    assert r.lrange(lay.queue, 0, -1) == ["old1", "old2", "old3", "next1", "next2"]
    assert r.lrange(lay.processing("busy"), 0, -1) == ["working"]
    row = monitor.poll().get(lay.queue)
    assert (row.depth, row.in_flight, row.orphaned) == (5, 1, 0)
