"""Messages that worker threads post to the app (post_message is thread-safe; widgets are not)."""

from __future__ import annotations

from textual.message import Message

from swarmtui.cluster.models import OperationResult, Snapshot


class SnapshotReady(Message):
    def __init__(self, snapshot: Snapshot, scope: str | None, history: bool = False) -> None:
        super().__init__()
        self.snapshot, self.scope, self.history = snapshot, scope, history


class FailoverResult(Message):
    """The failover worker's answer: `attached` is a swarmtui.cluster.failover.Attached, or None."""

    def __init__(self, lost, attached) -> None:
        super().__init__()
        self.lost, self.attached = lost, attached


class ClusterFailed(Message):
    """A refresh failed: daemon unreachable, not a manager ... (the text says which)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class OperationDone(Message):
    def __init__(self, result: OperationResult) -> None:
        super().__init__()
        self.result = result


class OperationFailed(Message):
    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what, self.error = what, error


class SwarmChanged(Message):
    """The change feed saw node/service events or task changes: refresh now."""

    def __init__(self, signal) -> None:
        super().__init__()
        self.signal = signal  # a swarmtui.cluster.feed.Signal


class QueuePolled(Message):
    def __init__(self, snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot  # a swarmtui.queue.models.QueueSnapshot


class AlertRaised(Message):
    """An alert (or its resolution) from the alert rules (swarmtui.alerts)."""

    def __init__(self, alert) -> None:
        super().__init__()
        self.alert = alert  # a swarmtui.alerts.models.Alert


class AutoscaleSaid(Message):
    """A sentence of the autoscaler: a change, a pause, a problem (for the timeline)."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class WorkEnded(Message):
    """A screen's worker thread ended: `result`, or None with `error`. Each screen subclasses it
    (`class Ended(WorkEnded)`) so the handler is named after the screen and the message stays there."""

    bubble = False

    def __init__(self, result, error: str | None) -> None:
        super().__init__()
        self.result, self.error = result, error


class UsagePolled(Message):
    """CPU/memory of the tasks on screen: task ID -> cluster.stats Usage or Unavailable."""

    def __init__(self, usage: dict) -> None:
        super().__init__()
        self.usage = usage
