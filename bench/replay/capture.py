"""Record the Engine API payloads the replay engine scales, from a real lab.

    .venv/bin/python -m bench.replay.capture [--lab scale]

Creates two small services on the lab (a replicated spider writing log lines, a global sleeper),
waits until their tasks run, scales one and flips a node's availability (for real service and node
events), then writes bench/replay/capture/*.json: _ping headers, version, info, swarm, nodes,
services?status=true, tasks (all), networks, the events seen, and raw log frames (details +
timestamps) of the spider.  Removes its services and puts the node back.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from docker.types import ServiceMode

from swarmtui.cluster._dockerpy_private import get_service_logs
from swarmtui.lab.lab import Lab

OUT = Path(__file__).resolve().parent / "capture"
WRITER = ("import sys, time\ni = 0\nwhile True:\n"
          "    print(f'GET /item/{i} 200 \\x1b[32mok\\x1b[0m scraped 12 links', flush=True)\n"
          "    i += 1\n    time.sleep(0.2)\n")


def wait(predicate, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("capture: the lab did not get there in time")
        time.sleep(0.5)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", default="scale")
    args = ap.parse_args()
    lab = Lab.load(args.lab)
    OUT.mkdir(exist_ok=True)
    with lab.client(timeout=60) as client:
        api = client.api
        image = f"{lab.registry}/spider:0.01"
        events: list = []
        since = time.time()
        spider = client.services.create(image, ["python3", "-c", WRITER], name="capture-spider", networks=["host"],
                                        mode=ServiceMode("replicated", replicas=4), stop_grace_period=1_000_000_000,
                                        labels={"com.docker.stack.namespace": "capture"})
        sleeper = client.services.create(image, ["python3", "-c", "import time; time.sleep(10**9)"], name="capture-idle",
                                         networks=["host"], mode=ServiceMode("global"), stop_grace_period=1_000_000_000)
        try:
            def running():
                return [t for t in api.tasks(filters={"desired-state": "running"})
                                           if (t.get("Status") or {}).get("State") == "running"]
            wait(lambda: len(running()) >= 4 + len(api.nodes()))
            spec = api.inspect_service(spider.id)
            api.update_service(spider.id, spec["Version"]["Index"], spec["Spec"]["TaskTemplate"],
                               mode={"Replicated": {"Replicas": 5}}, name=spec["Spec"]["Name"],
                               labels=spec["Spec"].get("Labels"), networks=spec["Spec"]["TaskTemplate"].get("Networks"))
            wait(lambda: len(running()) >= 5 + len(api.nodes()))
            worker = next(n for n in api.nodes() if n["Spec"]["Role"] == "worker")
            node_spec = dict(worker["Spec"], Availability="pause")
            api.update_node(worker["ID"], worker["Version"]["Index"], node_spec)
            worker = api.inspect_node(worker["ID"])
            api.update_node(worker["ID"], worker["Version"]["Index"], dict(worker["Spec"], Availability="active"))
            time.sleep(1.5)
            events = list(_events(api, since))
            frames = _log_frames(api, spider.id)
            ping = api._get(api.base_url + "/_ping")
            payloads = {
                "ping_headers": {k: v for k, v in ping.headers.items()
                                 if k.lower() in ("api-version", "ostype", "docker-experimental", "builder-version", "swarm")},
                "version": api.version(),
                "info": api.info(),
                "swarm": api.inspect_swarm(),
                "nodes": api.nodes(),
                "services": api.services(status=True),
                "tasks": api.tasks(),
                "networks": api.networks(),
                # swarm's predefined "host" network has a swarm-scope ID the list does not show
                "network_inspect": [api.inspect_network(target, scope="swarm") for target in sorted(
                    {n["Target"] for s in api.services() for n in s["Spec"]["TaskTemplate"].get("Networks") or ()})],
                "events": events,
                "log_frames": base64.b64encode(frames).decode("ascii"),
            }
            payloads["swarm"].pop("JoinTokens", None)  # secrets stay secret
            for name, value in payloads.items():
                (OUT / f"{name}.json").write_text(json.dumps(value, indent=1, sort_keys=True) + "\n")
            print(f"capture: {len(payloads['nodes'])} nodes, {len(payloads['services'])} services, "
                  f"{len(payloads['tasks'])} tasks, {len(events)} events, {len(frames)} bytes of log frames -> {OUT}")
        finally:
            spider.remove()
            sleeper.remove()


def _events(api, since: float):
    stream = api.events(since=f"{since:.9f}", until=f"{time.time():.9f}", filters={"scope": "swarm", "type": ["node", "service"]},
                        decode=True)
    yield from stream


def _log_frames(api, service_id: str) -> bytes:
    response = get_service_logs(api, service_id, {"details": True, "follow": False, "stdout": True, "stderr": True,
                                                  "timestamps": True, "tail": 40})
    try:
        return response.raw.read()
    finally:
        response.close()


if __name__ == "__main__":
    main()
