"""swarmtui release against the lab: 0.02 rolls out; a broken 0.03 rolls back to 0.02 by itself and says why."""

from __future__ import annotations

import time

import pytest

from bench.spider_fleet import LAB_BASE_IMAGE, SAMPLE_SPIDER, build_spider
from swarmtui import cli
from swarmtui.cluster.client import SwarmClient
from swarmtui.release import release

from tests.fixtures.fleet import RELEASE_POLICY, running_images

POLICY = RELEASE_POLICY




def test_release_completes_then_a_broken_release_rolls_back(lab, fleet, tmp_path, capsys):
    repo = f"release-{fleet.name}"
    first = build_spider(fleet.client, lab.registry, repo, "0.01")
    fleet.deploy(first, 2, POLICY)
    fleet.wait_running(2)

    events = []
    t = time.monotonic()
    with SwarmClient(lab.docker_host, timeout=120) as swarm:
        good = release(swarm, fleet.name, SAMPLE_SPIDER, "0.02", build_args={"BASE_IMAGE": LAB_BASE_IMAGE, "SPIDER_VERSION": "0.02"},
                       policy=POLICY, on_event=events.append, timeout=180)
    print(f"\nrelease 0.02: {good.outcome} in {time.monotonic() - t:.1f}s (build {good.build_seconds:.1f}s, "
          f"push {good.push_seconds:.1f}s, rollout {good.rollout_seconds:.1f}s)")
    assert good.outcome == "completed", good.message
    assert good.running_image == f"{lab.registry}/{repo}:0.02"
    assert [e.stage for e in events][0] == "build" and events[-1].stage == "done"
    assert {"build", "push", "update", "done"} <= {e.stage for e in events}
    assert any(e.cli and e.cli.startswith("docker service update --image") for e in events)
    fleet.wait_running(2)
    assert running_images(fleet) == {f"{lab.registry}/{repo}:0.02"}
    spec = fleet.client.api.inspect_service(fleet.name)["Spec"]
    assert spec["UpdateConfig"]["FailureAction"] == "rollback"
    container = spec["TaskTemplate"]["ContainerSpec"]
    assert container["Secrets"] and any(e.startswith("SPIDER_QUEUE=") for e in container["Env"])  # the update kept the rest of the spec
    assert not any("PASSWORD=" in e for e in container["Env"])

    # 0.03 exits 1 at start: a tiny Dockerfile variant on top of 0.02.
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "Dockerfile").write_text(
        f"FROM {lab.registry}/{repo}:0.02\n"
        'CMD ["python3", "-c", "import sys; print(\'config error: SPIDER_START_URLS is required\'); sys.exit(1)"]\n'
    )
    t = time.monotonic()
    code = cli.main(["--host", lab.docker_host, "release", fleet.name, "--context", str(broken), "--tag", "0.03",
                     "--delay", "1", "--monitor", "3", "--timeout", "180"])
    took = time.monotonic() - t
    out = capsys.readouterr().out
    print(f"release 0.03 (broken): exit {code} after {took:.1f}s\n{out}")  # shown if an assertion fails
    assert code == 1
    last = out.strip().splitlines()[-1]
    assert last.startswith("rolled_back: update to") and f"rolled back to {lab.registry}/{repo}:0.02" in last
    assert "non-zero exit (1)" in last  # the task error says why
    assert "rollback" in out and "$ docker build" in out and "$ docker service update --image" in out
    assert lab.redis.password not in out
    fleet.wait_running(2, timeout=90)
    assert running_images(fleet) == {f"{lab.registry}/{repo}:0.02"}
    assert fleet.client.api.inspect_service(fleet.name)["UpdateStatus"]["State"] == "rollback_completed"


def test_release_of_a_missing_context_fails_before_touching_the_service(lab, fleet, tmp_path):
    from swarmtui.release.build import ReleaseError

    fleet.deploy(build_spider(fleet.client, lab.registry, "sample-spider", "0.01"), 1, POLICY)
    spec = fleet.client.api.inspect_service(fleet.name)["Spec"]  # (its Version moves as the swarm settles it)
    with SwarmClient(lab.docker_host) as swarm, pytest.raises(ReleaseError, match="no Dockerfile"):
        release(swarm, fleet.name, tmp_path, "0.09")
    assert fleet.client.api.inspect_service(fleet.name)["Spec"] == spec
