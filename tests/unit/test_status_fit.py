"""The status line keeps what matters when the terminal is narrow: the connection, alerts and an error
are cut short at the edge, never left out; the swarm id and capacity go first."""

from swarmtui.ui.widgets.status import Middle, fit


def groups(detail: str = ""):
    return [(9, [("swarmtui ", ""), ("● reconnecting", "")]), (7, [(" " + detail, "")]) if detail else (7, []),
            (8, [("  ⚠ 1 alert (:alerts)", "")]), (6, [("  │ unix:///tmp/no.sock", "")]),
            (1, [("  │ swarm abcdefabcdef", "")]), (5, [("  │ nodes 3", "")]), (2, [("  │ reserved 0/6 cpu", "")])]


def test_the_least_important_go_first():
    text = fit(groups(), 80).plain
    assert text.startswith("swarmtui ● reconnecting") and "1 alert" in text and "no.sock" in text and "nodes 3" in text
    assert "swarm abcdef" not in text and "reserved" not in text and len(text) <= 80


def test_a_long_error_is_cut_short_not_dropped_with_the_alert_and_the_manager():
    text = fit(groups("Cannot connect to the Docker daemon at unix:///tmp/no.sock: connection refused " * 2), 120).plain
    assert len(text) == 120 and text.endswith("…") and "Cannot connect" in text
    wide = fit(groups("refused"), 200).plain
    assert "refused" in wide and "1 alert" in wide and "no.sock" in wide and "reserved 0/6 cpu" in wide


def test_a_long_manager_path_loses_its_middle_not_its_socket_name():
    # a socket deep in a directory beside an alert: the start (scheme) and the file name stay
    path = "unix:///tmp/pytest-of-root/pytest-558/popen-gw0/test_unreachable_manager_is_sa0/no.sock"
    line = [(9, [("swarmtui ", ""), ("● reconnecting", "")]), (8, [("  ⚠ 1 alert (:alerts)", "")]),
            (7, [("  │ ", ""), (Middle(path), "")])]
    text = fit(line, 80).plain
    assert len(text) == 80 and text.startswith("swarmtui ● reconnecting  ⚠ 1 alert")
    assert "│ unix:///tmp/" in text and text.endswith("/no.sock") and "…" in text
    assert fit(line, 200).plain.endswith(path), "nothing is cut when it fits"
