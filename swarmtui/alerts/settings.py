"""The [alerts] table of config.toml: every rule on by default, each tunable; unknown keys are errors.

    [alerts]
    node_down = true
    managers = true                 # a manager unreachable, quorum at risk
    crash_loop = true               # a service failing, by the same rule as its HEALTH column
    crash_loop_failures = 3         # task failures of one service (in the task history the swarm keeps) ...
    crash_loop_minutes = 5.0        # ... within this many minutes
    updates = true                  # an update paused or rolled back
    queue_stalled = true
    queue_stalled_minutes = 5.0     # depth > 0 and not falling this long while replicas run
    queue_drained = true
    redis_unreachable = true
    docker_unreachable = true
    webhook = "https://hooks.slack.com/services/..."   # POST {"text": ...}; also --webhook
    command = "notify-send swarmtui \"$SWARMTUI_ALERT_TEXT\""
    bell = true                     # the TUI rings the terminal bell on a new alert
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any, Mapping

from swarmtui.cluster import health


@dataclass(frozen=True)
class AlertSettings:
    node_down: bool = True
    managers: bool = True
    crash_loop: bool = True
    crash_loop_failures: int = 3
    crash_loop_minutes: float = 5.0
    updates: bool = True
    queue_stalled: bool = True
    queue_stalled_minutes: float = 5.0
    queue_drained: bool = True
    redis_unreachable: bool = True
    docker_unreachable: bool = True
    webhook: str | None = None
    command: str | None = None
    bell: bool = True

    @property
    def crash_thresholds(self) -> health.Thresholds:
        """The crash-loop rule every snapshot applies (the services' HEALTH, the timeline, this alert)."""
        return health.Thresholds(failures=self.crash_loop_failures, window=timedelta(minutes=self.crash_loop_minutes))


def parse_alerts(table: Mapping[str, Any], where: str = "[alerts]") -> AlertSettings:
    """The [alerts] table → AlertSettings; ValueError naming the key for anything wrong."""
    if not isinstance(table, Mapping):
        raise ValueError(f"{where} must be a table")
    known = {f.name: f for f in fields(AlertSettings)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    defaults = AlertSettings()
    out: dict[str, Any] = {}
    for key, value in table.items():
        default = getattr(defaults, key)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, (int, float)):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
        else:  # webhook, command: strings
            ok = isinstance(value, str) and value.strip() != ""
        if not ok:
            kind = "true or false" if isinstance(default, bool) else "a number > 0" if isinstance(default, (int, float)) else "a non-empty string"
            raise ValueError(f"{where}: {key} must be {kind}, not {value!r}")
        out[key] = type(default)(value) if isinstance(default, (int, float)) and not isinstance(default, bool) else value
    if "crash_loop_failures" in out:
        out["crash_loop_failures"] = max(1, int(out["crash_loop_failures"]))
    return AlertSettings(**out)
