"""`swarmtui lab demo`: the seed's first steps done for you on the lab, through the stack code.

Creates the `redis_password` secret from the lab's Redis password (a swarm secret, never a
plain env var in the service spec), deploys `sample_spider/stack.yml` as the stack `crawl`
with the real `docker stack deploy` (service `crawl_spider`, 3 replicas, host network, from
the lab registry) exactly as a user would with `swarmtui stack deploy`, and seeds the queue.
"""

from __future__ import annotations

from pathlib import Path

from swarmtui.lab.lab import Lab
from swarmtui.lab.system import LabError

SECRET_NAME = "redis_password"
QUEUE_KEY = "example:swarm:spider"
STACK = "crawl"
SERVICE = f"{STACK}_spider"  # what `docker stack deploy` names the file's `spider` service
STACK_FILE = Path(__file__).resolve().parents[2] / "sample_spider" / "stack.yml"


def stack_variables(lab: Lab, replicas: int = 3, tag: str = "0.01") -> dict[str, str]:
    """The ${VARIABLES} of sample_spider/stack.yml for this lab."""
    return {"REGISTRY": lab.registry, "REPO": "spider", "TAG": tag, "REDIS_HOST": lab.gateway,
            "REPLICAS": str(replicas), "SPIDER_QUEUE": QUEUE_KEY, "REDIS_SECRET": SECRET_NAME}


def deploy_spider(lab: Lab, replicas: int = 3, items: int = 500, tag: str = "0.01", say=print) -> None:
    import redis

    from swarmtui.cluster import objects, stacks
    from swarmtui.cluster.client import SwarmClient
    from swarmtui.cluster.errors import ClusterError

    if not STACK_FILE.is_file():
        raise LabError(f"{STACK_FILE} is missing: the demo deploys the repository's sample_spider/stack.yml")
    try:
        with SwarmClient(lab.docker_host, timeout=60) as client:
            if not any(o.name == SECRET_NAME for o in objects.list_objects(client, "secret")):
                result = objects.create_object(client, "secret", SECRET_NAME, lab.redis_password_file.read_bytes().strip())
                say(f"{result.summary}: {result.cli}")
            if any(s.name == STACK for s in stacks.stacks(client)):
                say(f"the stack {STACK} already runs ({SERVICE})")
            else:
                plan = stacks.plan_deploy(client, str(STACK_FILE), STACK, variables=stack_variables(lab, replicas, tag))
                say(f"deploying stack {STACK} from {STACK_FILE.name} ({replicas} replicas of {lab.registry}/spider:{tag}) ...")
                stacks.deploy(plan, say=lambda line: say(f"  docker: {line}"))
                for outcome in stacks.wait_rollout(client, STACK, plan.creates + plan.updates, timeout=120):
                    say(outcome.how)
    except ClusterError as exc:
        raise LabError(f"the demo stack could not be deployed: {exc}") from exc
    r = redis.Redis.from_url(lab.redis_url)
    try:
        if items:
            r.rpush(QUEUE_KEY, *[f"https://example.com/page/{i}" for i in range(items)])
            say(f"pushed {items} items onto {QUEUE_KEY}")
    finally:
        r.close()
