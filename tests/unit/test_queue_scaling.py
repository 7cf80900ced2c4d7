"""The "should I scale?" line: drain times at ±k replicas from the current per-replica rate."""

import pytest

from swarmtui.queue.scaling import advice_line, advise, replicas_needed


def test_three_replicas_each_doing_half_an_item_per_second():
    a = advise("spider", backlog=900, rate_in=0.0, rate_out=1.5, replicas=3, deltas=(-1, 1, 3))
    assert a.per_replica == pytest.approx(0.5)
    assert a.eta == pytest.approx(600)
    etas = {o.delta: o.eta for o in a.options}
    assert etas[-1] == pytest.approx(900)  # 2 replicas: 1.0/s
    assert etas[1] == pytest.approx(450)
    assert etas[3] == pytest.approx(300)
    assert advice_line(a) == "spider: 3 replicas × 0.5/s each · drains in 10m 00s · -1 → 15m 00s · +1 → 7m 30s · +3 → 5m 00s"


def test_producers_faster_than_fewer_replicas_means_never():
    a = advise("spider", backlog=100, rate_in=1.0, rate_out=1.5, replicas=3, deltas=(-1, -2))
    assert [o.eta for o in a.options] == [None, None]  # 2 replicas eat 1.0/s = the push rate
    assert "-1 → never" in advice_line(a)


def test_replicas_needed_to_drain_within_ten_minutes():
    # 6000 backlog in 600 s = 10/s on top of 2/s pushed, at 0.5/s per replica -> 24
    assert replicas_needed(6000, 2.0, 0.5, 600) == 24
    assert replicas_needed(0, 0.0, 0.5, 600) == 1
    assert replicas_needed(10, 0.0, 0.0, 600) is None


def test_no_replicas_and_no_measurement_yet_say_so():
    assert advice_line(advise("spider", 10, 0.0, 0.0, 0)) == "spider: no replicas running — nothing is taking work"
    assert advice_line(advise("spider", 10, None, None, 4)) == "spider: 4 replicas · measuring…"


def test_an_empty_queue_says_so_once_and_one_replica_is_singular():
    line = advice_line(advise("spider", backlog=0, rate_in=0.0, rate_out=0.9, replicas=1))
    assert line == "spider: 1 replica · the queue is empty", line
    assert "empty ·" not in line and "→" not in line
