"""A refresh of a big swarm reads the whole running-task list only when it can have changed, on the real lab.

Counted in API calls, not timed (10,000 tasks are 13 MB of JSON per listing, docs/performance.md
"500 nodes / 10,000 tasks"): `relist_above=0` makes the lab's few tasks count as a big list.  While
no service's counts or version and no node's state move, a snapshot lists only the shown service's
tasks; a scale lists everything again, and the tasks shown are the engine's, not a stale copy.
"""

from __future__ import annotations

from swarmtui.cluster.client import SwarmClient
from tests.integration.cluster_helpers import SLEEPER, wait_for


class CountingClient(SwarmClient):
    def __init__(self, *a, **k) -> None:
        super().__init__(*a, **k)
        self.listings: list[dict] = []

    def _list_tasks(self, filters, counted=False):
        self.listings.append(dict(filters))
        return super()._list_tasks(filters, counted)


def whole_lists(client: CountingClient, start: int = 0) -> int:
    return sum(1 for f in client.listings[start:] if set(f) == {"desired-state"})


def test_an_unchanged_big_swarm_is_not_listed_again_and_a_scale_is(swarm, lab, unique_name):
    swarm.create_service(unique_name, f"{lab.registry}/spider:0.01", 2, command=SLEEPER)
    try:
        _check(swarm, lab, unique_name)
    finally:
        swarm.remove_service(unique_name)


def _check(swarm, lab, unique_name) -> None:
    wait_for(lambda: sum(t.state == "running" for t in swarm.tasks(service=unique_name)) == 2, timeout=60, what="2 replicas")
    with CountingClient(lab.docker_host, relist_above=0) as client:
        first = client.snapshot(tasks_for=unique_name)
        assert whole_lists(client) == 1
        settled = len(client.listings)
        # the lab may still be settling (other tests' services): wait for two snapshots alike
        wait_for(lambda: (client.snapshot(tasks_for=unique_name), len(client.listings))[1] - settled >= 2
                 and whole_lists(client, len(client.listings) - 1) == 0, timeout=60, what="a snapshot without a whole listing")
        again = client.snapshot(tasks_for=unique_name)
        last = client.listings[-1]
        assert set(last) == {"service", "desired-state"}, f"an unchanged swarm was listed whole: {client.listings[-3:]}"
        assert {t.id for t in again.tasks} == {t.id for t in first.tasks} and len(again.tasks) == 2
        assert sum(n.running_tasks for n in again.nodes) == sum(n.running_tasks for n in first.nodes)

        swarm.scale(unique_name, 3)
        mark = len(client.listings)
        wait_for(lambda: sum(t.state == "running" for t in client.snapshot(tasks_for=unique_name).tasks) == 3,
                 timeout=60, what="the third replica in the snapshot")
        assert whole_lists(client, mark) >= 1, "a scale did not make the snapshot list every running task again"
        snap = client.snapshot(tasks_for=unique_name)
        assert sum(n.running_tasks for n in snap.nodes) == sum(n.running_tasks for n in first.nodes) + 1


def test_a_refresh_converts_each_service_once(swarm, lab, unique_name, monkeypatch):
    """Counted: a refresh needs the services as models twice (which look crash-looping, then the
    snapshot); they were converted twice (200 services: ~25 ms of each refresh at 500 nodes)."""
    from swarmtui.cluster import convert

    made = []
    service = convert.service
    monkeypatch.setattr(convert, "service", lambda *a, **k: made.append(1) or service(*a, **k))
    swarm.create_service(unique_name, f"{lab.registry}/spider:0.01", 1, command=SLEEPER)
    try:
        with SwarmClient(lab.docker_host) as client:
            snap = client.snapshot()
    finally:
        swarm.remove_service(unique_name)
    assert unique_name in {s.name for s in snap.services}
    assert len(made) == len(snap.services), f"{len(made)} conversions for {len(snap.services)} services"
