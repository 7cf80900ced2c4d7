"""Rates in/out and time to drain from known sample sequences (what the pane's In/Out/Drains-in columns show)."""

import pytest

from swarmtui.queue.models import Sample
from swarmtui.queue.rates import Point, RateWindow, rates, time_to_drain
from swarmtui.queue.spark import fmt_duration, fmt_rate, sparkline


def test_plain_list_drained_at_5_per_second_reports_net_out_rate_and_eta():
    pts = [Point(t, 100 - 5 * t) for t in range(5)]  # 100, 95, ... 80
    rin, rout = rates(pts)
    assert (rin, rout) == (0.0, 5.0)
    assert time_to_drain(80, rin, rout) == pytest.approx(16.0)
    assert fmt_duration(16.0) == "16s"


def test_spider_counters_separate_pushes_from_pops_that_net_depth_cannot():
    # Each second: 10 pushed, 10 taken into processing, 10 finished (LREM + results append).
    # Depth stays flat, so a net rate would say 0 in / 0 out; the counters see 10 / 10.
    pts = [Point(t, depth=50, in_flight=3, completed=10 * t) for t in range(6)]
    assert rates(pts) == (10.0, 10.0)
    assert time_to_drain(50, 10.0, 10.0) is None  # not shrinking: "never"
    assert rates([Point(t, 50) for t in range(6)]) == (0.0, 0.0)


def test_spider_counters_in_and_out_differ():
    # 4 pushed/s, 6 taken/s: depth falls 2/s, in-flight grows 1/s, completed grows 5/s.
    pts = [Point(t, depth=100 - 2 * t, in_flight=2 + t, completed=5 * t) for t in range(11)]
    rin, rout = rates(pts)
    assert rin == pytest.approx(4.0) and rout == pytest.approx(6.0)
    assert time_to_drain(80, rin, rout) == pytest.approx(40.0)


def test_stream_uses_entries_added_and_entries_read():
    pts = [Point(t, depth=1000 + 3 * t, in_flight=5, added=1000 + 3 * t, consumed=200 + 7 * t, backlog=800 - 4 * t)
           for t in range(4)]
    rin, rout = rates(pts)
    assert (rin, rout) == (3.0, 7.0)
    assert time_to_drain(788, rin, rout) == pytest.approx(197.0)


def test_purge_and_requeue_do_not_count_as_negative_traffic():
    # t=1 purge of 500 items; t=2 requeue of 3 in-flight items back onto the queue.
    pts = [Point(0, 500, 3, 0), Point(1, 0, 3, 0), Point(2, 3, 0, 0)]
    rin, rout = rates(pts)
    assert rin == 0.0 and rout == 0.0


def test_needs_two_samples_and_empty_queue_is_drained():
    assert rates([Point(0, 10)]) == (None, None)
    assert time_to_drain(0, None, None) == 0.0
    assert fmt_duration(0.0) == "empty" and fmt_duration(None) == "never"


def test_window_keeps_recent_rates_and_longer_history():
    win = RateWindow(window=10, history=60)
    for t in range(0, 100):
        # fast drain early (10/s), then 1/s for the last 50 s
        win.add(Point(t, 1000 - (10 * t if t < 50 else 500 + (t - 50))))
    rin, rout = win.rates()
    assert rout == pytest.approx(1.0)  # only the last 10 s count
    assert len(win.depths()) == 61  # the sparkline keeps a minute
    assert win.depths()[-1] == 451


def test_window_restarts_when_a_key_gains_counters():
    win = RateWindow()
    win.add(Point.of(0, Sample("q", "list", 10)))
    win.add(Point.of(1, Sample("q", "list", 12, in_flight=0, completed=0)))
    assert win.rates() == (None, None)  # mixing methods would invent traffic


def test_sparkline_falls_as_the_queue_drains_and_fits_its_width():
    line = sparkline(list(range(100, -1, -1)), width=10)
    assert len(line) == 10 and line[0] == "█" and line[-1] in "▁▂"
    assert sparkline([0, 0, 0]) == "▁▁▁" and sparkline([7, 7]) == "▄▄"
    assert sparkline([5000, 4990, 4980]) == "█▅▁"  # a slow drain of a deep queue still shows
    assert sparkline([]) == ""


def test_rate_text_is_readable_for_slow_and_fast_queues():
    assert fmt_rate(0.05) == "3.0/min"
    assert fmt_rate(2.345) == "2.3/s"
    assert fmt_rate(12345.6) == "12,346/s"
    assert fmt_rate(None) == "…"
    assert fmt_duration(750) == "12m 30s" and fmt_duration(3 * 3600 + 300) == "3h 05m"
