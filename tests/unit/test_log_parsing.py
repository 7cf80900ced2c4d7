"""Pure parts of the log stream: frames, details prefix, since, dedupe."""

from swarmtui.cluster.logs import Deduper, iter_frames, parse_frame, since_param

PREFIX = b"com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1"


def frame(payload: bytes, stream: int = 1) -> bytes:
    return bytes([stream, 0, 0, 0]) + len(payload).to_bytes(4, "big") + payload


def test_parse_frame_splits_timestamp_details_and_text_and_replaces_bad_utf8():
    ts, details, text = parse_frame(b"2026-11-26T23:47:15.806969579Z " + PREFIX + b" got \xff \x1b[31mred\x1b[0m\n")
    assert ts == "2026-11-26T23:47:15.806969579Z"
    assert details["com.docker.swarm.task.id"] == "t1" and details["com.docker.swarm.node.id"] == "n1"
    assert text == "got \ufffd \x1b[31mred\x1b[0m"


def test_parse_frame_without_details_or_timestamp_keeps_the_text():
    assert parse_frame(b"plain line\r\n") == ("", {}, "plain line")


def test_frames_split_across_reads_are_reassembled():
    data = frame(b"one\n") + frame(b"two\n", stream=2) + frame(b"three\n")
    chunks = [data[i:i + 5] for i in range(0, len(data), 5)] + [b""]
    assert list(iter_frames(iter(chunks).__next__)) == [b"one\n", b"two\n", b"three\n"]


def test_since_param_is_seconds_dot_nanoseconds():
    assert since_param("1970-01-01T00:01:40.000000123Z") == "100.000000123"


def test_deduper_drops_replayed_lines_and_keeps_new_ones():
    d = Deduper(window=3)
    first = [("t1", f"2026-01-01T00:00:0{i}.000000000Z", f"line {i}") for i in range(6)]
    assert all(d.admit(*key) for key in first)
    # a reconnect replays from second 2 and goes on
    replay = first[2:] + [("t1", "2026-01-01T00:00:06.000000000Z", "line 6")]
    assert [d.admit(*key) for key in replay] == [False, False, False, False, True]
    # same timestamp, different text: a new line
    assert d.admit("t1", "2026-01-01T00:00:06.000000000Z", "other")
    assert d.admit("t2", "2026-01-01T00:00:00.000000000Z", "line 0")  # another task
    assert d.dropped == 4


def test_a_reader_parses_each_distinct_details_prefix_once_and_attributes_every_line(monkeypatch):
    """Counted: every line of a task carries the same details; parsing them per line was a third of
    a reader's time at full speed (docs/performance.md)."""
    from swarmtui.cluster import logs

    parsed = []
    parse = logs.parse_details
    monkeypatch.setattr(logs, "parse_details", lambda attrs: parsed.append(attrs) or parse(attrs))
    other = PREFIX.replace(b"t1", b"t2").replace(b"n1", b"n2")
    payloads = [b"2026-11-26T23:47:%02d.000000001Z %s line %d\n" % (i, PREFIX if i % 2 else other, i) for i in range(40)]
    stream = logs.LogStream(None, "s1", lambda batch: None)
    stream._attribute = lambda task, service, node: (f"name-of-{service}", 1, f"host-of-{node}")
    reader = logs._Reader("s1")
    out: list = []
    stream._hand_over = lambda lines: out.extend(lines)
    stream._consume(reader, iter(payloads), [])
    assert sorted(parsed) == sorted({PREFIX, other})
    assert [(line.task_id, line.node, line.text) for line in out] == [
        ("t1" if i % 2 else "t2", "host-of-n1" if i % 2 else "host-of-n2", f"line {i}") for i in range(40)]
    assert all(line.service == "name-of-s1" for line in out)
