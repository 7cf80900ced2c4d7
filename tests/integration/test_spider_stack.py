"""sample_spider/stack.yml deploys with the real docker CLI (`docker stack deploy`) and its replicas do the work."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import redis

from bench.spider_fleet import build_spider
from tests.fixtures.parts import missing

STACK = Path(__file__).resolve().parents[2] / "sample_spider" / "stack.yml"


def test_stack_deploy_runs_the_spider_with_its_update_config(lab, unique_name):
    docker_cli = shutil.which("docker") or missing("the docker CLI", "install the Debian package docker.io")
    prefix = f"{unique_name}:swarm:spider"
    secret = f"{unique_name}-redis-password"
    r = redis.Redis.from_url(lab.redis_url, decode_responses=True)
    env = {**os.environ, "DOCKER_HOST": lab.docker_host}
    with lab.client(timeout=120) as client:
        image = build_spider(client, lab.registry, "sample-spider", "0.01").split("@")[0]
        client.secrets.create(name=secret, data=lab.redis_password_file.read_text().strip().encode())
        try:
            r.rpush(prefix, *[f"s{n}" for n in range(20)])
            stack_env = {**env, "REGISTRY": lab.registry, "REPO": "sample-spider", "TAG": "0.01", "REDIS_HOST": lab.redis.host,
                         "SPIDER_QUEUE": prefix, "REDIS_SECRET": secret}
            subprocess.run([docker_cli, "stack", "deploy", "-c", str(STACK), unique_name], env=stack_env, check=True,
                           capture_output=True, text=True, timeout=60)
            name = f"{unique_name}_spider"
            spec = client.api.inspect_service(name)["Spec"]
            assert spec["TaskTemplate"]["ContainerSpec"]["Image"].startswith(image)
            assert spec["UpdateConfig"]["FailureAction"] == "rollback" and spec["UpdateConfig"]["Order"] == "start-first"
            assert spec["RollbackConfig"]["FailureAction"] == "pause"
            assert spec["Mode"]["Replicated"]["Replicas"] == 3
            assert spec["TaskTemplate"]["ContainerSpec"]["StopGracePeriod"] == 10 * 10**9
            assert [client.api.inspect_network(n["Target"])["Name"] for n in spec["TaskTemplate"]["Networks"]] == ["host"]
            assert not any("PASSWORD=" in e for e in spec["TaskTemplate"]["ContainerSpec"]["Env"])
            deadline = time.monotonic() + 90
            while r.llen(f"{prefix}:results") < 20 and time.monotonic() < deadline:
                time.sleep(0.5)
            replicas = {json.loads(x)["replica"] for x in r.lrange(f"{prefix}:results", 0, -1)}
            assert r.llen(f"{prefix}:results") == 20
            assert all(x.startswith(f"{name}.") for x in replicas), replicas  # SPIDER_ID={{.Task.Name}}
        finally:
            subprocess.run([docker_cli, "stack", "rm", unique_name], env=env, capture_output=True, timeout=60)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    client.secrets.get(secret).remove()
                    break
                except Exception:  # noqa: BLE001 - in use until the tasks are gone
                    time.sleep(1)
            keys = list(r.scan_iter(match=f"{prefix}*"))
            if keys:
                r.delete(*keys)
