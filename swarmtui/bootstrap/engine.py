"""Run the bootstrap steps on many hosts at once and report every step as it starts and ends.

One host's failure never stops the others; the result is one `HostResult` per host,
and `failed(results)` gives the targets to retry.  Everything that leaves the
engine (events, logs, summaries) has passed through the run's `Redactor`, which
knows the join token.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Callable

from swarmtui.bootstrap.hostkeys import Confirm, KnownHosts
from swarmtui.bootstrap.hosts import Target
from swarmtui.bootstrap.manager import JoinInfo, Manager, ManagerError
from swarmtui.bootstrap.steps import (
    MASK, STEPS, Auth, HostRunner, HostState, Options, Redactor, Skip, StepFailed, dry_run_plan,
)

RUNNING, OK, SKIPPED, FAILED, PLANNED = "running", "ok", "skipped", "failed", "planned"
CHECKS = ("connect", "preflight")  # steps that look but never change the host


@dataclass(frozen=True)
class StepEvent:
    host: str  # Target.label
    step: str
    status: str  # running | ok | skipped | failed | planned (dry run)
    message: str = ""
    output: tuple[str, ...] = ()  # commands and their output, redacted
    seconds: float = 0.0


@dataclass
class HostResult:
    target: Target
    steps: dict[str, StepEvent] = field(default_factory=dict)
    joined: bool = False
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.joined and self.error is None

    def summary(self) -> str:
        if self.error:
            failed = next((s for s, e in self.steps.items() if e.status == FAILED), "?")
            return f"FAILED at {failed}: {self.error}"
        changed = [s for s, e in self.steps.items() if e.status == OK and s not in CHECKS]
        if not self.joined:
            return "planned (dry run)"
        return f"joined ({'changed: ' + ', '.join(changed) if changed else 'nothing to change'}) in {self.seconds:.1f}s"


OnEvent = Callable[[StepEvent], None]


def failed(results: dict[str, HostResult]) -> list[Target]:
    return [r.target for r in results.values() if not r.ok]


class Engine:
    """`manager` is a callable returning a connected `Manager` (called once per run, in a thread)."""

    def __init__(self, manager: Callable[[], Manager] | None, known: KnownHosts | None = None, concurrency: int = 10):
        self.manager_factory = manager
        self.known = known or KnownHosts()
        self.concurrency = max(1, concurrency)
        self._manager: Manager | None = None

    async def _manager_and_join(self, role: str, redact: Redactor, required: bool) -> tuple[Manager | None, JoinInfo]:
        try:
            if self._manager is None:
                if self.manager_factory is None:
                    raise ManagerError("no Docker manager configured (--host or DOCKER_HOST)")
                self._manager = await asyncio.to_thread(self.manager_factory)
            join = await asyncio.to_thread(self._manager.join_info, role)
        except ManagerError:
            if required:
                raise
            return None, JoinInfo(token=MASK, address="<manager>:2377")
        redact.add(join.token)
        return self._manager, join

    async def run(self, targets: list[Target], auth: Auth, options: Options, on_event: OnEvent | None = None,
                  confirm: Confirm | None = None, dry_run: bool = False) -> dict[str, HostResult]:
        """Bootstrap every target (at most `concurrency` at once); raises ManagerError before any host if
        the manager cannot give a join token (a dry run falls back to placeholders)."""
        emit = on_event or (lambda event: None)
        redact = Redactor()
        manager, join = await self._manager_and_join(options.role, redact, required=not dry_run)
        results = {t.label: HostResult(target=t) for t in targets}
        if dry_run:
            for t in targets:
                for step, commands in dry_run_plan(t, options, join):
                    event = StepEvent(t.label, step, PLANNED, f"{len(commands)} command(s)", tuple(map(redact, commands)))
                    results[t.label].steps[step] = event
                    emit(event)
            return results
        limit = asyncio.Semaphore(self.concurrency)

        async def one(t: Target) -> None:
            async with limit:
                await self._host(t, auth, options, confirm, manager, join, redact, results[t.label], emit)

        await asyncio.gather(*(one(t) for t in targets))
        return results

    async def _host(self, t: Target, auth: Auth, options: Options, confirm: Confirm | None, manager: Manager,
                    join: JoinInfo, redact: Redactor, result: HostResult, emit: OnEvent) -> None:
        state = HostState(target=t)
        runner = HostRunner(state, options, auth, self.known, confirm, manager, join, redact)
        started = time.monotonic()
        try:
            for step in STEPS:
                lines: list[str] = []
                runner.log = lines.append
                emit(StepEvent(t.label, step, RUNNING))
                t0 = time.monotonic()
                try:
                    status, message = OK, await getattr(runner, step)()
                except Skip as exc:
                    status, message = SKIPPED, str(exc)
                except StepFailed as exc:
                    status, message = FAILED, str(exc)
                except Exception as exc:  # noqa: BLE001 - an unexpected error stops this host only
                    status, message = FAILED, f"unexpected {type(exc).__name__}: {exc}"
                event = StepEvent(t.label, step, status, redact(message), tuple(lines), time.monotonic() - t0)
                result.steps[step] = event
                emit(event)
                if status == FAILED:
                    result.error = event.message
                    return
            result.joined = state.joined
        finally:
            result.seconds = time.monotonic() - started
            try:
                await runner.close()
            except Exception:  # noqa: BLE001 - closing a dead connection must not hide the real result
                pass

    def close(self) -> None:
        if self._manager is not None:
            self._manager.close()
            self._manager = None
