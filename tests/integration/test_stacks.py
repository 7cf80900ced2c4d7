"""Stacks, secrets and configs on the real lab with the real docker CLI (`docker stack deploy`)."""

from __future__ import annotations

import json
import os
import secrets as token
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis

from swarmtui.cluster import objects, stacks
from swarmtui.cluster.errors import InvalidInput, EngineRefused, UnknownObject
from swarmtui.cluster.logs import LogStream
from swarmtui.cluster.models import STACK_LABEL
from tests.fixtures.parts import need_program
from tests.integration.cluster_helpers import wait_for

STACK_FILE = Path(__file__).resolve().parents[2] / "sample_spider" / "stack.yml"


def swarmtui(lab, *args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """The headless CLI as a user runs it, against the lab's manager."""
    return subprocess.run([sys.executable, "-m", "swarmtui", "--host", lab.docker_host, *args], input=stdin,
                          capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})


def labelled(client, name: str) -> dict[str, list[str]]:
    """Everything in the swarm carrying stack `name`'s label."""
    flt = {"label": f"{STACK_LABEL}={name}"}
    api = client.api
    return {"services": [s["Spec"]["Name"] for s in api.services(filters=flt)],
            "networks": [n["Name"] for n in api.networks(filters=flt)]}


def remove_stack_if_there(swarm, name: str) -> None:
    if not stacks.contents(swarm, name).empty:
        stacks.remove_stack(swarm, name)


@pytest.fixture
def docker_on_path():
    need_program("docker", "docker.io")


def test_crawl_stack_deploys_runs_consumes_logs_and_goes(lab, swarm, unique_name, tmp_path, docker_on_path):
    stack, service = "crawl", "crawl_spider"
    remove_stack_if_there(swarm, stack)
    queue = f"{unique_name}:swarm:spider"
    secret = f"{unique_name}-redis-password"
    r = redis.Redis.from_url(lab.redis_url, decode_responses=True)
    env_file = tmp_path / "crawl.env"
    env_file.write_text(f"# the lab's variables\nREGISTRY={lab.registry}\nREPO=spider\nTAG=0.01\nREDIS_HOST={lab.redis.host}\n"
                        f"SPIDER_QUEUE={queue}\nREDIS_SECRET={secret}\n")
    password = lab.redis_password_file.read_text().strip()
    try:
        created = swarmtui(lab, "secret", "create", secret, "-", stdin=password)
        assert created.returncode == 0, created.stderr
        assert f"docker secret create {secret} -" in created.stdout
        assert password not in created.stdout + created.stderr

        deployed = swarmtui(lab, "stack", "deploy", "-c", str(STACK_FILE), "--env-file", str(env_file), stack, "--yes")
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        assert "creates: crawl_spider" in deployed.stdout and "Creating service crawl_spider" in deployed.stdout
        assert "crawl_spider: 3/3 running" in deployed.stdout
        assert password not in deployed.stdout + deployed.stderr

        shown = wait_for(lambda: next((s for s in stacks.stacks(swarm) if s.name == stack and s.replicas_running == 3), None),
                         timeout=60, what="the stack at 3/3")
        assert [s.name for s in shown.services] == [service] and shown.state == "running"
        assert shown.services[0].labels.get("swarmtui.queue") == queue  # the queue pane's link
        listed = swarmtui(lab, "stack", "ls")
        assert any(line.split()[:3] == [stack, "1", "3/3"] for line in listed.stdout.splitlines()), listed.stdout

        lines = []
        with LogStream(lab.docker_host, None, lambda batch: lines.extend(batch) or True, tail=0,
                       service_filters=stacks.stack_filter(stack)):
            r.rpush(queue, *[f"item-{n}" for n in range(30)])
            wait_for(lambda: r.llen(f"{queue}:results") >= 30, timeout=120, what="30 items done")
            wait_for(lambda: len({(ln.service, ln.slot) for ln in lines if "done" in ln.text}) == 3, timeout=60,
                     what="log lines of all 3 replicas")
        assert {ln.service for ln in lines} == {service}
        assert {json.loads(x)["replica"].split(".")[0] for x in r.lrange(f"{queue}:results", 0, -1)} == {service}

        refused = swarmtui(lab, "secret", "rm", secret, "--yes")
        assert refused.returncode == 1 and "in use by crawl_spider" in refused.stderr, refused.stderr
        assert secret in [o.name for o in objects.list_objects(swarm, "secret")]

        removed = swarmtui(lab, "stack", "rm", stack, "--yes")
        assert removed.returncode == 0, removed.stderr
        assert "services: crawl_spider" in removed.stdout and "docker stack rm crawl" in removed.stdout
        with lab.client() as client:
            wait_for(lambda: labelled(client, stack) == {"services": [], "networks": []}, timeout=30, what="the stack gone")
        assert stack not in [s.name for s in stacks.stacks(swarm)]
        gone = swarmtui(lab, "secret", "rm", secret, "--yes")
        assert gone.returncode == 0, gone.stderr
    finally:
        remove_stack_if_there(swarm, stack)
        wait_for(lambda: not swarm.api.tasks(filters={"label": f"{STACK_LABEL}={stack}", "desired-state": "running"}),
                 timeout=60, what="the stack's tasks to stop")
        for o in objects.list_objects(swarm, "secret"):
            if o.name == secret and not o.used_by:
                objects.remove_object(swarm, "secret", secret)
        keys = list(r.scan_iter(match=f"{queue}*"))
        if keys:
            r.delete(*keys)


