"""Sorting a 500-row table: swarmtui's sort by value vs Textual's own DataTable.sort, in one run.

A headless app holds swarmtui's tasks table with ROWS tasks (20 services, 3 nodes, mixed states,
ages and exit codes, the shape the lab's 500-replica fleet has).  For each column it times:

  swarmtui  LiveTable.set_sort(column): the rows ordered by their values (a state's rank, a
            time, a number), ties in the table's own order, the header marked, the cursor kept
  anchor    DataTable.sort(column, key=drawn text): Textual's own sort of the same rows by the
            text of the cells (what sorting "by rendered text" would cost)

and the refresh path: a sync of all ROWS rows, each with one changed cell, while sorted.

Run:  .venv/bin/python bench/sort_tables.py [--rows 500] [--runs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult

from swarmtui.cluster.models import Task
from swarmtui.ui.widgets.table import plain
from swarmtui.ui.widgets.tasks import TasksTable

STATES = ("running",) * 12 + ("failed", "shutdown", "pending", "starting", "rejected", "complete")
NOW = datetime(2026, 12, 1, 22, 0, tzinfo=timezone.utc)


def tasks(rows: int) -> tuple[Task, ...]:
    rnd = random.Random(15)
    out = []
    for i in range(rows):
        service = f"crawl_{i % 20:02d}"
        state = rnd.choice(STATES)
        out.append(Task(
            id=f"t{i:05d}", service_id=service, service_name=service, slot=i // 20 + 1, node_id=f"n{i % 3}",
            node_hostname=f"lab-worker-{i % 3}", desired_state="running" if state == "running" else "shutdown",
            state=state, state_since=NOW - timedelta(seconds=rnd.randint(1, 86_400)),
            error="task: non-zero exit (1)" if state == "failed" else "",
            exit_code=1 if state == "failed" else (0 if state in ("shutdown", "complete") else None),
            image=f"10.89.0.1:8003/spider:0.{rnd.randint(1, 12):02d}",
        ))
    return tuple(out)


class Host(App):
    def compose(self) -> ComposeResult:
        yield TasksTable()


def ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


async def run(rows: int, runs: int) -> list[tuple[str, float, float, float, float]]:
    app = Host()
    results = []
    async with app.run_test(size=(200, 60)) as pilot:
        table = app.query_one(TasksTable)
        data = tasks(rows)
        table.show(data, NOW)
        await pilot.pause()
        table.move_cursor(row=rows // 2)
        for index, (column, label) in enumerate(TasksTable.COLUMNS):
            ours, anchor = [], []
            for n in range(runs):
                start = time.perf_counter()
                table.set_sort(column, reverse=bool(n % 2))
                ours.append(time.perf_counter() - start)
                start = time.perf_counter()
                table.sort(column, key=lambda cell: plain(cell).lower(), reverse=bool(n % 2))
                anchor.append(time.perf_counter() - start)
            results.append((label, *ms(ours), *ms(anchor)))
        table.set_sort("state")
        syncs = []
        for n in range(runs):
            moved = tuple(replace(t, node_hostname=f"lab-worker-{(i + n) % 3}") for i, t in enumerate(data))
            start = time.perf_counter()
            table.show(moved, NOW)
            syncs.append(time.perf_counter() - start)
        results.append(("refresh: sync of every row, sorted by STATE", *ms(syncs), float("nan"), float("nan")))
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=500)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    results = asyncio.run(run(args.rows, args.runs))
    print(f"{args.rows} rows, {args.runs} runs per column (ms: median / p95)")
    print("| column | swarmtui set_sort (by value) | DataTable.sort (by text) | ratio |")
    print("|---|---|---|---|")
    for label, med, p95, a_med, a_p95 in results:
        ratio = f"{med / a_med:.1f}×" if a_med == a_med else ""
        anchor = f"{a_med:.2f} / {a_p95:.2f}" if a_med == a_med else "—"
        print(f"| {label} | {med:.2f} / {p95:.2f} | {anchor} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
