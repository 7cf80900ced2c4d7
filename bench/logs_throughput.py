"""Logs pane throughput vs `docker service logs -f`, key latency while streaming, RSS at the buffer cap.

One run, one service of N replicas (each a python loop writing numbered lines at a capped rate,
no fork per line), two readers at the same time over the same window:
  * the CLI: `docker service logs -f --details --timestamps --tail 0 SERVICE`, stdout counted in a pipe
    (as cheap as /dev/null; we need the count);
  * a headless Textual app with the LogsPane fed by a LogStream (tail 0): lines that reached the pane.
While both stream, `t` is pressed repeatedly: latency = key press → the first redraw that shows it.
Then RSS of this process once the pane holds its cap (50,000 lines).

    .venv/bin/python bench/logs_throughput.py [--replicas 50] [--rate 200] [--seconds 20]

Needs the lab (`swarmtui lab --name test up`); removes its service at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import docker
from docker.types import ServiceMode
from textual.app import App

from swarmtui.cluster.logs import LogStream
from swarmtui.lab.lab import Lab
from swarmtui.ui.widgets.logs import LogsPane

WRITER = """
import os, sys, time
slot, rate = os.environ["SLOT"], float(os.environ["RATE"])
out, i, start = sys.stdout, 0, time.monotonic()
while True:
    out.write(f"replica {slot} line {i} \\x1b[32mok\\x1b[0m some crawler output /item/{i}\\n")
    i += 1
    if i % 20 == 0:
        out.flush()
        ahead = i / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
"""


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class BenchApp(App):
    def __init__(self, pane: LogsPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self):
        yield self.pane

    def on_mount(self) -> None:
        self.pane.view.focus()


class FirstDraw:
    """Wraps a LogView's render_line: when it first drew a line with `show_timestamps` at a new value
    (what pressing `t` changes), i.e. when the key press became visible."""

    def __init__(self, view) -> None:
        self.view, self.shown, self.at = view, view.show_timestamps, 0.0
        self._render_line = view.render_line
        view.render_line = self.render_line

    def render_line(self, y: int):
        if self.view.show_timestamps != self.shown:
            self.shown, self.at = self.view.show_timestamps, time.perf_counter()
        return self._render_line(y)


def count_cli(cmd: list[str], env: dict, stop: threading.Event, counts: list[int]) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    def pump() -> None:
        n = 0
        while True:
            chunk = proc.stdout.read1(1 << 16)
            if not chunk:
                break
            n += chunk.count(b"\n")
            counts[0] = n

    threading.Thread(target=pump, daemon=True).start()
    return proc


async def run(args) -> dict:
    lab = Lab.load(args.lab)
    name = f"bench{uuid.uuid4().hex[:6]}"
    client = docker.DockerClient(base_url=lab.docker_host, timeout=120)
    service = client.services.create(
        f"{lab.registry}/spider:0.01", ["python3", "-u", "-c", WRITER], name=name,
        env=["SLOT={{.Task.Slot}}", f"RATE={args.rate}"], mode=ServiceMode("replicated", replicas=args.replicas),
        stop_grace_period=1_000_000_000,
    )
    result: dict = {"replicas": args.replicas, "rate_per_replica": args.rate, "seconds": args.seconds}
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            running = sum(t["Status"]["State"] == "running" for t in client.api.tasks(
                filters={"service": service.id, "desired-state": "running"}))
            if running >= args.replicas:
                break
            await asyncio.sleep(1)
        result["running"] = running
        await asyncio.sleep(3)  # let every writer get going

        def factory(scope, tail, since, on_batch):
            return LogStream(lab.docker_host, scope.id, on_batch, tail=tail).start()

        pane = LogsPane(stream_factory=factory, tail=0, max_lines=args.max_lines)
        app = BenchApp(pane)
        env = dict(os.environ, DOCKER_HOST=lab.docker_host)
        cli_counts = [0]
        async with app.run_test(size=(160, 48), headless=True) as pilot:
            stop = threading.Event()
            cli = count_cli(["docker", "service", "logs", "-f", "--details", "--timestamps", "--tail", "0", name],
                            env, stop, cli_counts)
            pane.follow_service(service.id, name)
            await asyncio.sleep(2)  # both connected and flowing
            pane_start, cli_start, t0 = pane.received, cli_counts[0], time.monotonic()
            latencies = []
            view = pane.view
            drawn = FirstDraw(view)
            while time.monotonic() - t0 < args.seconds:
                await asyncio.sleep(0.4)
                wanted = not view.show_timestamps
                pressed = time.perf_counter()
                await pilot.press("t")
                while drawn.shown != wanted and time.perf_counter() - pressed < 5:
                    await asyncio.sleep(0.001)
                latencies.append((drawn.at - pressed) * 1000)
            elapsed = time.monotonic() - t0
            pane_lines, cli_lines = pane.received - pane_start, cli_counts[0] - cli_start
            cli.terminate()
            cli.wait(5)
            while len(view.lines) < args.max_lines and time.monotonic() - t0 < args.seconds + 60:
                await asyncio.sleep(0.5)
            result["buffer_lines"] = len(view.lines)
            result["rss_mb_at_cap"] = round(rss_mb(), 1)
            pane_stats = dict(pane.stream.stats) if pane.stream else {}
        result.update(
            pane_lines_per_s=round(pane_lines / elapsed), cli_lines_per_s=round(cli_lines / elapsed),
            ratio=round(pane_lines / cli_lines, 3) if cli_lines else None,
            key_latency_ms_median=round(statistics.median(latencies), 1),
            key_latency_ms_p95=round(sorted(latencies)[int(len(latencies) * 0.95) - 1], 1),
            key_presses=len(latencies), stream_stats=pane_stats,
        )
    finally:
        service.remove()
        client.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lab", default="test")
    parser.add_argument("--replicas", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0, help="lines per second per replica (cap)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max-lines", type=int, default=50_000)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    for key, value in result.items():
        print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
