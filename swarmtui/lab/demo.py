"""`swarmtui lab demo`: the seed's first steps done for you on the lab.

Creates the `spider` service (3 replicas, host network, like the seed) from the
lab registry, hands it the Redis password as a swarm secret (never a plain env
var in the service spec), and seeds the work queue.
"""

from __future__ import annotations

from swarmtui.lab.lab import Lab

SECRET_NAME = "redis_password"
QUEUE_KEY = "example:swarm:spider"


def deploy_spider(lab: Lab, replicas: int = 3, items: int = 500, tag: str = "0.01", say=print) -> None:
    import docker
    import redis

    with lab.client() as client:
        try:
            secret = client.secrets.get(SECRET_NAME)
        except docker.errors.NotFound:
            secret = client.secrets.create(name=SECRET_NAME, data=lab.redis_password_file.read_bytes().strip())
        if client.services.list(filters={"name": "spider"}):
            say("the spider service already runs")
        else:
            say(f"creating service spider ({replicas} replicas of {lab.registry}/spider:{tag}, host network) ...")
            client.services.create(
                f"{lab.registry}/spider:{tag}",
                name="spider",
                mode=docker.types.ServiceMode("replicated", replicas=replicas),
                networks=["host"],
                env=[
                    f"REDIS_URL=redis://{lab.gateway}:{lab.redis.port}/0",
                    f"REDIS_PASSWORD_FILE=/run/secrets/{SECRET_NAME}",
                    "SPIDER_ID={{.Task.Name}}",
                ],
                secrets=[docker.types.SecretReference(secret.id, SECRET_NAME)],
                stop_grace_period=10_000_000_000,
                labels={"swarmtui.queue": QUEUE_KEY},
            )
    r = redis.Redis.from_url(lab.redis_url)
    try:
        if items:
            r.rpush(QUEUE_KEY, *[f"https://example.com/page/{i}" for i in range(items)])
            say(f"pushed {items} items onto {QUEUE_KEY}")
    finally:
        r.close()