BROKEN = {
    "yaml": "version: '3.8'\nservices:\n  web: [\n",
    "schema": "version: '3.8'\nservices:\n  web:\n    imagee: x\n",
    "required": "version: '3.8'\nservices:\n  web:\n    image: ${IMAGE:?set IMAGE to the spider image}\n",
    "unset": "version: '3.8'\nservices:\n  web:\n    image: ${REGISTRY}/spider:0.01\n    environment:\n      Q: $QUEUE_NAME\n",
    "external": "version: '3.8'\nservices:\n  web:\n    image: x\n    secrets: [pw]\nsecrets:\n  pw:\n    external: true\n    name: no-such-secret-here\n",
}
SAYS = {
    "yaml": "not a valid stack file: yaml: line 3",
    "schema": "Additional property imagee is not allowed",
    "required": "required variable IMAGE is missing a value: set IMAGE to the spider image",
    "unset": "uses $QUEUE_NAME, $REGISTRY with no default, and they are not set",
    "external": "needs the external secret(s) no-such-secret-here",
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_or_unset_variable_deploys_nothing(lab, swarm, unique_name, tmp_path, case, docker_on_path):
    path = tmp_path / "stack.yml"
    path.write_text(BROKEN[case])
    for var in ("REGISTRY", "QUEUE_NAME", "IMAGE"):
        assert var not in os.environ
    with pytest.raises(InvalidInput) as caught:
        stacks.plan_deploy(swarm, str(path), unique_name)
    assert SAYS[case] in str(caught.value) and "nothing was deployed" in str(caught.value).lower()
    out = swarmtui(lab, "stack", "deploy", "-c", str(path), unique_name, "--yes")
    assert out.returncode == 1 and SAYS[case] in out.stderr, out.stderr
    with lab.client() as client:
        assert labelled(client, unique_name) == {"services": [], "networks": []}


def test_missing_docker_cli_deploys_nothing(lab, unique_name):
    out = swarmtui(lab, "stack", "deploy", "-c", str(STACK_FILE), unique_name, "--yes",
                   env={"SWARMTUI_DOCKER_CLI": "/nonexistent/docker"})
    assert out.returncode == 1 and "the docker CLI (/nonexistent/docker) is not installed" in out.stderr
    with lab.client() as client:
        assert labelled(client, unique_name) == {"services": [], "networks": []}


CONFIG_STACK = """version: "3.8"
services:
  app:
    image: ${IMAGE}
    command: ["python3", "-c", "import sys, time; sys.exit(3) if open('/etc/app/settings.conf').read() == 'bad' else time.sleep(1e9)"]
    configs:
      - source: settings
        target: /etc/app/settings.conf
    stop_grace_period: 1s  # a python PID 1 ignores SIGTERM: each stop would wait 10 s
    deploy:
      replicas: 3
      update_config: {parallelism: 1, order: stop-first, delay: 0s, monitor: 2s, failure_action: rollback}
      rollback_config: {parallelism: 0, order: stop-first, monitor: 1s}
configs:
  settings:
    external: true
    name: ${CONFIG}
"""


def test_rotate_a_config_in_use_rolls_each_service_and_removes_the_old(lab, swarm, unique_name, tmp_path, docker_on_path):
    stack, config = unique_name, f"{unique_name}-settings"
    path = tmp_path / "stack.yml"
    path.write_text(CONFIG_STACK)
    (tmp_path / "env").write_text(f"IMAGE={lab.registry}/spider:0.01\nCONFIG={config}\n")
    try:
        objects.create_object(swarm, "config", config, b"v1")
        plan = stacks.plan_deploy(swarm, str(path), stack, env_file=str(tmp_path / "env"))
        stacks.deploy(plan)
        service = f"{stack}_app"
        assert all(o.ok for o in stacks.wait_rollout(swarm, stack, [service], timeout=120))
        old = objects.get_object(swarm, "config", config)
        assert [(u.service_name, u.target) for u in old.used_by] == [(service, "/etc/app/settings.conf")]

        running: list[int] = []
        stop = threading.Event()

        def sample() -> None:
            with lab.client() as client:
                while not stop.is_set():
                    tasks = client.api.tasks(filters={"service": service})
                    running.append(sum(1 for t in tasks if t["Status"]["State"] == "running"))
                    time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        progress: list[str] = []
        try:
            result = objects.rotate_object(swarm, "config", config, b"v2", say=progress.append, timeout_per_service=180)
        finally:
            stop.set()
            sampler.join(10)
        new_name = f"{config}.v2"
        assert result.summary.startswith(f"config {config} rotated to {new_name}")
        assert f"--config-add source={new_name},target=/etc/app/settings.conf {service}" in result.cli
        assert f"{service}: update completed" in progress
        assert len(running) > 10 and min(running) >= 3 - 1, running  # parallelism 1: never more than one down
        new = objects.get_object(swarm, "config", new_name)
        with pytest.raises(UnknownObject):
            objects.get_object(swarm, "config", config)
        tasks = swarm.api.tasks(filters={"service": service, "desired-state": "running"})
        assert len(tasks) == 3
        for t in tasks:  # what each task mounts, read back from its spec
            assert [(c["ConfigID"], c["ConfigName"], c["File"]["Name"]) for c in t["Spec"]["ContainerSpec"]["Configs"]] == [
                (new.id, new_name, "/etc/app/settings.conf")]

        # a value its tasks cannot live with: the update rolls back; both are kept and the message says who uses which
        with pytest.raises(EngineRefused) as failed:
            objects.rotate_object(swarm, "config", new_name, b"bad", timeout_per_service=180)
        message = str(failed.value)
        assert "stopped" in message and f"{new_name} is used by {service} (at /etc/app/settings.conf)" in message
        assert f"{config}.v3 by no service" in message
        assert {o.name for o in objects.list_objects(swarm, "config")} >= {new_name, f"{config}.v3"}

        removed = stacks.remove_stack(swarm, stack)
        assert "networks: " + f"{stack}_default" in removed.summary
        with lab.client() as client:  # the manager's own copy of an overlay network lingers a moment
            wait_for(lambda: labelled(client, stack) == {"services": [], "networks": []}, timeout=30, what="the stack gone")
    finally:
        remove_stack_if_there(swarm, stack)
        for o in objects.list_objects(swarm, "config"):
            if o.name.startswith(config):
                wait_for(lambda: not objects.get_object(swarm, "config", o.name).used_by, timeout=60, what="config unused")
                objects.remove_object(swarm, "config", o.name)


def test_secret_from_a_typed_value_is_never_shown(lab, swarm, unique_name, tmp_path):
    value = f"typed-{token.token_hex(12)}"
    name = f"{unique_name}-typed"
    try:
        created = swarmtui(lab, "secret", "create", name, "-", stdin=value)
        listed = swarmtui(lab, "secret", "ls")
        assert created.returncode == 0 and listed.returncode == 0
        assert name in listed.stdout
        result = objects.get_object(swarm, "secret", name)
        everything = created.stdout + created.stderr + listed.stdout + listed.stderr + repr(result)
        assert value not in everything
        assert "Data" not in swarm.api.inspect_secret(result.id)["Spec"]  # the Engine never returns it
        rotated = swarmtui(lab, "secret", "rotate", name, "-", "--yes", stdin=value + "-2")
        assert rotated.returncode == 0, rotated.stderr
        assert value not in rotated.stdout + rotated.stderr
    finally:
        for o in objects.list_objects(swarm, "secret"):
            if o.name.startswith(name):
                objects.remove_object(swarm, "secret", o.name)
