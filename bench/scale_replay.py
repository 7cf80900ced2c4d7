"""Benchmark: swarmtui at 500 nodes / 200 services / 10,000 tasks, on the replay engine (bench/replay/).

    .venv/bin/python bench/scale_replay.py [--parts refresh,keys,death,scale,rolling,burst,idle] [--runs 3] [--profile F]
                                           [--idle-seconds 30] [--nodes 500 --services 200 --tasks 10000]

The replay engine runs as its own process (its CPU is not the app's) on a unix socket; the real
SwarmApp (headless, Pilot, 160x48) talks to it through its live sources (docker_host=unix://...).

  refresh  one refresh end to end: SwarmClient.snapshot() (API reads + JSON + convert/assemble) CPU and
           wall time on the worker thread, then on_snapshot_ready (table syncs) CPU on the UI thread,
           and request -> first frame of the services pane after it. Plus API calls per refresh.
  keys     press -> first frame showing the key's effect: cursor down/up on the nodes (500 rows),
           services (200) and tasks (the big service's 1,000 rows) panes, typing and erasing a filter
           on the nodes pane (RUNS times), `>` through every sort column and `!` on the nodes pane (RUNS
           times), pane switches (1/2/3). Parts cursor, filter, sort, switch run one kind each.
  death    a worker dies (the engine sends node state.new=down, its 20 tasks reschedule): event
           timeNano -> first nodes-pane frame drawing Down.
  scale    the big service 200 -> 1,000: event -> services pane draws 1000/1000; each tasks-pane sync.
  rolling  a rolling update of its 1,000 tasks: each tasks-pane sync; keys pressed during it.
  burst    500 service events in 1 s: refreshes made, API calls, cursor keys pressed during it.
  idle     a real `swarmtui` in tmux on the replay socket vs `watch -n 2 'docker service ls; docker
           node ls'` on the same socket, CPU of both over the same IDLE_SECONDS; and RSS.
Prints medians and p95 as a table.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import json
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fleet_scale import Frames, cell, idle_cpu, med, p95, pane_pids, tmux
from textual import events

from swarmtui.cluster.client import SwarmClient
from swarmtui.config import Settings
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.sources import live as live_sources

ROOT = Path(__file__).resolve().parents[1]
SIZE = (160, 48)
SOCK = "/tmp/swarmtui-replay-bench.sock"
PILOT_KEYS = [False]  # --pilot-keys: press keys through Pilot.press (its waits included), as before 2026-12-02


# ---- the replay engine, its own process ---------------------------------------------------------
def start_engine(args) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "bench.replay.server", "--socket", args.socket,
                             "--nodes", str(args.nodes), "--services", str(args.services), "--tasks", str(args.tasks),
                             "--big-service", str(args.big_service), "--log-rate", str(args.log_rate)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("replay:"):
        raise SystemExit(f"the replay engine did not start: {line!r}")
    print(line.strip(), flush=True)
    return proc


def control(path: str, method: str = "GET") -> dict:
    """A request to the replay engine's own routes (scenarios, stats), raw HTTP on the socket."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(SOCK_PATH[0])
        s.sendall(f"{method} {path} HTTP/1.1\r\nHost: replay\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return json.loads(data.split(b"\r\n\r\n", 1)[1] or b"{}")


SOCK_PATH = [SOCK]


def api_calls() -> int:
    return sum(v for k, v in control("/_replay/stats").items() if not k.endswith("/_replay/stats"))


# ---- the app, instrumented -------------------------------------------------------------------------
REFRESHES: list[dict] = []


class TimedClient(SwarmClient):
    relist = False  # --relist: every snapshot lists every running task again (as when task counts moved)

    def snapshot(self, *a, **k):
        if self.relist:
            self._running = None
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            return super().snapshot(*a, **k)
        finally:
            REFRESHES.append({"wall": time.perf_counter() - t0, "cpu": time.thread_time() - c0, "end": time.perf_counter()})


class BenchApp(SwarmApp):
    """SwarmApp, with the UI-thread CPU of each snapshot's table syncs recorded."""

    syncs: list[float]

    def on_snapshot_ready(self, message) -> None:
        c0 = time.thread_time()
        super().on_snapshot_ready(message)
        self.syncs.append(time.thread_time() - c0)


def make_app(args) -> BenchApp:
    host = f"unix://{args.socket}"
    settings = Settings(docker_host=host, max_replicas=2000)
    timed = lambda: TimedClient(host, max_replicas=2000)  # noqa: E731
    # no alert rules, no CPU/memory column (its figures come over ssh from each node's engine: none here)
    app = BenchApp(settings, sources=dataclasses.replace(live_sources(settings), swarm=timed, watcher=None, usage=None))
    app.syncs = []
    return app


async def until(pilot, predicate, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def settle(app, pilot, big: str) -> None:
    """The big service selected, its tasks listed, a refresh done after that."""
    await until(pilot, lambda: app.snapshot is not None and len(app.snapshot.nodes) > 0, what="first snapshot")
    services = app.query_one("#services")
    sid = next(s.id for s in app.snapshot.services if s.name == big)
    services.focus()
    services.move_cursor(row=services.get_row_index(sid))
    await until(pilot, lambda: app.tasks_scope == sid and app.query_one("#tasks-table").row_count > 0, what="tasks pane")
    await pilot.pause(1.0)


def send_key(app, key: str) -> None:
    """A key as the terminal driver hands it to the app (what Pilot.press does first). Pilot.press
    then sleeps 20 ms and posts a callback to every widget on the screen, waiting for all of them:
    those run on the UI thread ahead of the frame the key asked for, which no terminal does. press()
    lets the app settle that way only after the key's frame, before the next key."""
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)


async def press(pilot, frames: Frames, key: str, predicate, timeout: float = 5) -> float:
    t0 = time.perf_counter()
    if PILOT_KEYS[0]:
        await pilot.press(key)
    else:
        send_key(pilot.app, key)
    frame = await frames.wait(predicate, after=t0, timeout=timeout)
    await pilot.pause()  # what the key set going (a service's tasks and logs) done before the next key
    await asyncio.sleep(0.05)  # a person's pace
    return (frame[0] - t0) * 1000 if frame else timeout * 1000


async def cursor_keys(pilot, table, frames, n: int) -> list[float]:
    out = []
    for i in range(n):
        key = "down" if i < n // 2 else "up"
        want = table.cursor_row + (1 if key == "down" else -1)
        out.append(await press(pilot, frames, key, lambda s, w=want: s[0] == w))
    return out


def table_frames(table) -> Frames:
    return Frames(table, lambda: (table.cursor_row, table.filter_text, table.row_count))


# ---- parts -------------------------------------------------------------------------------------
async def part_refresh_keys(args, out: dict) -> None:
    app = make_app(args)
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await settle(app, pilot, args.big)
        services, nodes, tasks = app.query_one("#services"), app.query_one("#nodes"), app.query_one("#tasks-table")
        # one refresh at a time, end to end
        sframes = Frames(services, lambda: app.snapshot)
        rs = []
        for _ in range(args.runs * 3 if "refresh" in args.parts else 0):
            await until(pilot, lambda: not app._refreshing, what="refresh idle")
            calls0, _n0, c0 = api_calls(), len(REFRESHES), time.process_time()
            t0 = time.perf_counter()
            before = app.snapshot
            app.request_refresh()
            await until(pilot, lambda: app.snapshot is not before, what="refresh")
            frame = await sframes.wait(lambda s: s is app.snapshot, after=t0, timeout=10)
            rs.append({"wall_ms": ((frame[0] if frame else time.perf_counter()) - t0) * 1000,
                       "process_cpu_ms": (time.process_time() - c0) * 1000,
                       "snapshot_cpu_ms": REFRESHES[-1]["cpu"] * 1000, "snapshot_wall_ms": REFRESHES[-1]["wall"] * 1000,
                       "sync_cpu_ms": app.syncs[-1] * 1000, "api_calls": api_calls() - calls0 - 1})
            await pilot.pause(0.3)
        if rs:
            out["refresh"] = rs
        keys: dict[str, list[float]] = {}
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()  # this thread only: the UI's (the app runs on this event loop)
        if "keys" in args.parts or "cursor" in args.parts:
            for name, table in (("nodes", nodes), ("services", services), ("tasks", tasks)):
                table.focus()
                await pilot.pause(0.3)
                keys[f"cursor {name} ({table.row_count} rows)"] = await cursor_keys(pilot, table, table_frames(table), args.keys)
        if "keys" in args.parts or "filter" in args.parts:
            nodes.focus()
            await pilot.pause(0.3)
            frames = table_frames(nodes)
            app.action_filter()
            await pilot.pause(0.3)
            text, typing = "crawl-fra-0", []
            for _ in range(args.runs):
                for i, ch in enumerate(text):
                    typing.append(await press(pilot, frames, ch, lambda s, t=text[: i + 1]: s[1] == t))
                for i in range(len(text)):
                    typing.append(await press(pilot, frames, "backspace", lambda s, t=text[: len(text) - i - 1]: s[1] == t))
            keys[f"filter nodes ({nodes.total_rows} rows)"] = typing
            await pilot.press("escape")
            await pilot.pause(0.3)
        if "keys" in args.parts or "sort" in args.parts:
            nodes.focus()
            await pilot.pause(0.3)
            frames = Frames(nodes, lambda: (nodes.sort_column, nodes.sort_reverse))
            sorting = []
            columns = [None, *(key for key, _ in nodes.COLUMNS)]
            for _ in range(args.runs):
                for _ in range(len(columns)):  # `>` through every column and back to the table's own order
                    want = columns[(columns.index(nodes.sort_column) + 1) % len(columns)]
                    sorting.append(await press(pilot, frames, "greater_than_sign", lambda s, w=want: s[0] == w))
                want_reverse = not nodes.sort_reverse
                sorting.append(await press(pilot, frames, "exclamation_mark", lambda s, w=want_reverse: s[1] == w))
            nodes.set_sort(None)
            keys[f"sort nodes ({nodes.row_count} rows)"] = sorting
        if "keys" in args.parts or "switch" in args.parts:
            switch = []
            for _ in range(args.runs * 3):
                for key, pane in (("1", nodes), ("2", services), ("3", tasks)):
                    f = Frames(pane, lambda p=pane: p.has_focus)
                    switch.append(await press(pilot, f, key, lambda s: s))
            keys["pane switch 1/2/3"] = switch
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        if keys:
            out["keys"] = keys
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def part_scenarios(args, out: dict) -> None:
    app = make_app(args)
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await settle(app, pilot, args.big)
        services, nodes, tasks = app.query_one("#services"), app.query_one("#nodes"), app.query_one("#tasks-table")
        if "death" in args.parts:
            deaths = []
            for run in range(args.runs):
                victim = next(n for n in app.snapshot.nodes if n.role == "worker" and n.status == "ready" and n.running_tasks)
                f = Frames(nodes, lambda v=victim.id: cell(nodes, v, "status"))
                t_wall = time.time()
                control(f"/_replay/scenario/node-death?ref={victim.id}", "POST")
                frame = await f.wait(lambda s: s.lower().startswith("down"), after=time.perf_counter() - 1, timeout=10)
                shown = (frame[1] - t_wall) * 1000 if frame else float("nan")
                await until(pilot, lambda v=victim.id: (n := app.snapshot.node_by_id(v)) is not None and n.running_tasks == 0,
                            what="rescheduled", timeout=30)
                deaths.append({"down_on_screen_ms": shown, "tasks": victim.running_tasks})
                await pilot.pause(0.5)
            out["death"] = deaths
        sid = app.tasks_scope
        if "scale" in args.parts:
            syncs = instrument(tasks)
            f = Frames(services, lambda: cell(services, sid, "replicas"))
            t0 = time.perf_counter()
            calls0 = api_calls()
            control(f"/_replay/scenario/scale?ref={sid}&replicas={args.scale_to}", "POST")
            frame = await f.wait(lambda s: s.startswith(f"{args.scale_to}/{args.scale_to}"), after=t0, timeout=60)
            out["scale"] = {"converged_on_screen_s": (frame[0] - t0) if frame else float("nan"), "syncs": list(syncs),
                            "api_calls": api_calls() - calls0, "rows": tasks.row_count}
            await pilot.pause(1.0)
        if "rolling" in args.parts:
            syncs = instrument(tasks)
            tasks.focus()
            await pilot.pause(0.3)
            calls0 = api_calls()
            control(f"/_replay/scenario/rolling-update?ref={sid}&parallelism=100", "POST")
            t0 = time.perf_counter()
            during = await cursor_keys(pilot, tasks, table_frames(tasks), args.keys)
            await until(pilot, lambda: (s := app.snapshot.service_by_id(sid) if hasattr(app.snapshot, "service_by_id") else
                                        next(x for x in app.snapshot.services if x.id == sid)) is not None and s.update_status
                        is not None and s.update_status.state == "completed", what="update completed", timeout=60)
            out["rolling"] = {"syncs": list(syncs), "keys_during": during, "seconds": time.perf_counter() - t0,
                              "api_calls": api_calls() - calls0}
            await pilot.pause(1.0)
        if "burst" in args.parts:
            services.focus()
            await pilot.pause(0.3)
            n0, calls0 = len(REFRESHES), api_calls()
            control("/_replay/scenario/burst?events=500&seconds=1.0", "POST")
            during = await cursor_keys(pilot, services, table_frames(services), args.keys)
            await pilot.pause(2.0)
            out["burst"] = {"refreshes": len(REFRESHES) - n0, "api_calls": api_calls() - calls0, "keys_during": during}
        out["rss_mb_after_scenarios"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def instrument(tasks) -> list:
    """Each tasks-pane sync: (ms, update_cell calls, rows)."""
    syncs: list = []
    show = getattr(tasks, "_bench_show", None) or tasks.show
    update_cell = getattr(tasks, "_bench_update_cell", None) or tasks.update_cell
    tasks._bench_show, tasks._bench_update_cell = show, update_cell
    count = [0]

    def counted(*a, **k):
        count[0] += 1
        return update_cell(*a, **k)

    def timed(task_list, now=None):
        count[0] = 0
        t0 = time.perf_counter()
        show(task_list, now)
        syncs.append(((time.perf_counter() - t0) * 1000, count[0], len(task_list)))

    tasks.show, tasks.update_cell = timed, counted
    return syncs


def part_idle(args, out: dict) -> None:
    host = f"unix://{args.socket}"
    tui, anchor = f"{args.session}-tui", f"{args.session}-watch"
    for session in (tui, anchor):
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    try:
        tmux("new-session", "-d", "-s", tui, "-x", str(SIZE[0]), "-y", str(SIZE[1]),
             f"exec env -u REDIS_URL {ROOT}/.venv/bin/swarmtui --host {host}")
        tmux("new-session", "-d", "-s", anchor, "-x", str(SIZE[0]), "-y", str(SIZE[1]),
             f"exec watch -n 2 'docker -H {host} service ls; docker -H {host} node ls'")
        time.sleep(args.idle_warmup)
        screen = tmux("capture-pane", "-p", "-t", tui)
        out["idle_screen_ok"] = "nodes 500" in screen and "crawl-" in screen and "● follow" in screen
        pids = pane_pids(tui, anchor)
        spy = None
        if args.idle_profile:  # where the TUI's idle CPU goes, per thread (py-spy samples it from outside)
            spy = subprocess.Popen([str(ROOT / ".venv/bin/py-spy"), "record", "--pid", str(pids[tui]), "--threads",
                                    "--nonblocking", "--rate", "100", "--duration", str(int(args.idle_seconds)),
                                    "--format", "raw", "--output", args.idle_profile],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        share, elapsed = idle_cpu(pids, args.idle_seconds)
        if spy is not None:
            spy.wait(30)
            out["idle_threads"] = thread_shares(args.idle_profile, 100, elapsed)
        out["idle"] = {"tui_cpu": share[tui], "watch_cpu": share[anchor], "seconds": elapsed,
                       "tui_rss_mb": int(next(line for line in Path(f"/proc/{pids[tui]}/status").read_text().splitlines()
                                              if line.startswith("VmRSS")).split()[1]) / 1024}
    finally:
        for session in (tui, anchor):
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def thread_shares(raw: str, rate: int, seconds: float) -> dict[str, float]:
    """py-spy's raw output (`thread (TID): NAME;frame;... COUNT`, on-CPU samples only) -> share of a
    core per thread name."""
    shares: dict[str, float] = {}
    for line in Path(raw).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        name = stack.split(";", 1)[0].split("): ", 1)[-1]
        shares[name] = shares.get(name, 0.0) + int(count) / rate / seconds
    return dict(sorted(shares.items(), key=lambda kv: -kv[1]))


# ---- report ------------------------------------------------------------------------------------
def report(out: dict) -> None:
    def mp(values) -> str:
        return f"{med(values):.1f} / {p95(values):.1f}"

    if "refresh" in out:
        r = out["refresh"]
        print(f"refresh ({len(r)} runs, median / p95): wall request->frame {mp([x['wall_ms'] for x in r])} ms; "
              f"process CPU {mp([x['process_cpu_ms'] for x in r])} ms = snapshot CPU {mp([x['snapshot_cpu_ms'] for x in r])} "
              f"(wall {mp([x['snapshot_wall_ms'] for x in r])}) + sync CPU {mp([x['sync_cpu_ms'] for x in r])}; "
              f"API calls {med([x['api_calls'] for x in r]):.0f}")
    for name, values in out.get("keys", {}).items():
        print(f"key {name}: median / p95 {mp(values)} ms (max {max(values):.1f}, {len(values)} keys)")
    for d in out.get("death", []):
        print(f"node death ({d['tasks']} tasks): Down on screen {d['down_on_screen_ms']:.0f} ms after the event")
    if "scale" in out:
        s = out["scale"]
        ms = [x[0] for x in s["syncs"]]
        print(f"scale -> {s['rows']} rows: converged on screen {s['converged_on_screen_s']:.2f} s after the request; "
              f"{len(ms)} tasks syncs median / p95 / max {mp(ms)} / {max(ms, default=0):.1f} ms, "
              f"cells written max {max((x[1] for x in s['syncs']), default=0)}; {s['api_calls']} API calls")
    if "rolling" in out:
        s = out["rolling"]
        ms = [x[0] for x in s["syncs"]]
        print(f"rolling update: {s['seconds']:.1f} s, {len(ms)} tasks syncs median / p95 / max {mp(ms)} / {max(ms, default=0):.1f} ms, "
              f"cells max {max((x[1] for x in s['syncs']), default=0)}; cursor during {mp(s['keys_during'])} ms; {s['api_calls']} API calls")
    if "burst" in out:
        b = out["burst"]
        print(f"burst of 500 events: {b['refreshes']} refreshes, {b['api_calls']} API calls; cursor during {mp(b['keys_during'])} ms")
    if "idle" in out:
        i = out["idle"]
        print(f"idle {i['seconds']:.0f} s: swarmtui {i['tui_cpu'] * 100:.2f}% of a core (RSS {i['tui_rss_mb']:.0f} MB) vs "
              f"watch -n 2 'docker service ls; docker node ls' {i['watch_cpu'] * 100:.2f}% "
              f"({i['tui_cpu'] / max(i['watch_cpu'], 1e-9):.2f}x); screen ok: {out.get('idle_screen_ok')}")
    if "idle_threads" in out:
        print("idle, per thread (py-spy, % of a core): " + ", ".join(f"{k} {v * 100:.2f}" for k, v in out["idle_threads"].items()))
    for key in ("rss_mb", "rss_mb_after_scenarios"):
        if key in out:
            print(f"{key}: {out[key]:.0f} MB (max RSS of the bench process: app + Pilot)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="refresh,keys,death,scale,rolling,burst,idle")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keys", type=int, default=20, help="cursor keys per pane")
    ap.add_argument("--nodes", type=int, default=500)
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--big-service", type=int, default=200)
    ap.add_argument("--big", default="news_spider", help="the service shown in the tasks pane (the first one made)")
    ap.add_argument("--scale-to", type=int, default=1000)
    ap.add_argument("--log-rate", type=float, default=2.0, help="log lines/s per replica (0: as fast as read)")
    ap.add_argument("--idle-seconds", type=float, default=30)
    ap.add_argument("--idle-warmup", type=float, default=15)
    ap.add_argument("--relist", action="store_true", help="refresh part: each snapshot re-lists every running task")
    ap.add_argument("--idle-profile", help="py-spy the TUI during the idle window into this raw file (per-thread CPU)")
    ap.add_argument("--session", default="scale-idle", help="tmux session names: SESSION-tui, SESSION-watch")
    ap.add_argument("--socket", default=SOCK)
    ap.add_argument("--json", help="also write the raw figures here")
    ap.add_argument("--pilot-keys", action="store_true", help="keys through Pilot.press (adds its own waits; see send_key)")
    ap.add_argument("--profile", help="cProfile the UI thread during the keys into this file (pstats)")
    args = ap.parse_args()
    args.parts = set(args.parts.split(","))
    TimedClient.relist = args.relist
    PILOT_KEYS[0] = args.pilot_keys
    SOCK_PATH[0] = args.socket
    engine = start_engine(args)
    out: dict = {}
    try:
        if args.parts & {"refresh", "keys", "cursor", "filter", "sort", "switch"}:
            asyncio.run(part_refresh_keys(args, out))
        if args.parts & {"death", "scale", "rolling", "burst"}:
            engine.terminate()
            engine.wait()
            engine = start_engine(args)  # a fresh fleet: the scenarios change it
            asyncio.run(part_scenarios(args, out))
        if "idle" in args.parts:
            engine.terminate()
            engine.wait()
            engine = start_engine(args)
            part_idle(args, out)
    finally:
        engine.terminate()
        engine.wait()
    report(out)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
