"""Benchmark: key latency of the whole app while 50 replicas stream logs at full speed, on the replay engine.

    .venv/bin/python bench/logs_replay.py [--replicas 50] [--rate 0] [--seconds 20] [--keys t,down]

The replay engine (bench/replay/, its own process) serves a small fleet whose first service has
REPLICAS replicas; its logs route writes numbered lines for each of them, RATE lines/s per replica
(0: as fast as the reader takes them).  In the same window:
  * the anchor, `docker service logs -f --details --timestamps --tail 0 SERVICE` on the same socket,
    stdout counted in a pipe;
  * the real SwarmApp (headless, 160x48) with that service selected, its logs pane following it.
While both stream, keys are pressed every 0.3 s (one block of SECONDS / len(KEYS) per key): `t` in the logs pane (press -> first redraw with the
timestamps toggled) and `down` in the nodes pane (press -> first frame with the cursor moved).  A key is
handed to the app the way the terminal driver's input thread does (`send_key`), not through
`pilot.press`, which waits for the app to be idle before and after (at full speed it never quite is:
3-4 presses a run); `--pilot` keeps the old way.
Also: lines/s of each reader, and how many log batches the app handled between a press and its frame.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import os
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fleet_scale import Frames, med, p95
from bench.logs_throughput import FirstDraw, count_cli
from bench.scale_replay import SIZE, send_key, settle, start_engine

from swarmtui.config import Settings
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.widgets.logs import LogsPane


class BatchCounting(SwarmApp):
    batches = 0


async def press(pilot, key: str, use_pilot: bool) -> None:
    if use_pilot:
        await pilot.press(key)
    else:
        send_key(pilot.app, key)


async def run(args) -> dict:
    host = f"unix://{args.socket}"
    settings = Settings(docker_host=host)
    from swarmtui.ui.sources import live

    app = BatchCounting(settings, sources=dataclasses.replace(live(settings), watcher=None, usage=None))
    out: dict = {}
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await settle(app, pilot, args.big)
        pane = app.query_one(LogsPane)
        view = pane.view
        if args.status_layout:
            status = pane.query_one("#logs-status")
            update = status.update
            status.update = lambda content, layout=True: update(content, layout=True)
        class Handled:  # batches the stream handed to the pane so far
            def __getitem__(self, _):
                return pane.stream.stats["batches"] if pane.stream else 0

        handled = Handled()
        svc = next(s for s in app.snapshot.services if s.name == args.big)
        counts = [0]
        env = dict(os.environ, DOCKER_HOST=host)
        cli = count_cli(["docker", "service", "logs", "-f", "--details", "--timestamps", "--tail", "0", svc.name],
                        env, threading.Event(), counts)
        await pilot.pause(3.0)  # both flowing
        pane_start, cli_start, t0 = pane.received, counts[0], time.monotonic()
        c0 = time.process_time()
        lat: dict[str, list[float]] = {k: [] for k in args.keys}
        batches: dict[str, list[int]] = {k: [] for k in args.keys}
        services = app.query_one("#nodes")  # its cursor selects nothing the logs follow
        sframes = Frames(services, lambda: services.cursor_row)
        drawn = FirstDraw(view)
        handled_at = [0.0]  # when the key's action ran (press -> action: waiting in queues; action -> frame: drawing)
        for target, name in ((pane, "action_toggle_timestamps"), (services, "action_cursor_down"), (services, "action_cursor_up")):
            def wrapped(*a, _orig=getattr(target, name), **k):
                handled_at[0] = time.perf_counter()
                return _orig(*a, **k)
            setattr(target, name, wrapped)
        gc_pauses: list[tuple[int, float, float]] = []  # (generation, wall s, CPU s of its thread) per collection
        gc_start = [0.0, 0.0]

        def on_gc(phase, info):
            if phase == "start":
                gc_start[:] = [time.perf_counter(), time.thread_time()]
            elif gc_start[0]:  # not one that began before the callback was in
                gc_pauses.append((info["generation"], time.perf_counter() - gc_start[0], time.thread_time() - gc_start[1]))
        gc.callbacks.append(on_gc)
        waits: dict[str, list[float]] = {k: [] for k in args.keys}
        for n, key in enumerate(args.keys):  # one block per key, so focus moves once, not per press
            (view if key == "t" else services).focus()
            await pilot.pause(0.2)
            while time.monotonic() - t0 < args.seconds * (n + 1) / len(args.keys):
                await asyncio.sleep(args.every)
                if key == "t":
                    wanted = not view.show_timestamps
                    b0, pressed = handled[0], time.perf_counter()
                    await press(pilot, "t", args.pilot)
                    while drawn.shown != wanted and time.perf_counter() - pressed < 5:
                        await asyncio.sleep(0.01)  # the time is taken when the frame draws, not here
                    lat["t"].append((drawn.at - pressed) * 1000)
                    waits["t"].append((handled_at[0] - pressed) * 1000)
                else:
                    step = 1 if services.cursor_row < services.row_count - 1 else -1
                    want = services.cursor_row + step
                    b0, pressed = handled[0], time.perf_counter()
                    await press(pilot, "down" if step == 1 else "up", args.pilot)
                    frame = await sframes.wait(lambda s, w=want: s == w, after=pressed, timeout=5, step=0.01)
                    lat[key].append(((frame[0] if frame else time.perf_counter()) - pressed) * 1000)
                    waits[key].append((handled_at[0] - pressed) * 1000)
                batches[key].append(handled[0] - b0)
        elapsed = time.monotonic() - t0
        gc.callbacks.remove(on_gc)
        out["gc"] = gc_pauses
        out["waits"] = waits
        out["app_cpu"] = (time.process_time() - c0) / elapsed
        out["pane_lines_per_s"] = (pane.received - pane_start) / elapsed
        out["cli_lines_per_s"] = (counts[0] - cli_start) / elapsed
        cli.terminate()
        cli.wait(5)
        out["latency"] = lat
        out["batches_between"] = batches
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["stats"] = dict(pane.stream.stats) if pane.stream else {}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicas", type=int, default=50)
    ap.add_argument("--rate", type=float, default=0.0, help="lines/s per replica; 0: as fast as read")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--keys", default="t,down")
    ap.add_argument("--every", type=float, default=0.3, help="seconds between a frame and the next press")
    ap.add_argument("--socket", default="/tmp/swarmtui-replay-logs.sock")
    ap.add_argument("--status-layout", action="store_true",
                    help="as before the fix: the logs status line asks for a layout pass on every batch")
    ap.add_argument("--pilot", action="store_true", help="press keys with pilot.press (waits for idle: few presses)")
    args = ap.parse_args()
    args.keys = args.keys.split(",")
    args.big = "news_spider"
    engine_args = argparse.Namespace(socket=args.socket, nodes=20, services=10, tasks=200, big_service=args.replicas,
                                     log_rate=args.rate)
    engine = start_engine(engine_args)
    try:
        out = asyncio.run(run(args))
    finally:
        engine.terminate()
        engine.wait()
    for key, values in out["latency"].items():
        b = out["batches_between"][key]
        print(f"key {key} while streaming: median / p95 {med(values):.1f} / {p95(values):.1f} ms (max {max(values):.1f}, "
              f"{len(values)} presses; press -> action median / p95 {med(out['waits'][key]):.1f} / {p95(out['waits'][key]):.1f} ms; "
              f"log batches handed over between press and frame: median {med(b):.0f}, max {max(b)})")
    for gen in (0, 1, 2):
        gcs = [(d * 1000, c * 1000) for g, d, c in out["gc"] if g == gen]
        if gcs:
            print(f"garbage collections of generation {gen} in the window: {len(gcs)}, wall {sum(w for w, _ in gcs):.0f} ms "
                  f"(longest {max(w for w, _ in gcs):.0f}), CPU {sum(c for _, c in gcs):.0f} ms (longest {max(c for _, c in gcs):.0f})")
    print(f"lines/s: pane {out['pane_lines_per_s']:.0f}, docker service logs -f {out['cli_lines_per_s']:.0f} "
          f"(pane / CLI {out['pane_lines_per_s'] / max(out['cli_lines_per_s'], 1):.2f}); app CPU {out['app_cpu'] * 100:.0f}% of a core; "
          f"RSS {out['rss_mb']:.0f} MB; stream {out['stats']}")


if __name__ == "__main__":
    main()
