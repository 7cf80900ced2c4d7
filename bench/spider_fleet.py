"""Run a spider image as a swarm service against a Redis queue, and count what came out.

Shared by tests/integration/test_spider_no_loss.py and bench/no_loss.py: image
builds from sample_spider/, the service (host network, password as a docker
secret, per-replica id from the task name), and the Redis bookkeeping.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import docker
import redis
from docker.types import RestartPolicy, SecretReference, ServiceMode

from swarmtui.release.build import build, push
from swarmtui.cluster.client import update_config
from swarmtui.cluster.models import UpdatePolicy

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SPIDER = ROOT / "sample_spider"
LPOP_SPIDER = ROOT / "bench" / "lpop_spider.py"
LAB_BASE_IMAGE = "swarmtui/lab-base:bookworm"
NS = 1_000_000_000


def build_spider(client, registry: str, repo: str, tag: str, spider_file: Path | None = None) -> str:
    """Build sample_spider (optionally with another spider.py) as registry/repo:tag, push; returns ref@digest."""
    ref = f"{registry}/{repo}:{tag}"
    context = Path(tempfile.mkdtemp(prefix="spider-ctx-"))
    try:
        for name in ("Dockerfile", "requirements.txt", "spider.py"):
            shutil.copy(SAMPLE_SPIDER / name, context / name)
        if spider_file is not None:
            shutil.copy(spider_file, context / "spider.py")
        build(client, context, ref, {"BASE_IMAGE": LAB_BASE_IMAGE, "SPIDER_VERSION": tag}, lambda _: None)
        digest = push(client, ref, lambda _: None)
    finally:
        shutil.rmtree(context, ignore_errors=True)
    return f"{ref}@{digest}" if digest else ref


TERMINAL = ("complete", "shutdown", "failed", "rejected", "orphaned", "remove")  # a task whose container is gone


@dataclass
class Fleet:
    """One spider service + its secret + its Redis keys, all named after `name`."""

    client: docker.DockerClient
    redis_url: str  # with the password: only this process uses it
    gateway_redis: str  # host:port the containers reach, e.g. 10.89.0.1:7891
    name: str = field(default_factory=lambda: f"nl{uuid.uuid4().hex[:8]}")
    delay: float = 0.2
    grace_period: float = 6.0

    def __post_init__(self) -> None:
        self.prefix = f"{self.name}:swarm:spider"
        self.r = redis.Redis.from_url(self.redis_url, decode_responses=True)
        self.secret = None
        self.service = None

    # -- keys
    @property
    def results_key(self) -> str:
        return f"{self.prefix}:results"

    def processing_keys(self) -> list[str]:
        return list(self.r.scan_iter(match=f"{self.prefix}:processing:*", count=500))

    def counts(self) -> dict[str, int]:
        keys = self.processing_keys()
        return {
            "queue": self.r.llen(self.prefix),
            "processing": sum(self.r.llen(k) for k in keys),
            "results": self.r.llen(self.results_key),
        }

    def seed(self, count: int) -> list[str]:
        items = [f"item-{n:05d}" for n in range(1, count + 1)]
        for i in range(0, count, 1000):
            self.r.rpush(self.prefix, *items[i : i + 1000])
        return items

    def tally(self, items: list[str]) -> dict[str, int]:
        done = [json.loads(x)["item"] for x in self.r.lrange(self.results_key, 0, -1)]
        distinct = set(done)
        wanted = set(items)
        return {
            "seeded": len(items),
            "results": len(done),
            "distinct": len(distinct & wanted),
            "lost": len(wanted - distinct),
            "duplicates": len(done) - len(distinct),
            **{k: v for k, v in self.counts().items() if k != "results"},
        }

    # -- service
    def deploy(self, image: str, replicas: int, policy: UpdatePolicy) -> None:
        password = self.r.connection_pool.connection_kwargs.get("password") or ""
        self.secret = self.client.secrets.create(name=f"{self.name}-redis-password", data=password.encode())
        self.service = self.client.services.create(
            image,
            name=self.name,
            env=[
                f"REDIS_URL=redis://{self.gateway_redis}/0",
                "REDIS_PASSWORD_FILE=/run/secrets/redis_password",
                f"SPIDER_QUEUE={self.prefix}",
                "SPIDER_ID={{.Task.Name}}",
                f"SPIDER_DELAY={self.delay}",
                f"SPIDER_GRACE={max(self.grace_period - 2, 1)}",
                "SPIDER_REAP_EVERY=5",
            ],
            networks=["host"],
            secrets=[SecretReference(self.secret.id, self.secret.name, filename="redis_password")],
            mode=ServiceMode("replicated", replicas=replicas),
            stop_grace_period=int(self.grace_period * NS),
            restart_policy=RestartPolicy(condition="any", delay=NS, max_attempts=0),
            update_config=update_config(policy),
        )

    def scale(self, replicas: int) -> None:
        self.client.services.get(self.name).scale(replicas)

    def running_tasks(self) -> list[dict]:
        return [t for t in self.client.api.tasks(filters={"service": self.name, "desired-state": "running"})
                if t["Status"]["State"] == "running"]

    def wait_running(self, replicas: int, timeout: float = 60.0, down_node: str | None = None) -> float:
        """Wait for `replicas` running tasks and none still stopping (tasks on `down_node`, an ID, do not count)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            tasks = [t for t in self.client.api.tasks(filters={"service": self.name}) if t.get("NodeID") != down_node]
            running = [t for t in tasks if t["Status"]["State"] == "running" and t["DesiredState"] == "running"]
            stopping = [t for t in tasks if t["DesiredState"] != "running" and t["Status"]["State"] in ("running", "starting")]
            if len(running) == replicas and not stopping:
                return time.monotonic() - started
            time.sleep(0.5)
        raise TimeoutError(f"{self.name}: not {replicas} running tasks within {timeout:.0f}s")

    def remove(self) -> None:
        """Remove the service (once its containers have stopped), the secret and every key."""
        # Scaled to 0 first: a task reports shutdown only once its container has exited, so when
        # none is left live no replica can still write (the engine forgets a removed service's tasks
        # at once, while their containers stop for up to the grace period).
        deadline = time.monotonic() + self.grace_period + 30
        try:
            for attempt in range(3):
                try:
                    self.scale(0)
                    break
                except docker.errors.APIError as exc:  # "update out of sequence": an update landed between read and write
                    if isinstance(exc, docker.errors.NotFound) or attempt == 2:
                        raise
            while time.monotonic() < deadline and any(
                    t["Status"]["State"] not in TERMINAL for t in self.client.api.tasks(filters={"service": self.name})):
                time.sleep(0.3)
            self.client.api.remove_service(self.name)
        except docker.errors.NotFound:
            pass
        if self.secret is not None:
            for _ in range(20):
                try:
                    self.secret.remove()
                    break
                except docker.errors.NotFound:
                    break
                except docker.errors.APIError:  # still in use by a task being removed
                    time.sleep(1)
        keys = list(self.r.scan_iter(match=f"{self.prefix}*", count=1000))
        if keys:
            self.r.delete(*keys)
