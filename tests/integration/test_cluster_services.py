"""Service operations on the real test lab, each checked by reading the swarm back (and the docker CLI)."""

from __future__ import annotations

import json

import pytest

from swarmtui.cluster.errors import BadReplicaCount, InvalidImage, InvalidInput, UnknownService
from swarmtui.cluster.models import UpdatePolicy
from tests.integration.cluster_helpers import SLEEPER, docker_cli, wait_for

FAST = UpdatePolicy(parallelism=2, delay_seconds=0, failure_action="pause", order="stop-first", monitor_seconds=0.5)


@pytest.fixture
def spider(swarm, lab, unique_name):
    """A running 1-replica service; removed afterwards whatever the test did."""
    swarm.create_service(unique_name, f"{lab.registry}/spider:0.01", 1, command=SLEEPER, network="host",
                         env={"QUEUE": "example:swarm:spider"}, stop_grace_seconds=2, policy=FAST)
    wait_for(lambda: swarm.service(unique_name).replicas_running == 1, what="the first replica")
    yield unique_name
    try:
        swarm.remove_service(unique_name)
    except UnknownService:
        pass


def inspect(lab, name: str) -> dict:
    return json.loads(docker_cli(lab, "service", "inspect", name))[0]


def running(swarm, name: str) -> int:
    return sum(1 for t in swarm.tasks(service=name) if t.state == "running")


def test_create_sets_everything_asked_and_prints_the_cli(swarm, lab, spider):
    spec = inspect(lab, spider)["Spec"]
    container = spec["TaskTemplate"]["ContainerSpec"]
    assert container["Image"].startswith(f"{lab.registry}/spider:0.01")
    assert container["Env"] == ["QUEUE=example:swarm:spider"]
    assert container["StopGracePeriod"] == 2_000_000_000
    assert spec["Mode"]["Replicated"]["Replicas"] == 1
    assert spec["UpdateConfig"]["Parallelism"] == 2 and spec["UpdateConfig"]["FailureAction"] == "pause"
    assert swarm.service(spider).network_mode == "host"


def test_create_result_cli_and_duplicate_name(swarm, lab, spider):
    with pytest.raises(InvalidInput, match="already exists"):
        swarm.create_service(spider, f"{lab.registry}/spider:0.01")


def test_scale_up_down_and_to_zero(swarm, lab, spider):
    result = swarm.scale(spider, 3)
    assert result.cli == f"docker service scale {spider}=3" and result.changed
    assert "1 → 3" in result.summary
    wait_for(lambda: running(swarm, spider) == 3, what="3 running replicas")
    assert docker_cli(lab, "service", "ls", "--filter", f"name={spider}", "--format", "{{.Replicas}}").strip() == "3/3"
    swarm.scale(spider, "1")
    wait_for(lambda: running(swarm, spider) == 1, what="back to 1")
    stop_all = swarm.scale(spider, 0)
    assert "every replica stops" in stop_all.summary
    wait_for(lambda: swarm.tasks(service=spider) == (), what="no replica left")
    assert swarm.service(spider).replicas_desired == 0
    again = swarm.scale(spider, 0)
    assert not again.changed and "already has 0" in again.summary


@pytest.mark.parametrize("bad", [-1, "lots", 51, "2.5"])
def test_bad_replica_counts_change_nothing(swarm, spider, bad):
    before = swarm.service(spider)
    with pytest.raises(BadReplicaCount):
        swarm.scale(spider, bad)
    after = swarm.service(spider)
    assert (after.version, after.replicas_desired) == (before.version, 1)


def test_rolling_update_sends_the_full_update_config(swarm, lab, spider):
    policy = UpdatePolicy(parallelism=1, delay_seconds=0.5, failure_action="rollback", order="start-first",
                          monitor_seconds=1, max_failure_ratio=0.25)
    result = swarm.update_image(spider, f"{lab.registry}/spider:0.02", policy)
    assert "0.01" in result.summary and "0.02" in result.summary
    assert "--update-failure-action rollback" in result.cli and "--update-order start-first" in result.cli
    spec = inspect(lab, spider)["Spec"]
    assert spec["UpdateConfig"] == {"Parallelism": 1, "Delay": 500_000_000, "FailureAction": "rollback",
                                    "Monitor": 1_000_000_000, "MaxFailureRatio": 0.25, "Order": "start-first"}
    svc = wait_for(lambda: (s := swarm.service(spider)).update_status and s.update_status.state == "completed" and s,
                   timeout=60, what="update completed")
    assert svc.tag == "0.02"
    assert {t.image for t in swarm.tasks(service=spider)} == {f"{lab.registry}/spider:0.02"}
    # the env, network and grace period the service was created with are kept
    assert inspect(lab, spider)["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"] == ["QUEUE=example:swarm:spider"]


def test_rollback_returns_to_the_previous_image(swarm, lab, spider):
    with pytest.raises(InvalidInput, match="no previous spec"):
        swarm.rollback(spider)
    swarm.update_image(spider, f"{lab.registry}/spider:0.02", FAST)
    wait_for(lambda: swarm.service(spider).tag == "0.02", what="the update")
    result = swarm.rollback(spider)
    assert result.cli == f"docker service rollback {spider}" and "0.01" in result.summary
    svc = wait_for(lambda: (s := swarm.service(spider)).update_status and s.update_status.state == "rollback_completed" and s,
                   timeout=60, what="rollback completed")
    assert svc.tag == "0.01"
    assert docker_cli(lab, "service", "inspect", spider, "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}").startswith(
        f"{lab.registry}/spider:0.01")


def test_restart_replaces_every_replica(swarm, spider):
    before = {t.id for t in swarm.tasks(service=spider)}
    result = swarm.restart(spider)
    assert result.cli == f"docker service update --force {spider}"
    wait_for(lambda: (now := swarm.tasks(service=spider)) and {t.id for t in now}.isdisjoint(before)
             and all(t.state == "running" for t in now), timeout=60, what="a new running replica")


def test_invalid_image_is_refused_before_anything_is_sent(swarm, spider):
    version = swarm.service(spider).version
    with pytest.raises(InvalidImage, match="not a valid image reference"):
        swarm.update_image(spider, "Spider:latest!")
    with pytest.raises(InvalidImage):
        swarm.create_service("never-made", "bad image")
    assert swarm.service(spider).version == version
    with pytest.raises(UnknownService):
        swarm.service("never-made")


def test_unknown_service_for_every_operation(swarm):
    for op in (lambda: swarm.scale("ghost-spider", 1), lambda: swarm.restart("ghost-spider"),
               lambda: swarm.rollback("ghost-spider"), lambda: swarm.remove_service("ghost-spider"),
               lambda: swarm.tasks(service="ghost-spider")):
        with pytest.raises(UnknownService, match="ghost-spider"):
            op()


def test_global_service_cannot_be_scaled(swarm, lab, unique_name):
    swarm.docker.services.create(f"{lab.registry}/spider:0.01", command=SLEEPER, name=unique_name, mode="global")
    try:
        with pytest.raises(InvalidInput, match="global"):
            swarm.scale(unique_name, 2)
    finally:
        swarm.remove_service(unique_name)


def test_remove_is_seen_by_the_cli(swarm, lab, spider):
    result = swarm.remove_service(spider)
    assert result.cli == f"docker service rm {spider}"
    assert spider not in docker_cli(lab, "service", "ls", "--format", "{{.Name}}").split()
    with pytest.raises(UnknownService):
        swarm.service(spider)
