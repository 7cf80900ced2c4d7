"""Benchmark: swarmtui at fleet scale (hundreds of replicas), each figure next to its anchor in one run.

    .venv/bin/python bench/fleet_scale.py [--lab fleet] [--replicas 500] [--base 50] [--fill 19]
                                          [--runs 3] [--idle-seconds 60] [--parts keys,event,idle,scale]

The fleet: FILL services x 5 sleeping replicas plus one `spider` service (the lab's spider image
running `time.sleep`, no log output, host network), scaled between BASE and REPLICAS.

  keys   tasks pane of REPLICAS rows: cursor down/up and typing a filter (and erasing it), latency
         from the key press to the first frame the table draws with the key's effect (Pilot, headless).
  event  engine event to screen: the events stream's `timeNano` of `replicas.new` (a fill service
         scaled 5<->6 by docker-py) and of a node going down / ready (lab.stop_node / start_node),
         to the first frame of the services / nodes pane that shows it.
  idle   CPU seconds (utime+stime, children included, /proc/PID/stat) of a real `swarmtui` in tmux
         watching the fleet with spider selected, against `watch -n 2 'docker service ls; docker node ls'`,
         both at once for IDLE_SECONDS.
  scale  from the Enter that submits "scale spider to REPLICAS" to the first frame of the services pane
         showing REPLICAS/REPLICAS ✓, against `docker service scale spider=REPLICAS` watching the same
         scale-up (started as soon as the engine took the count; its first "verify" line = it saw
         convergence, its exit = it reported it), both timed from the key press.  Scale-ups of 450
         containers on 2 cores vary by tens of seconds from run to run, so the two watch the same one
         rather than alternate.  Scaled back to BASE between runs.  Also: time and update_cell calls of
         each tasks-pane sync during the scale-up.
Prints medians and ratios as a table.  Leaves the fleet running (the lab goes down with `lab down`).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docker
from docker.types import ServiceMode

from swarmtui.cluster.client import SwarmClient
from swarmtui.config import Settings
from swarmtui.lab.lab import Lab
from swarmtui.ui.app import NodesPane, SwarmApp
from swarmtui.ui.format import styled
from swarmtui.ui.screens.form import FormScreen
from swarmtui.ui.sources import live as live_sources

SLEEPER = ["python3", "-c", "import time; time.sleep(10**9)"]
SPIDER = "spider"
SIZE = (160, 48)
ROOT = Path(__file__).resolve().parents[1]
HOST: list[str] = [""]  # the lab's docker host, set in amain


def med(values) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


# ---- the fleet ------------------------------------------------------------------------
def ensure_fleet(client: docker.DockerClient, lab: Lab, fill: int, spider_replicas: int) -> None:
    existing = {s.name: s for s in client.services.list()}
    for i in range(1, fill + 1):
        name = f"fill-{i:02d}"
        if name not in existing:
            client.services.create(f"{lab.registry}/spider:0.01", SLEEPER, name=name, networks=["host"],
                                   mode=ServiceMode("replicated", replicas=5), stop_grace_period=1_000_000_000)
    if SPIDER not in existing:
        client.services.create(f"{lab.registry}/spider:0.01", SLEEPER, name=SPIDER, networks=["host"],
                               mode=ServiceMode("replicated", replicas=spider_replicas), stop_grace_period=1_000_000_000)
    else:
        scale(client, spider_replicas)
    wait_converged(client, None, timeout=600)


def scale(client: docker.DockerClient, replicas: int, service: str = SPIDER) -> None:
    """Only the replica count changes (docker-py's Service.scale also rewrites the restart policy,
    which starts a rolling update of every replica)."""
    with SwarmClient(HOST[0], timeout=120, max_replicas=10_000) as swarm:
        swarm.scale(service, replicas)


def wait_converged(client: docker.DockerClient, replicas: int | None, timeout: float = 600) -> float:
    """Every service running what it wants (spider: `replicas`), and no spider task still shutting down."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        services = client.api.services(status=True)
        ok = all(s["ServiceStatus"]["RunningTasks"] == s["ServiceStatus"]["DesiredTasks"] for s in services)
        if replicas is not None:
            spider = next(s for s in services if s["Spec"]["Name"] == SPIDER)
            ok = ok and spider["ServiceStatus"]["DesiredTasks"] == replicas
        if ok:
            busy = client.api.tasks(filters={"service": SPIDER, "desired-state": "shutdown"})
            if not any(t["Status"]["State"] in ("running", "starting", "preparing") for t in busy):
                return time.monotonic() - started
        time.sleep(2)
    raise RuntimeError(f"fleet not converged after {timeout:.0f}s")


