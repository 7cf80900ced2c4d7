"""The feed at fleet scale, on the real lab: a big watched service is not listed every second.

Counted in API calls, not timed: while nothing changes, the tasks of a service above the feed's
`large_listing` are listed only every `full_listing_seconds`; in between only its replica counts
are read, and a change of those (a scale) lists the tasks at once and signals it.
"""

from __future__ import annotations

import docker

from swarmtui.cluster.feed import Feed
from tests.integration.cluster_helpers import SLEEPER, wait_for
from tests.integration.test_cluster_feed import Recorder


class CountingFeed(Feed):
    def __init__(self, *a, **k) -> None:
        super().__init__(*a, **k)
        self.calls: list[str] = []

    def _client(self) -> docker.APIClient:
        client = super()._client()
        tasks, services = client.tasks, client.services

        def counted_tasks(*a, **k):
            self.calls.append("tasks")
            return tasks(*a, **k)

        def counted_services(*a, **k):
            self.calls.append("services")
            return services(*a, **k)

        client.tasks, client.services = counted_tasks, counted_services
        return client

    def _on_event(self, event) -> None:
        self.calls.append("event")  # an event pokes a full listing, by design
        super()._on_event(event)


def test_a_big_watched_service_is_probed_by_its_counts_and_listed_when_they_move(swarm, lab, unique_name):
    rec = Recorder()
    # "big" here is more than 2 tasks, so a 3-replica service stands in for 500
    feed = CountingFeed(lab.docker_host, rec, interval=0.1, poll_seconds=0.2, large_listing=2, full_listing_seconds=60).start()
    try:
        created = swarm.create_service(unique_name, f"{lab.registry}/spider:0.01", 3, command=SLEEPER)
        wait_for(lambda: sum(t.state == "running" for t in swarm.tasks(service=unique_name)) == 3, timeout=60, what="3 replicas")
        feed.watch(services={created.target_id})
        wait_for(lambda: feed.calls.count("tasks") >= 1, what="the first listing")
        first = feed.calls.index("tasks")
        wait_for(lambda: "services" in feed.calls[first:], what="the first probe after it")
        before = len(feed.calls)
        wait_for(lambda: feed.calls[before:].count("services") >= 8, what="8 probes")
        quiet = feed.calls[before:]
        # Only an event (another node or service changing: the lab keeps settling under load) may
        # bring a listing in between; the probes alone never do.
        assert quiet.count("tasks") <= feed.calls[first:].count("event"), f"nothing changed, yet the tasks were listed: {quiet}"
        start = len(rec.signals)
        swarm.scale(unique_name, 4)
        wait_for(lambda: any(created.target_id in sig.tasks for _, sig in rec.signals[start:]), what="the new task signalled")
        assert "tasks" in feed.calls[before:], "the counts moved: the tasks were listed"
    finally:
        feed.stop()
        swarm.remove_service(unique_name)
