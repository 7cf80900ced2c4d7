"""Plain data the release flow reports: one event per step, one result at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# Stages, in order: build -> push -> update -> (rollback) -> done | failed
STAGES = ("build", "push", "update", "rollback", "done", "failed")


@dataclass(frozen=True)
class ReleaseEvent:
    stage: str  # one of STAGES
    message: str  # one human line, no secrets
    elapsed: float = 0.0  # seconds since the release started
    update_state: str | None = None  # the service's UpdateStatus.State when known
    cli: str | None = None  # the docker CLI command this step corresponds to

    def line(self) -> str:
        return f"[{self.elapsed:6.1f}s] {self.stage:<8} {self.message}"


@dataclass(frozen=True)
class ReleaseResult:
    service: str
    image: str  # what was asked for: registry/repo:tag
    outcome: str  # completed | rolled_back | paused | failed | unchanged
    message: str  # why, in one or more lines (task errors on a rollback)
    running_image: str = ""  # the service's image at the end (without digest)
    task_errors: tuple[str, ...] = ()
    build_seconds: float = 0.0
    push_seconds: float = 0.0
    rollout_seconds: float = 0.0
    events: tuple[ReleaseEvent, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.outcome in ("completed", "unchanged")


OnEvent = Callable[[ReleaseEvent], None]


def ignore(_: ReleaseEvent) -> None:
    pass