# ---- frames a widget draws ----------------------------------------------------------------
class Frames:
    """Wraps a widget's render_lines: each frame it draws is recorded with a probe of its state."""

    def __init__(self, widget, probe) -> None:
        self.frames: list[tuple[float, float, object]] = []  # perf_counter, wall clock, probe()
        original = widget.render_lines

        def render_lines(crop):
            self.frames.append((time.perf_counter(), time.time(), probe()))
            return original(crop)

        widget.render_lines = render_lines

    def clear(self) -> None:
        self.frames.clear()

    def first(self, predicate, after: float = 0.0):
        for frame in self.frames:
            if frame[0] >= after and predicate(frame[2]):
                return frame
        return None

    async def wait(self, predicate, after: float = 0.0, timeout: float = 30.0, step: float = 0.005):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            frame = self.first(predicate, after)
            if frame is not None:
                return frame
            await asyncio.sleep(step)
        return None


def cell(table, row_key: str, column: str) -> str:
    try:
        value = table.get_cell(row_key, column)
    except Exception:  # noqa: BLE001 - row not there (yet)
        return ""
    return getattr(value, "plain", str(value))


SNAPSHOTS: list[tuple[float, float]] = []  # wall clock start, end of each snapshot the app took


class TimedClient(SwarmClient):
    def snapshot(self, *a, **k):
        t0 = time.time()
        try:
            return super().snapshot(*a, **k)
        finally:
            SNAPSHOTS.append((t0, time.time()))


class EventPatchedApp(SwarmApp):
    """SwarmApp plus the change proposed for app.py: a node's state from the events stream is shown
    at once, before the refresh it triggers lands (that refresh takes seconds in a big failover)."""

    def on_swarm_changed(self, message) -> None:
        if not self.closing:
            nodes = self.main(NodesPane)
            for node_id, state in message.signal.node_states:
                nodes.patch(node_id, "status", styled(state.capitalize()))
        super().on_swarm_changed(message)
        message.prevent_default()


APP_CLASS: list[type] = [SwarmApp]


def timed_app(lab: Lab, **settings) -> SwarmApp:
    app_settings = Settings(docker_host=lab.docker_host, **settings)
    timed = lambda: TimedClient(lab.docker_host, max_replicas=max(1000, settings.get("max_replicas", 0)))  # noqa: E731
    return APP_CLASS[0](app_settings, sources=dataclasses.replace(live_sources(app_settings), swarm=timed))


def start_node(lab: Lab, hostname: str, attempts: int = 8) -> None:
    """A node that held ~170 containers spends over a minute in containerd cleaning up dead shims,
    longer than the lab's start timeout: each attempt cleans some, so try again."""
    for attempt in range(attempts):
        try:
            lab.start_node(hostname)
            return
        except Exception as exc:  # noqa: BLE001 - LabError: retry
            print(f"  start {hostname}: attempt {attempt + 1} failed ({str(exc).splitlines()[0][:80]})", flush=True)
    raise RuntimeError(f"{hostname} did not start")


def around(event_wall: float, shown_wall: float) -> str:
    """The app's snapshots between an event and the frame that showed it."""
    spans = [(a, b) for a, b in SNAPSHOTS if b >= event_wall - 0.1 and a <= shown_wall]
    return ", ".join(f"[{a - event_wall:+.2f}s..{b - event_wall:+.2f}s]" for a, b in spans)


class Instrumented:
    """The tasks pane's syncs: duration and update_cell calls of each."""

    def __init__(self, tasks) -> None:
        self.syncs: list[tuple[float, int, int]] = []  # seconds, update_cell calls, rows
        self._cells = 0
        show, update_cell = tasks.show, tasks.update_cell

        def counted_update_cell(*a, **k):
            self._cells += 1
            return update_cell(*a, **k)

        def timed_show(task_list, now=None):
            self._cells = 0
            t0 = time.perf_counter()
            show(task_list, now)
            self.syncs.append((time.perf_counter() - t0, self._cells, len(task_list)))

        tasks.show, tasks.update_cell = timed_show, counted_update_cell


