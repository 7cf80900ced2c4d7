"""Screenshots of swarmtui running on the demo lab, as SVGs for the README.

    swarmtui lab up && swarmtui lab demo      # once
    python screenshots/make_screenshots.py    # about a minute

Drives the real app (SwarmApp in Textual's headless test harness, 160x48) against the lab
"lab" and saves what the screen shows:

    main.svg            the spider (stack crawl, service crawl_spider) running, its queue draining, its logs flowing
    help.svg            the `?` screen
    stacks.svg          `:stacks`: the stack crawl, its services, replicas and images
    secrets.svg         `:secrets`: the redis_password secret and the service using it (never its value)
    bootstrap.svg       the `b` wizard with hosts typed in (nothing is run)
    failover.svg        right after `lab stop-node lab-worker-1`: the node Down, its tasks restarted elsewhere
    rolling-update.svg  `u` on crawl_spider to image tag 0.02, caught while the update rolls

lab-worker-1 is started again afterwards (also on failure), and crawl_spider is put back on 0.01 so the
next run starts from the same place. If the queue is nearly empty, items are pushed first
(what `swarmtui lab demo --items N` does). Finally every SVG is searched for a join token
("SWMTKN-") and for the lab's Redis password; the script fails if either is found.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import html
import re
import sys
import time
from pathlib import Path

from textual.widgets import Input

from swarmtui.cluster.client import SwarmClient
from swarmtui.cluster.models import UpdatePolicy
from swarmtui.config import Settings
from swarmtui.lab.demo import QUEUE_KEY, SERVICE, deploy_spider
from swarmtui.lab.lab import Lab
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.widgets.logs import LogsPane
from swarmtui.ui.widgets.queue import QueuePane
from swarmtui.ui.widgets.table import plain
from swarmtui.ui.widgets.timeline import Timeline

HERE = Path(__file__).resolve().parent
SIZE = (160, 48)
REPO = "spider"  # the image; the demo's service is the stack's crawl_spider (SERVICE)
WORKER = "lab-worker-1"
MIN_QUEUE = 800  # items left in the queue before the run; fewer: push more
PUSH = 1500
BOOTSTRAP_HOSTS = "10.88.0.21 10.88.0.22 admin@10.88.0.23:2222"


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def rows(table) -> list[list[str]]:
    return [[plain(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def row_of(table, name: str) -> list[str] | None:
    return next((r for r in rows(table) if r and r[0] == name), None)


async def until(pilot, predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        await pilot.pause(0.25)


async def save(pilot, name: str, out: Path) -> Path:
    await pilot.pause(0.3)
    for box in pilot.app.screen.query(Input):  # a caught-mid-blink cursor would vanish from the picture
        box.cursor_blink = False
    await pilot.pause(0.1)
    path = Path(pilot.app.save_screenshot(filename=f"{name}.svg", path=str(out)))
    say(f"saved {path}")
    return path


def spider_image(lab: Lab, tag: str) -> str:
    return f"{lab.registry}/{REPO}:{tag}"


def refill_queue(lab: Lab) -> None:
    import redis

    r = redis.Redis.from_url(lab.redis_url)
    try:
        depth = r.llen(QUEUE_KEY)
    finally:
        r.close()
    if depth < MIN_QUEUE:
        deploy_spider(lab, items=PUSH, say=say)  # the service exists already: this only pushes items


def put_spider_back(lab: Lab, tag: str = "0.01", timeout: float = 180.0) -> None:
    """Spider on `tag` again (quickly: two at a time), waiting until the swarm says completed."""
    with SwarmClient(lab.docker_host) as client:
        service = client.snapshot().service_by_name(SERVICE)
        if service is None or service.image == spider_image(lab, tag):
            return
        say(f"putting {SERVICE} back on {tag} ...")
        client.update_image(service.id, spider_image(lab, tag), UpdatePolicy(parallelism=2, monitor_seconds=1.0))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = client.snapshot().service_by_name(SERVICE).update_status
            if status is not None and status.state in ("completed", "rollback_completed", "paused", "rollback_paused"):
                say(f"{SERVICE}: update {status.state}")
                return
            time.sleep(1)
        say(f"warning: {SERVICE} was not back on {tag} within {timeout:.0f}s")


def start_worker(lab: Lab) -> None:
    """Start lab-worker-1 if it is stopped and wait until the swarm has it Ready."""
    with SwarmClient(lab.docker_host) as client:
        node = next((n for n in client.snapshot().nodes if n.hostname == WORKER), None)
    if node is not None and node.status == "ready":
        return
    say(f"starting {WORKER} again ...")
    try:
        lab.start_node(WORKER)
    except Exception as exc:  # noqa: BLE001 - already running: the swarm check below decides
        say(f"start-node: {exc}")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with SwarmClient(lab.docker_host) as client:
            node = next((n for n in client.snapshot().nodes if n.hostname == WORKER), None)
        if node is not None and node.status == "ready":
            say(f"{WORKER} Ready")
            return
        time.sleep(1)
    say(f"warning: {WORKER} not Ready again within 90 s")


async def select_spider(pilot) -> None:
    app = pilot.app
    services = app.query_one("#services")
    await until(pilot, lambda: row_of(services, SERVICE) is not None, "the spider row")
    index = next(i for i, r in enumerate(rows(services)) if r[0] == SERVICE)
    services.move_cursor(row=index)
    services.focus()
    await until(pilot, lambda: app.main(LogsPane).service_name == SERVICE, "the logs pane to follow spider")


async def view(pilot, word: str, name: str, out: Path) -> Path:
    """`:word` on the main screen, shot once its table has rows, then closed."""
    app = pilot.app
    await pilot.press("colon")
    app.query_one("#command", Input).value = word
    await pilot.press("enter")
    await until(pilot, lambda: app.screen.query("#view-table") and app.screen.query_one("#view-table").row_count > 0,
                f"the :{word} view's rows")
    path = await save(pilot, name, out)
    await pilot.press("escape")
    await until(pilot, lambda: len(app.screen_stack) == 1, f"the :{word} view to close")
    return path


async def shoot(lab: Lab, out: Path) -> list[Path]:
    if lab.ssh:  # the workers' CPU/memory: reached with the lab's ssh, as `eval "$(swarmtui lab env)"` sets up
        os.environ["PATH"] = f"{lab.ssh_bin}:{os.environ['PATH']}"
    settings = Settings(docker_host=lab.docker_host, redis_url=lab.redis_url, registry=lab.registry)
    app = SwarmApp(settings)
    saved: list[Path] = []
    async with app.run_test(size=SIZE) as pilot:
        await select_spider(pilot)
        logs, queue, nodes, services, timeline = (app.main(LogsPane), app.main(QueuePane), app.query_one("#nodes"),
                                                   app.query_one("#services"), app.main(Timeline))
        tasks = app.query_one("#tasks-table")
        await until(pilot, lambda: tasks.row_count > 0, "the spider's tasks")
        await until(pilot, lambda: logs.received >= 15, "log lines")

        def measured() -> bool:  # two samples or more: the rate columns hold numbers, not "…"
            stats = queue.snapshot.get(QUEUE_KEY) if queue.snapshot else None
            return stats is not None and stats.rate_in is not None and len(stats.history) >= 8

        await until(pilot, measured, "a few queue samples", timeout=90)
        saved.append(await save(pilot, "main", out))

        await pilot.press("question_mark")
        saved.append(await save(pilot, "help", out))
        await pilot.press("escape")
        saved.append(await view(pilot, "stacks", "stacks", out))
        saved.append(await view(pilot, "secrets", "secrets", out))

        await pilot.press("1", "b")
        await until(pilot, lambda: app.screen.query("#hosts"), "the bootstrap wizard")
        await pilot.click("#hosts")
        await pilot.press(*BOOTSTRAP_HOSTS)
        saved.append(await save(pilot, "bootstrap", out))
        await pilot.press("escape")
        await until(pilot, lambda: len(app.screen_stack) == 1, "the wizard to close")
        await pilot.press("2")

        if not any(row[1] == WORKER for row in (tasks.get_row_at(i) for i in range(tasks.row_count))):
            # an earlier failover left no replica on the worker: spread them again first
            say(f"no spider replica on {WORKER}: a rolling restart spreads them again ...")
            await asyncio.to_thread(lambda: SwarmClient(lab.docker_host).restart(SERVICE))
            await until(pilot, lambda: any(str(tasks.get_row_at(i)[1]) == WORKER for i in range(tasks.row_count)),
                        f"a replica on {WORKER}", timeout=90)
        say(f"stopping {WORKER} ...")
        try:
            await asyncio.to_thread(lab.stop_node, WORKER)
            await until(pilot, lambda: (row_of(nodes, WORKER) or ["", "", ""])[2] == "Down", f"{WORKER} Down")
            await until(pilot, lambda: any("restarted on" in e for e in timeline.entries),
                        "a task restarted elsewhere", timeout=30)
            await pilot.pause(1.5)
            saved.append(await save(pilot, "failover", out))
        finally:
            await asyncio.to_thread(start_worker, lab)
        await until(pilot, lambda: (row_of(nodes, WORKER) or ["", "", ""])[2] == "Ready", f"{WORKER} Ready in the app")

        await select_spider(pilot)
        await pilot.press("u")
        await until(pilot, lambda: app.screen.query("#image"), "the update dialog")
        image = app.screen.query_one("#image", Input)
        image.focus()
        image.value = spider_image(lab, "0.02")
        await pilot.press("enter")
        say(f"rolling {SERVICE} to 0.02 ...")

        def rolling() -> bool:
            row = row_of(services, SERVICE)
            return bool(row) and "updating" in row[-1] and any(r[6] == "0.02" for r in rows(tasks))

        await until(pilot, rolling, "the update to be under way with a 0.02 replica", timeout=90)
        await pilot.pause(1)
        saved.append(await save(pilot, "rolling-update", out))
    return saved


def check_secrets(lab: Lab, paths: list[Path]) -> list[str]:
    password = lab.redis_password_file.read_text().strip() if lab.redis_password_file.exists() else ""
    found = []
    for path in paths:
        raw = path.read_text()
        # also the drawn text: a screen line is split into one <text> per style, spaces are &#160;
        text = raw + html.unescape(re.sub(r"<[^>]+>", "", raw)).replace("\xa0", " ")
        if "SWMTKN-" in text:
            found.append(f"{path.name}: a join token (SWMTKN-)")
        if password and password in text:
            found.append(f"{path.name}: the lab's Redis password")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lab", default="lab", help="lab name (default: lab)")
    parser.add_argument("--out", type=Path, default=HERE, help="where the SVGs go (default: screenshots/)")
    args = parser.parse_args(argv)
    lab = Lab.load(args.lab)
    args.out.mkdir(parents=True, exist_ok=True)
    start_worker(lab)
    put_spider_back(lab)
    refill_queue(lab)
    try:
        saved = asyncio.run(shoot(lab, args.out))
    finally:
        start_worker(lab)
        put_spider_back(lab)
    leaks = check_secrets(lab, sorted(args.out.glob("*.svg")))
    if leaks:
        for leak in leaks:
            print(f"SECRET IN SCREENSHOT: {leak}", file=sys.stderr)
        return 1
    say(f"{len(saved)} screenshots in {args.out}; no join token or Redis password in them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
