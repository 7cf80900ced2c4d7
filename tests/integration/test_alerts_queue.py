"""Queue alerts on a real Redis with a real lab service: stalled while its replica runs, drained, Redis down and back."""

from __future__ import annotations

import secrets
import time

import docker
import pytest
import redis

from swarmtui.alerts.models import Alert
from swarmtui.alerts.settings import AlertSettings
from swarmtui.alerts.watch import Watcher
from swarmtui.config import Settings
from swarmtui.lab.redis_server import RedisServer
from swarmtui.lab.system import free_port
from swarmtui.queue.models import QUEUE_LABEL
from tests.fixtures.parts import need_program


def wait_for(alerts: list[Alert], predicate, timeout: float, what: str) -> Alert:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [a for a in alerts if predicate(a)]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {timeout:.0f}s; got {[a.line() for a in alerts]}")


@pytest.fixture
def own_redis(tmp_path):
    need_program("redis-server", "redis-server")
    server = RedisServer("127.0.0.1", free_port(), secrets.token_urlsafe(12), tmp_path / "redis").start()
    yield server
    server.stop()


def test_stalled_then_drained_then_redis_down_and_back(lab, docker_client, unique_name, own_redis):
    key = f"{unique_name}:queue"
    service = docker_client.services.create(  # a replica that takes nothing from its queue
        f"{lab.registry}/spider:0.01", name=unique_name, networks=["host"], labels={QUEUE_LABEL: key},
        command=["python3", "-c", "import time; time.sleep(10**6)"], mode=docker.types.ServiceMode("replicated", replicas=1),
        stop_grace_period=1_000_000_000)
    r = redis.Redis.from_url(own_redis.url)
    r.rpush(key, *[f"item-{n}" for n in range(50)])
    alerts: list[Alert] = []
    settings = Settings(docker_host=lab.docker_host, redis_url=own_redis.url, queue_keys=(key,),
                        alerts=AlertSettings(queue_stalled_minutes=0.1))
    watcher = Watcher(settings, on_alert=alerts.append, queue_window=3.0).start()
    try:
        stalled = wait_for(alerts, lambda a: a.rule == "queue_stalled", 90, "stall alert")
        assert stalled.object == key
        assert stalled.sentence.startswith(f"{key} stalled: 50 items waiting, none taken for")
        assert stalled.sentence.endswith(f"while 1 replica of {unique_name} runs")
        r.delete(key)  # the work is gone (as if taken): drained, the stall is over
        wait_for(alerts, lambda a: a.rule == "queue_stalled" and a.resolved, 30, "stall resolved")
        wait_for(alerts, lambda a: a.rule == "queue_drained", 30, "drained")
        own_redis.stop()
        down = wait_for(alerts, lambda a: a.rule == "redis_unreachable", 30, "Redis unreachable")
        assert down.severity == "critical" and own_redis.password not in down.sentence
        own_redis.start()
        wait_for(alerts, lambda a: a.rule == "redis_unreachable" and a.resolved, 60, "Redis back")
        assert [a.rule for a in alerts if not a.resolved].count("redis_unreachable") == 1  # not once per failed poll
        assert [a.rule for a in alerts if not a.resolved].count("queue_stalled") == 1
    finally:
        watcher.stop()
        service.remove()
        r.close()
