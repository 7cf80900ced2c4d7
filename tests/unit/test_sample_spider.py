"""The sample spider's pure parts: config, key names, item URLs, result records."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


spider = _load("sample_spider_spider", ROOT / "sample_spider" / "spider.py")
seed = _load("sample_spider_seed", ROOT / "sample_spider" / "seed.py")


def test_keys_match_the_queue_layer_names():
    keys = spider.Keys()
    assert keys.queue == "example:swarm:spider"
    assert keys.results == "example:swarm:spider:results"
    assert keys.processing("spider.3.abc") == "example:swarm:spider:processing:spider.3.abc"
    assert keys.alive("spider.3.abc") == "example:swarm:spider:alive:spider.3.abc"
    assert keys.processing_glob == "example:swarm:spider:processing:*"


def test_keys_agree_with_the_queue_layer():
    from swarmtui.queue.models import SpiderLayout

    keys, layout = spider.Keys("p:q"), SpiderLayout("p:q")
    assert (keys.queue, keys.results, keys.processing_glob) == (layout.queue, layout.results, layout.processing_glob)
    assert (keys.processing("r.1"), keys.alive("r.1")) == (layout.processing("r.1"), layout.alive("r.1"))
    assert layout.split_processing(keys.processing("r.1")) == ("p:q", keys.replica_of(keys.processing("r.1")))


def test_keys_prefix_is_configurable_and_replica_round_trips():
    keys = spider.Keys("t1:q")
    assert keys.replica_of(keys.processing("svc.1.x")) == "svc.1.x"
    assert keys.replica_of("t1:q:results") is None
    assert keys.replica_of("other:processing:svc.1") is None
    assert keys.replica_of("t1:q:processing:") is None


def test_config_from_env_defaults_and_values():
    c = spider.Config.from_env({})
    assert c.prefix == "example:swarm:spider" and c.delay == 1.0 and not c.http and c.replica
    c = spider.Config.from_env({
        "REDIS_URL": "redis://10.0.0.1:7891/0", "REDIS_PASSWORD_FILE": "/run/secrets/p", "SPIDER_QUEUE": "x:y",
        "SPIDER_ID": "spider.2.abc", "SPIDER_DELAY": "0.05", "SPIDER_HTTP": "true", "SPIDER_GRACE": "3",
        "SPIDER_EXIT_WHEN_EMPTY": "1", "SPIDER_VERSION": "0.02",
    })
    assert (c.redis_url, c.password_file, c.prefix, c.replica) == ("redis://10.0.0.1:7891/0", "/run/secrets/p", "x:y", "spider.2.abc")
    assert (c.delay, c.http, c.grace, c.exit_when_empty, c.version) == (0.05, True, 3.0, True, "0.02")


@pytest.mark.parametrize(
    "item, url",
    [
        ("item-00001", None),
        ("http://10.0.0.1/a", "http://10.0.0.1/a"),
        ("  https://x.test/b \n", "https://x.test/b"),
        ('{"id": "i1", "url": "http://127.0.0.1:8080/p/1"}', "http://127.0.0.1:8080/p/1"),
        ('{"id": "i1", "url": "file:///etc/passwd"}', None),
        ('{"id": "i1"}', None),
        ("{not json", None),
        ('["http://a"]', None),
    ],
)
def test_item_url(item, url):
    assert spider.item_url(item) == url


def test_result_record_keeps_the_item_verbatim():
    item = '{"id":"i1","url":"http://127.0.0.1/x"}'
    record = json.loads(spider.result_record(item, "spider.1.a", "0.02", "http 200", 0.1234, 512))
    assert record["item"] == item and record["replica"] == "spider.1.a" and record["version"] == "0.02"
    assert record["status"] == "http 200" and record["ms"] == 123.4 and record["bytes"] == 512
    assert "bytes" not in json.loads(spider.result_record("i", "r", "v", "ok", 0.0))


def test_redact_hides_the_password():
    assert spider.redact("redis://:s3cret@10.0.0.1:7891/0") == "redis://***@10.0.0.1:7891/0"
    assert spider.redact("redis://10.0.0.1:7891/0") == "redis://10.0.0.1:7891/0"


def test_read_password(tmp_path):
    p = tmp_path / "pw"
    p.write_text("abc\n")
    assert spider.read_password(str(p)) == "abc"
    assert spider.read_password(None) is None


def test_seed_items():
    assert seed.make_items(3) == ["item-00001", "item-00002", "item-00003"]
    items = seed.make_items(2, url="http://127.0.0.1:9/p/{n}", start=7)
    assert [json.loads(i) for i in items] == [
        {"id": "item-00007", "url": "http://127.0.0.1:9/p/7"},
        {"id": "item-00008", "url": "http://127.0.0.1:9/p/8"},
    ]
    assert all(spider.item_url(i) for i in items)
