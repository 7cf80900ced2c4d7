"""Redis URLs: what is accepted, what a bad one says, and that shown commands never carry the password."""

import pytest

from swarmtui.queue.connection import parse_url
from swarmtui.queue.errors import QueueError
from swarmtui.queue.models import Sample, SpiderLayout
from swarmtui.queue.probe import fold, is_glob


def test_password_db_and_tls_urls():
    t = parse_url("rediss://:s3cret@10.88.0.1:7891/2")
    assert (t.host, t.port, t.db, t.tls, t.has_password) == ("10.88.0.1", 7891, 2, True, True)
    assert str(t) == "10.88.0.1:7891"
    cli = t.cli("DEL", "example:swarm:spider")
    assert cli == "redis-cli -h 10.88.0.1 -p 7891 -n 2 --tls --askpass DEL example:swarm:spider"
    assert "s3cret" not in cli
    assert parse_url(None).port == 6379


@pytest.mark.parametrize(
    "url, says",
    [
        ("http://localhost:6379", "not a Redis URL (scheme 'http')"),
        ("redis://:pw@host:notaport/0", "not a usable Redis URL"),
        ("redis://:pw@host:6379/zero", "database must be a number"),
        ("redis:///0", "has no host"),
    ],
)
def test_bad_urls_say_what_is_wrong_without_the_password(url, says):
    with pytest.raises(QueueError) as err:
        parse_url(url)
    assert says in str(err.value) and "pw" not in str(err.value).replace("PASSWORD", "")


def test_spider_layout_names_match_the_sample_spider():
    lay = SpiderLayout()
    assert lay.processing("abc123") == "example:swarm:spider:processing:abc123"
    assert lay.alive("abc123") == "example:swarm:spider:alive:abc123"
    assert lay.results == "example:swarm:spider:results"
    assert SpiderLayout.split_processing("example:swarm:spider:processing:abc123") == ("example:swarm:spider", "abc123")
    assert SpiderLayout.split_processing("example:swarm:spider") is None
    assert is_glob("spider:*") and not is_glob("example:swarm:spider")


def test_processing_lists_fold_into_their_queue_row():
    rows, folded = fold([
        Sample("q", "list", 40),
        Sample("q:processing:a", "list", 2),
        Sample("q:processing:b", "list", 1, orphaned=1),
        Sample("q:results", "list", 7),
        Sample("other:processing:z", "list", 5),  # its queue is not watched: stays a row
    ])
    assert folded == 2
    assert [r.key for r in rows] == ["q", "q:results", "other:processing:z"]
    q = rows[0]
    assert (q.depth, q.in_flight, q.completed, q.consumers, q.orphaned) == (40, 3, 7, 2, 1)
