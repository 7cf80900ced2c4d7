"""Push, purge and requeue against a real redis-server, with the sample spider's key layout."""

import pytest

from swarmtui.queue import actions
from swarmtui.queue.models import SpiderLayout
from swarmtui.queue.monitor import QueueMonitor

pytestmark = pytest.mark.redis


def test_push_from_a_file_appends_in_order_to_a_new_list(redis_client, key_prefix, tmp_path):
    f = tmp_path / "urls.txt"
    f.write_text("https://a.example/\n\nhttps://b.example/\r\nhttps://c.example/\n")
    result = actions.push(redis_client, f"{key_prefix}:q", actions.items_from_file(f))
    assert (result.type, result.pushed, result.depth) == ("list", 3, 3)
    assert redis_client.lpop(f"{key_prefix}:q") == "https://a.example/"  # the spider takes from the left: FIFO
    assert redis_client.lrange(f"{key_prefix}:q", 0, -1) == ["https://b.example/", "https://c.example/"]


def test_push_follows_the_existing_type(redis_client, key_prefix):
    redis_client.zadd(f"{key_prefix}:z", {"seed": 1})
    redis_client.sadd(f"{key_prefix}:s", "seed")
    redis_client.xadd(f"{key_prefix}:x", {"data": "seed"})
    redis_client.set(f"{key_prefix}:str", "v")
    assert actions.push(redis_client, f"{key_prefix}:z", ["a", "b"]).depth == 3
    assert actions.push(redis_client, f"{key_prefix}:s", ["a", "seed"]).depth == 2  # a set keeps one of each
    res = actions.push(redis_client, f"{key_prefix}:x", ["a"])
    assert (res.type, res.depth) == ("stream", 2)
    assert redis_client.xrange(f"{key_prefix}:x")[-1][1] == {"data": "a"}
    with pytest.raises(ValueError, match="is a string"):
        actions.push(redis_client, f"{key_prefix}:str", ["a"])


def test_push_in_chunks_keeps_every_item(redis_client, key_prefix):
    items = [f"u{i}" for i in range(2500)]
    assert actions.push(redis_client, f"{key_prefix}:big", items).depth == 2500
    assert redis_client.lindex(f"{key_prefix}:big", 2499) == "u2499"


def test_purge_returns_the_count_deleted(redis_client, key_prefix):
    redis_client.rpush(f"{key_prefix}:q", *range(42))
    assert actions.depth(redis_client, f"{key_prefix}:q") == 42
    assert actions.purge(redis_client, f"{key_prefix}:q") == 42
    assert not redis_client.exists(f"{key_prefix}:q")
    assert actions.purge(redis_client, f"{key_prefix}:q") == 0


def test_requeue_returns_only_gone_replicas_items_to_the_head_in_order(redis_server, redis_client, key_prefix):
    lay = SpiderLayout(f"{key_prefix}:spider")
    redis_client.rpush(lay.queue, "next1", "next2")
    for item in ("old1", "old2", "old3"):  # what BLMOVE queue processing LEFT RIGHT leaves behind
        redis_client.rpush(lay.processing("gone"), item)
    redis_client.rpush(lay.processing("busy"), "working")
    redis_client.set(lay.alive("busy"), "1", ex=15)
    assert actions.orphans(redis_client, lay) == [(lay.processing("gone"), 3)]
    monitor = QueueMonitor(redis_server.url, [lay.queue, lay.processing_glob])
    assert monitor.poll().get(lay.queue).orphaned == 3
    result = monitor.requeue(lay.queue)
    assert (result.moved, result.lists, result.alive) == (3, (lay.processing("gone"),), 1)
    assert redis_client.lrange(lay.queue, 0, -1) == ["old1", "old2", "old3", "next1", "next2"]
    assert redis_client.lrange(lay.processing("busy"), 0, -1) == ["working"]
    row = monitor.poll().get(lay.queue)
    assert (row.depth, row.in_flight, row.orphaned) == (5, 1, 0)