async def select_spider(app, pilot, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while app.snapshot is None or not any(s.name == SPIDER for s in app.snapshot.services):
        if time.monotonic() > deadline:
            raise RuntimeError("swarmtui never showed the spider service")
        await pilot.pause(0.1)
    services = app.query_one("#services")
    sid = next(s.id for s in app.snapshot.services if s.name == SPIDER)
    services.focus()
    services.move_cursor(row=services.get_row_index(sid))
    await pilot.pause(0.2)
    return sid


async def wait_rows(table, pilot, rows: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while table.row_count < rows:
        if time.monotonic() > deadline:
            raise RuntimeError(f"tasks pane has {table.row_count} rows, not {rows}")
        await pilot.pause(0.2)


# ---- keys ---------------------------------------------------------------------------------
async def part_keys(lab: Lab, args) -> dict:
    app = SwarmApp(Settings(docker_host=lab.docker_host))
    out: dict = {}
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await select_spider(app, pilot)
        tasks = app.query_one("#tasks-table")
        await wait_rows(tasks, pilot, args.replicas)
        await pilot.pause(1.0)
        tasks.focus()
        frames = Frames(tasks, lambda: (tasks.cursor_row, tasks.filter_text, tasks.row_count))
        await pilot.pause(0.5)

        async def press(key: str, predicate) -> float:
            t0 = time.perf_counter()
            await pilot.press(key)
            frame = await frames.wait(predicate, after=t0, timeout=5)
            await asyncio.sleep(0.05)  # a person's pace, not a key-repeat storm
            return (frame[0] - t0) * 1000 if frame else 5000.0

        cursor = []
        for i in range(args.key_presses):
            key = "down" if i < args.key_presses // 2 else "up"
            row = tasks.cursor_row
            want = row + 1 if key == "down" else row - 1
            cursor.append(await press(key, lambda s, w=want: s[0] == w))
        out["cursor"] = cursor
        app.action_filter()
        await pilot.pause(0.3)
        text = "lab-worker-1"
        typing = []
        for i, ch in enumerate(text):
            typed = text[: i + 1]
            typing.append(await press(ch, lambda s, t=typed: s[1] == t))
        out["filter_rows"] = tasks.row_count
        erasing = []
        for i in range(len(text)):
            left = text[: len(text) - i - 1]
            erasing.append(await press("backspace", lambda s, t=left: s[1] == t))
        out["filter"] = typing + erasing
        out["rows"] = tasks.total_rows
    return out


# ---- event to screen -------------------------------------------------------------------------
class EventLog:
    def __init__(self, host: str) -> None:
        self.api = docker.APIClient(base_url=host, timeout=None)
        self.events: list[dict] = []
        self.stream = self.api.events(decode=True, filters={"scope": "swarm", "type": ["node", "service"]})
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        try:
            for event in self.stream:
                self.events.append(event)
        except Exception:  # noqa: BLE001 - closed
            pass

    async def wait(self, predicate, timeout: float = 60) -> dict | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.events):
                if predicate(event):
                    return event
            await asyncio.sleep(0.02)
        return None

    def close(self) -> None:
        self.stream.close()
        self.api.close()


async def part_event(lab: Lab, client: docker.DockerClient, args) -> dict:
    app = timed_app(lab)
    out: dict = {"replicas": [], "node": []}
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await select_spider(app, pilot)
        await wait_rows(app.query_one("#tasks-table"), pilot, args.replicas)
        services, nodes = app.query_one("#services"), app.query_one("#nodes")
        fill = client.services.get("fill-01")
        node_ids = {n.hostname: n.id for n in app.snapshot.nodes}
        sframes = Frames(services, lambda: cell(services, fill.id, "replicas"))
        nframes = Frames(nodes, lambda: {h: cell(nodes, i, "status") for h, i in node_ids.items()})
        log = EventLog(lab.docker_host)
        await pilot.pause(1.0)
        try:
            for i in range(args.event_samples):
                target = 6 if i % 2 == 0 else 5
                log.events.clear()
                sframes.clear()
                await asyncio.to_thread(scale, client, target, "fill-01")
                event = await log.wait(lambda e: e["Actor"]["ID"] == fill.id
                                       and e["Actor"]["Attributes"].get("replicas.new") == str(target))
                frame = await sframes.wait(lambda v, t=target: v.split(" ")[0].endswith(f"/{t}"), timeout=30, step=0.02)
                if event and frame:
                    out["replicas"].append((frame[1] - event["timeNano"] / 1e9) * 1000)
                    print(f"  fill-01 replicas → {target}: on screen {out['replicas'][-1]:.0f} ms after the event; "
                          f"snapshots: {around(event['timeNano'] / 1e9, frame[1])}", flush=True)
                await asyncio.sleep(args.event_gap)
            for hostname in args.down_nodes:
                for action, state, shown in (("stop", "down", "Down"), ("start", "ready", "Ready")):
                    log.events.clear()
                    nframes.clear()
                    call = lab.stop_node if action == "stop" else partial(start_node, lab)
                    started = time.monotonic()
                    runner = asyncio.create_task(asyncio.to_thread(call, hostname))
                    event = await log.wait(lambda e: e["Type"] == "node" and e["Actor"]["ID"] == node_ids[hostname]
                                           and e["Actor"]["Attributes"].get("state.new") == state, timeout=120)
                    frame = await nframes.wait(lambda v: v.get(hostname) == shown, timeout=60, step=0.02)
                    await runner
                    if event and frame:
                        out["node"].append((frame[1] - event["timeNano"] / 1e9) * 1000)
                        print(f"  node {hostname} {state}: event after {time.monotonic() - started:.1f}s, "
                              f"on screen {out['node'][-1]:.0f} ms later; snapshots relative to the event: "
                              f"{around(event['timeNano'] / 1e9, frame[1])}", flush=True)
                    else:
                        print(f"  node {hostname} {state}: event={bool(event)} frame={bool(frame)}", flush=True)
                await asyncio.to_thread(wait_converged, client, args.replicas, 900)
        finally:
            log.close()
    return out


# ---- idle CPU ---------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / 100.0  # CLK_TCK is 100 on Linux


def tmux(*words: str) -> str:
    return subprocess.run(["tmux", *words], check=True, capture_output=True, text=True).stdout


def pane_pids(*sessions: str) -> dict[str, int]:
    return {name: int(tmux("list-panes", "-t", name, "-F", "#{pane_pid}").split()[0]) for name in sessions}


def idle_cpu(pids: dict[str, int], seconds: float) -> tuple[dict[str, float], float]:
    """CPU share of each pane's process over `seconds` of doing nothing, and the seconds measured."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    t0 = time.monotonic()
    time.sleep(seconds)  # the idle window being measured, not a wait for a condition
    elapsed = time.monotonic() - t0
    return {name: (cpu_seconds(pid) - before[name]) / elapsed for name, pid in pids.items()}, elapsed


def part_idle(lab: Lab, args) -> dict:
    host = lab.docker_host
    tui, anchor = "fleet-cpu-tui", "fleet-cpu-watch"
    out: dict = {}
    for session in (tui, anchor):
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    try:
        tmux("new-session", "-d", "-s", tui, "-x", str(SIZE[0]), "-y", str(SIZE[1]),
             f"exec env -u REDIS_URL {ROOT}/.venv/bin/swarmtui --host {host}")
        time.sleep(8)
        # filter the services pane to the spider, then enter: its tasks in the tasks pane
        for keys in (["-l", "/"], ["-l", SPIDER], ["Enter"], ["Enter"]):
            tmux("send-keys", "-t", tui, *keys)
            time.sleep(0.5)
        time.sleep(args.idle_warmup)
        screen = tmux("capture-pane", "-p", "-t", tui)
        if args.save_screen:
            Path(args.save_screen).write_text(screen)
        out["tui_screen_ok"] = f"{args.replicas}/{args.replicas}" in screen and "Tasks spider" in screen
        tmux("new-session", "-d", "-s", anchor, "-x", str(SIZE[0]), "-y", str(SIZE[1]),
             f"exec watch -n 2 'docker -H {host} service ls; docker -H {host} node ls'")
        time.sleep(3)
        pids = pane_pids(tui, anchor)
        share, elapsed = idle_cpu(pids, args.idle_seconds)
        out["tui_cpu"], out["watch_cpu"], out["seconds"] = share[tui], share[anchor], elapsed
        out["tui_rss_mb"] = int(next(line for line in Path(f"/proc/{pids[tui]}/status").read_text().splitlines()
                                     if line.startswith("VmRSS")).split()[1]) / 1024
    finally:
        for session in (tui, anchor):
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return out


# ---- scale -------------------------------------------------------------------------------------
def cli_watch(host: str, replicas: int, t_key: float) -> dict:
    """`docker service scale spider=N` once spider already wants N: it re-applies the count and then
    does what it always does, waits for convergence ("verify" line) and 5 s of stability (exit)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(["docker", "-H", host, "service", "scale", f"{SPIDER}={replicas}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    saw = None
    for line in proc.stdout:
        if saw is None and "verify" in line:
            saw = time.perf_counter()
    proc.wait()
    done = time.perf_counter()
    if proc.returncode:
        raise RuntimeError(f"docker service scale exited {proc.returncode}")
    saw = saw or done
    return {"started": t0 - t_key, "saw": saw - t_key, "reported": done - t_key, "own_saw": saw - t0}


async def scale_run(lab: Lab, args) -> dict:
    """One scale-up watched by both: the key press in swarmtui scales, the CLI starts right after
    the engine took the new count; both clocks start at the key press."""
    app = timed_app(lab, max_replicas=max(1000, args.replicas))
    async with app.run_test(size=SIZE, headless=True) as pilot:
        sid = await select_spider(app, pilot)
        services = app.query_one("#services")
        tasks = app.query_one("#tasks-table")
        await wait_rows(tasks, pilot, args.base)
        instrumented = Instrumented(tasks)
        frames = Frames(services, lambda: cell(services, sid, "replicas"))
        await pilot.pause(1.0)
        await pilot.press("s")
        if not isinstance(app.screen, FormScreen):
            raise RuntimeError("s did not open the scale dialog")
        app.screen.query_one("#replicas").value = str(args.replicas)
        frames.clear()
        t0 = time.perf_counter()
        await pilot.press("enter")
        with SwarmClient(lab.docker_host) as swarm:
            while swarm.service(SPIDER).replicas_desired != args.replicas:
                await asyncio.sleep(0.05)
        cli = asyncio.create_task(asyncio.to_thread(cli_watch, lab.docker_host, args.replicas, t0))
        want = f"{args.replicas}/{args.replicas} ✓"
        frame = await frames.wait(lambda v: v == want, after=t0, timeout=900, step=0.05)
        if frame is None:
            raise RuntimeError("swarmtui never showed convergence")
        anchor = await cli
        return {"seconds": frame[0] - t0, "cli": anchor, "syncs": list(instrumented.syncs)}


async def part_scale(lab: Lab, client: docker.DockerClient, args) -> dict:
    out: dict = {"swarmtui": [], "cli": [], "cli_saw": [], "cli_own": [], "syncs": []}
    for run in range(args.runs):
        scale(client, args.base)
        await asyncio.to_thread(wait_converged, client, args.base, 900)
        await asyncio.sleep(args.settle)
        result = await scale_run(lab, args)
        cli = result["cli"]
        out["swarmtui"].append(result["seconds"])
        out["cli"].append(cli["reported"])
        out["cli_saw"].append(cli["saw"])
        out["cli_own"].append(cli["own_saw"])
        out["syncs"].extend(result["syncs"])
        print(f"  run {run + 1}: swarmtui showed {args.replicas}/{args.replicas} ✓ {result['seconds']:.1f}s after the key; "
              f"CLI (started at +{cli['started']:.1f}s) saw convergence at +{cli['saw']:.1f}s, reported it at "
              f"+{cli['reported']:.1f}s", flush=True)
        await asyncio.to_thread(wait_converged, client, args.replicas, 900)
    return out


# ---- report ---------------------------------------------------------------------------------------
def report(args, results: dict) -> None:
    rows = []
    if "keys" in results:
        k = results["keys"]
        rows.append((f"cursor key, tasks pane of {k['rows']} rows (n={len(k['cursor'])})",
                     f"{med(k['cursor']):.1f} ms (p95 {p95(k['cursor']):.0f})", "-", "< 50 ms",
                     med(k["cursor"]) < 50))
        rows.append((f"filter key, type+erase 'lab-worker-1' ({k['filter_rows']} match, n={len(k['filter'])})",
                     f"{med(k['filter']):.1f} ms (p95 {p95(k['filter']):.0f})", "-", "< 50 ms",
                     med(k["filter"]) < 50))
    if "event" in results:
        e = results["event"]
        rows.append((f"event→screen, replicas changed (n={len(e['replicas'])})",
                     f"{med(e['replicas']):.0f} ms (max {max(e['replicas'], default=float('nan')):.0f})", "-", "< 1 s",
                     med(e["replicas"]) < 1000))
        rows.append((f"event→screen, node down/ready (n={len(e['node'])})",
                     f"{med(e['node']):.0f} ms (max {max(e['node'], default=float('nan')):.0f})", "-", "< 1 s",
                     med(e["node"]) < 1000))
    if "idle" in results:
        i = results["idle"]
        rows.append((f"idle CPU over {i['seconds']:.0f}s (screen ok: {i['tui_screen_ok']}, RSS {i['tui_rss_mb']:.0f} MB)",
                     f"{i['tui_cpu'] * 100:.1f}% of a core", f"watch: {i['watch_cpu'] * 100:.1f}% "
                     f"({i['tui_cpu'] / i['watch_cpu']:.2f}x)", "< 5%", i["tui_cpu"] < 0.05))
    if "scale" in results:
        s = results["scale"]
        ours, cli, saw = med(s["swarmtui"]), med(s["cli"]), med(s["cli_saw"])
        rows.append((f"scale {args.base}→{args.replicas}: key to {args.replicas}/{args.replicas} ✓ (n={len(s['swarmtui'])})",
                     f"{ours:.1f} s", f"CLI saw {saw:.1f} s, reported {cli:.1f} s ({ours / cli:.2f}x)",
                     "≤ CLI report", all(a <= b for a, b in zip(s["swarmtui"], s["cli"]))))
        syncs = s["syncs"]
        if syncs:
            rows.append((f"tasks-pane sync during scale-up (n={len(syncs)})",
                         f"{med([x[0] for x in syncs]) * 1000:.1f} ms (max {max(x[0] for x in syncs) * 1000:.0f})",
                         f"update_cell/sync median {med([x[1] for x in syncs]):.0f}, max {max(x[1] for x in syncs)}",
                         "-", True))
    width = max(len(r[0]) for r in rows) + 2
    print()
    print(f"{'measure':<{width}} {'swarmtui (median)':<28} {'anchor / ratio':<44} {'target':<13} met")
    for name, ours, anchor, target, met in rows:
        print(f"{name:<{width}} {ours:<28} {anchor:<44} {target:<13} {'yes' if met else 'NO'}")


async def amain(args) -> dict:
    lab = Lab.load(args.lab)
    client = docker.DockerClient(base_url=lab.docker_host, timeout=300)
    HOST[0] = lab.docker_host
    results: dict = {}
    print(f"fleet on lab {args.lab!r}: {args.fill} x 5 fill replicas + {SPIDER} at {args.replicas} ...", flush=True)
    ensure_fleet(client, lab, args.fill, args.replicas)
    parts = args.parts.split(",")
    if "keys" in parts:
        print("keys ...", flush=True)
        results["keys"] = await part_keys(lab, args)
    if "event" in parts:
        print("event to screen ...", flush=True)
        results["event"] = await part_event(lab, client, args)
    if "idle" in parts:
        print(f"idle CPU ({args.idle_seconds:.0f}s) ...", flush=True)
        results["idle"] = await asyncio.to_thread(part_idle, lab, args)
        print(f"  {results['idle']}", flush=True)
    if "scale" in parts:
        print("scale ...", flush=True)
        results["scale"] = await part_scale(lab, client, args)
    client.close()
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lab", default="fleet")
    ap.add_argument("--replicas", type=int, default=500)
    ap.add_argument("--base", type=int, default=50)
    ap.add_argument("--fill", type=int, default=19, help="other services, 5 replicas each")
    ap.add_argument("--runs", type=int, default=3, help="scale runs (each watched by swarmtui and the CLI)")
    ap.add_argument("--settle", type=float, default=10.0, help="seconds of rest before each scale run")
    ap.add_argument("--idle-seconds", type=float, default=60.0)
    ap.add_argument("--idle-warmup", type=float, default=10.0)
    ap.add_argument("--key-presses", type=int, default=30)
    ap.add_argument("--event-samples", type=int, default=8)
    ap.add_argument("--event-gap", type=float, default=3.0)
    ap.add_argument("--down-nodes", default="lab-worker-1", help="comma-separated nodes to stop and start")
    ap.add_argument("--parts", default="keys,event,idle,scale")
    ap.add_argument("--save-screen", default="", help="write the idle swarmtui's screen to this file")
    ap.add_argument("--patch-nodes", action="store_true",
                    help="event part with the proposed app.py change (node states from events shown at once)")
    args = ap.parse_args()
    args.down_nodes = [n for n in args.down_nodes.split(",") if n]
    if args.patch_nodes:
        APP_CLASS[0] = EventPatchedApp
    results = asyncio.run(amain(args))
    report(args, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
