"""What a user reads when the Docker host is mistyped, refuses, hangs or is not there (loopback only)."""

from __future__ import annotations

import socket
import threading

import pytest

from swarmtui.cli import main
from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.errors import DaemonUnreachable, InvalidInput


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("url", ["bogus://x", "tcp://", "docker://10.0.0.1:2375"])
def test_a_mistyped_host_is_named_as_such_with_the_accepted_schemes(capsys, url):
    code = main(["--host", url, "node", "ls"])
    err = capsys.readouterr().err
    assert code == 1 and f"{url!r} is not a Docker host URL" in err
    assert "unix://" in err and "tcp://" in err and "ssh://" in err
    assert "no Docker daemon answers" not in err


def test_a_refused_connection_says_so_in_whole_words(capsys):
    port = closed_port()
    code = main(["--host", f"tcp://127.0.0.1:{port}", "node", "ls"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"no Docker daemon answers at tcp://127.0.0.1:{port}" in err and ": Connection refused. Check" in err
    assert "HTTPConnectionPool" not in err and "object at 0x" not in err


def test_a_missing_socket_says_no_such_file(tmp_path):
    with pytest.raises(DaemonUnreachable, match=r"none.sock \(--host\): No such file or directory\. "):
        SwarmClient(f"unix://{tmp_path}/none.sock").nodes()


def test_a_daemon_that_never_answers_times_out_in_words():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    try:
        with pytest.raises(DaemonUnreachable, match=r": timed out\. "):
            SwarmClient(f"tcp://127.0.0.1:{listener.getsockname()[1]}", timeout=0.5).nodes()
    finally:
        for s in (*accepted, listener):
            s.close()


def test_a_good_url_passes_the_check():
    from swarmtui.cluster.guards import check_docker_host

    for url in (None, "unix:///var/run/docker.sock", "unix://", "tcp://10.0.0.1:2376", "ssh://me@host", "10.0.0.1:2375"):
        assert check_docker_host(url) == url
    with pytest.raises(InvalidInput):
        check_docker_host("htp://10.0.0.1")


def test_the_tui_does_not_open_on_a_mistyped_host(capsys):
    assert main(["--host", "bogus://x"]) == 2  # `swarmtui` alone opens the TUI
    assert "'bogus://x' is not a Docker host URL" in capsys.readouterr().err


def test_an_error_without_words_is_named_by_its_type():
    # paramiko raises a bare EOFError when a manager dies mid-handshake: the feed's poller once
    # died on it (IndexError in its own error handler) and stopped listing tasks for good.
    from swarmtui.cluster.errors import ClusterError, first_line, reason

    assert first_line(EOFError()) == "EOFError" and reason(EOFError()) == "EOFError"
    assert first_line(ClusterError("no leader", "wait")) == "no leader"
    assert first_line(RuntimeError("line one\nline two"), limit=4) == "line"
