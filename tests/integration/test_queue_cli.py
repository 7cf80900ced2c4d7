"""`swarmtui queue ...` run as a user would: subprocesses against a real redis-server."""

import os
import subprocess
import sys
import pytest

pytestmark = pytest.mark.redis


@pytest.fixture
def queue_key(key_prefix):
    return f"{key_prefix}:spider"


def run(url, *args, stdin=None):
    env = {**os.environ, "REDIS_URL": url, "XDG_CONFIG_HOME": "/nonexistent"}
    return subprocess.run([sys.executable, "-m", "swarmtui", "queue", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=60)


def test_push_typed_items_and_from_stdin(redis_server, redis_client, queue_key):
    out = run(redis_server.url, "push", queue_key, "https://a/", "https://b/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"pushed 2 item(s) to {queue_key} (list, depth now 2)"
    out = run(redis_server.url, "push", queue_key, "--file", "-", stdin="https://c/\n\nhttps://d/\n")
    assert out.stdout.strip() == f"pushed 2 item(s) to {queue_key} (list, depth now 4)"
    assert redis_client.lrange(queue_key, 0, -1) == ["https://a/", "https://b/", "https://c/", "https://d/"]


def test_stats_prints_a_row_per_key_with_in_flight(redis_server, redis_client, queue_key):
    redis_client.rpush(queue_key, *range(12))
    redis_client.rpush(f"{queue_key}:processing:gone", "x")
    redis_client.rpush(f"{queue_key}:results", "done")
    out = run(redis_server.url, "stats", "--interval", "0.2", queue_key, f"{queue_key}:processing:*", f"{queue_key}:results")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["KEY", "TYPE", "DEPTH", "IN"]
    assert lines[1].split()[:4] == [queue_key, "list", "12", "1"]
    assert lines[2].split()[:3] == [f"{queue_key}:results", "list", "1"]
    assert f"{queue_key}: 1 in-flight item(s) belong to replicas that are gone" in out.stdout
    assert redis_server.password not in out.stdout + out.stderr


def test_purge_refuses_without_a_terminal_then_deletes_with_yes(redis_server, redis_client, queue_key):
    redis_client.rpush(queue_key, *range(30))
    out = run(redis_server.url, "purge", queue_key)
    assert out.returncode == 1
    assert f"{queue_key} is a list with 30 item(s)." in out.stdout
    assert f"redis-cli equivalent: redis-cli -h 127.0.0.1 -p {redis_server.port} --askpass DEL {queue_key}" in out.stdout
    assert "without confirmation" in out.stderr
    assert redis_client.llen(queue_key) == 30
    out = run(redis_server.url, "purge", queue_key, "--yes")
    assert out.returncode == 0 and f"purged {queue_key}: 30 item(s) deleted" in out.stdout
    assert not redis_client.exists(queue_key)
    assert redis_server.password not in out.stdout


def test_requeue_dry_run_then_real(redis_server, redis_client, queue_key):
    redis_client.rpush(f"{queue_key}:processing:gone", "a", "b")
    redis_client.rpush(f"{queue_key}:processing:alive", "c")
    redis_client.set(f"{queue_key}:alive:alive", 1, ex=15)
    out = run(redis_server.url, "requeue", "--queue", queue_key, "--dry-run")
    assert f"{queue_key}:processing:gone: 2 item(s), replica gone" in out.stdout and "2 item(s) would be requeued" in out.stdout
    assert redis_client.llen(queue_key) == 0
    out = run(redis_server.url, "requeue", "--queue", queue_key)
    assert out.returncode == 0
    assert out.stdout.strip() == f"{queue_key}: requeued 2 item(s) from 1 processing list(s); 1 list(s) of live replicas left alone"
    assert redis_client.lrange(queue_key, 0, -1) == ["a", "b"]


def test_wrong_password_is_one_line_and_exit_1(redis_server, queue_key):
    bad = f"redis://:wrong-secret@127.0.0.1:{redis_server.port}/0"
    for args in (("stats", "--interval", "0", queue_key), ("push", queue_key, "x"), ("purge", queue_key, "--yes"), ("requeue", "--queue", queue_key)):
        out = run(bad, *args)
        assert out.returncode == 1
        assert out.stderr.strip() == f"swarmtui queue: Redis at 127.0.0.1:{redis_server.port} refused the password (WRONGPASS)"
        assert "wrong-secret" not in out.stderr + out.stdout


def test_stats_watch_keeps_printing_and_rates_fill_in(redis_server, redis_client, queue_key):
    redis_client.rpush(queue_key, *range(100))
    env = {**os.environ, "REDIS_URL": redis_server.url, "XDG_CONFIG_HOME": "/nonexistent"}
    proc = subprocess.Popen([sys.executable, "-m", "swarmtui", "queue", "stats", "--watch", "--interval", "0.3", queue_key],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        rows = []
        while len(rows) < 4:
            line = proc.stdout.readline()
            assert line, "stats --watch stopped printing"
            if line.startswith(queue_key):
                rows.append(line.split())
                redis_client.lpop(queue_key, 3)  # someone takes 3 items between refreshes
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert rows[0][:3] == [queue_key, "list", "100"] and rows[0][4] == "…"  # first table: no rate yet
    assert rows[-1][2] == "91"
    assert rows[-1][5].endswith("/s") and rows[-1][5].startswith("~")  # net out-rate, measured
