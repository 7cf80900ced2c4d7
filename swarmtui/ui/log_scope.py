"""What the logs pane follows: every service (or a stack's), one service, one task or one node,
and how far back (`since`).  Plain data: the pane shows it in its title and save file names, the
app's stream factory turns it into a stream (swarmtui.ui.sources)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The since selector, in the order `s` steps through them: seconds back (None: no time bound,
# the tail count alone decides), and how they are written.
SINCE_CHOICES: tuple[int | None, ...] = (None, 60, 300, 900, 3600)
SINCE_WORDS = {None: "all", 60: "1m", 300: "5m", 900: "15m", 3600: "1h"}


def next_since(since: int | None) -> int | None:
    """The since choice after `since` (after 1h: all again)."""
    index = SINCE_CHOICES.index(since) if since in SINCE_CHOICES else 0
    return SINCE_CHOICES[(index + 1) % len(SINCE_CHOICES)]


@dataclass(frozen=True)
class LogScope:
    kind: str = "all"  # "all" (every service; a stack's when the app says so), "service", "task", "node"
    id: str | None = None  # the service, task or node ID (None for "all")
    name: str = "all services"  # what a person calls it: service name, task `svc.2@node`, node hostname

    @classmethod
    def service(cls, service_id: str, name: str) -> "LogScope":
        return cls("service", service_id, name)

    @classmethod
    def task(cls, task_id: str, label: str) -> "LogScope":
        return cls("task", task_id, label)

    @classmethod
    def node(cls, node_id: str, hostname: str) -> "LogScope":
        return cls("node", node_id, hostname)

    @property
    def title(self) -> str:
        """For the pane title: `spider`, `task spider.2@lab-worker-1`, `node lab-worker-1`."""
        return self.name if self.kind in ("all", "service") else f"{self.kind} {self.name}"

    def slug(self, since: int | None = None) -> str:
        """For a file name: `task-spider.2-lab-worker-1-since5m` (only [A-Za-z0-9_.-])."""
        words = [self.title if self.kind != "all" or self.name != "all services" else "all"]
        if since is not None:
            words.append(f"since{SINCE_WORDS.get(since, f'{since}s')}")
        return re.sub(r"[^A-Za-z0-9_.]+", "-", "-".join(words)).strip("-")


ALL = LogScope()

__all__ = ["LogScope", "ALL", "SINCE_CHOICES", "SINCE_WORDS", "next_since"]
