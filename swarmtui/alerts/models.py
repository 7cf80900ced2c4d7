"""An alert: what happened, to what, how bad, when — one sentence, the same on every channel."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

SEVERITIES = ("critical", "warning", "info")


@dataclass(frozen=True)
class Alert:
    rule: str  # node_down, managers, crash_loop, updates, queue_stalled, queue_drained, redis_unreachable ...
    severity: str  # critical | warning | info (a resolved alert keeps its incident's severity)
    object: str  # "lab-worker-1", "spider", "example:swarm:spider", "redis"
    sentence: str  # "lab-worker-1 is down (worker, 3 tasks were on it)"
    at: float  # time.time()
    resolved: bool = False  # True: the incident this closes is over
    incident: str = ""  # stable key of the incident ("node_down:<node id>"), shared by its resolved message

    @property
    def status(self) -> str:
        return "RESOLVED" if self.resolved else self.severity.upper()

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def line(self) -> str:
        """One line for stdout, logs and the webhook's text: time, status, object, sentence."""
        return f"{self.when} {self.status:<8} {self.object}: {self.sentence}"

    def to_dict(self) -> dict:
        return {**asdict(self), "time": self.when, "status": self.status}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def env(self) -> dict[str, str]:
        """The alert as environment variables for a command hook."""
        return {
            "SWARMTUI_ALERT_RULE": self.rule,
            "SWARMTUI_ALERT_SEVERITY": self.severity,
            "SWARMTUI_ALERT_STATUS": self.status,
            "SWARMTUI_ALERT_OBJECT": self.object,
            "SWARMTUI_ALERT_TEXT": self.sentence,
            "SWARMTUI_ALERT_LINE": self.line(),
            "SWARMTUI_ALERT_TIME": self.when,
            "SWARMTUI_ALERT_RESOLVED": "1" if self.resolved else "0",
            "SWARMTUI_ALERT_JSON": self.to_json(),
        }
