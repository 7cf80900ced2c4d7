"""Where alerts go: stdout lines, a webhook, a command hook — each on its own thread and queue.

    out = Delivery([StdoutSink(), WebhookSink(url), CommandSink("notify-send ...")])
    out.send(alert)      # never blocks: each sink's thread delivers in order
    out.close()

A webhook POSTs JSON with a Slack-compatible `text` field (the alert's line) and the alert's fields
under `alert`. It is retried with backoff; when every retry fails, the failure itself is reported
once to the other sinks ("webhook failing"), and once more when it delivers again. The URL is never
printed (webhook URLs carry their token in the path): only its scheme and host.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable, Iterable, TextIO

from swarmtui.alerts.models import Alert

log = logging.getLogger(__name__)
QUEUE_SIZE = 1000  # alerts waiting per sink; beyond that the oldest is dropped (a dead sink must not eat memory)


def redact_url(url: str) -> str:
    """'https://hooks.slack.com/services/T/B/secret' -> 'https://hooks.slack.com/…' (safe to show)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}{':' + str(parts.port) if parts.port else ''}/…"


class Sink:
    """A delivery channel with its own thread: `put` never blocks; `deliver` runs on the thread."""

    name = "sink"

    def __init__(self) -> None:
        self._queue: queue.Queue[Alert | None] = queue.Queue(QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        self.report: Callable[[Alert], None] = lambda alert: None  # set by Delivery: tells the other sinks
        self.delivered = 0
        self.dropped = 0

    def start(self) -> "Sink":
        self._thread = threading.Thread(target=self._run, name=f"swarmtui-alerts-{self.name}", daemon=True)
        self._thread.start()
        return self

    def put(self, alert: Alert) -> None:
        while True:
            try:
                self._queue.put_nowait(alert)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what is queued (within `timeout`), then stop."""
        if self._thread is None:
            return
        self.put(None)  # type: ignore[arg-type]
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            alert = self._queue.get()
            if alert is None:
                return
            try:
                self.deliver(alert)
                self.delivered += 1
            except Exception:  # a broken sink must not stop the others
                log.exception("alert sink %s failed", self.name)

    def deliver(self, alert: Alert) -> None:
        raise NotImplementedError


class StdoutSink(Sink):
    name = "stdout"

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__()
        self.stream = stream

    def deliver(self, alert: Alert) -> None:
        stream = self.stream or sys.stdout
        stream.write(alert.line() + "\n")
        stream.flush()


class CallbackSink(Sink):
    """Hands each alert to a function (the TUI posts a message from it)."""

    name = "app"

    def __init__(self, callback: Callable[[Alert], None]) -> None:
        super().__init__()
        self.callback = callback

    def deliver(self, alert: Alert) -> None:
        self.callback(alert)


class WebhookSink(Sink):
    name = "webhook"

    def __init__(self, url: str, timeout: float = 5.0, retries: int = 4, backoff: float = 1.0) -> None:
        super().__init__()
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"webhook {redact_url(url)}: only http:// and https:// URLs can be posted to")
        self.url = url
        self.timeout = timeout
        self.retries = retries  # attempts after the first
        self.backoff = backoff  # seconds before the first retry, doubled each time
        self.failing = False
        self.attempts = 0

    def _post(self, alert: Alert) -> None:
        body = json.dumps({"text": alert.line(), "alert": alert.to_dict()}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json", "User-Agent": "swarmtui-alerts"})
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # raises HTTPError for 4xx/5xx
            answer.read()

    def deliver(self, alert: Alert) -> None:
        delay = self.backoff
        why = ""
        for attempt in range(self.retries + 1):
            self.attempts += 1
            try:
                self._post(alert)
            except urllib.error.HTTPError as exc:
                why = f"HTTP {exc.code} {exc.reason}"
            except (urllib.error.URLError, OSError) as exc:
                why = str(getattr(exc, "reason", exc))
            else:
                if self.failing:
                    self.failing = False
                    self.report(Alert("webhook", "warning", "webhook", f"webhook {redact_url(self.url)} delivers again",
                                      time.time(), resolved=True, incident="webhook"))
                return
            if attempt < self.retries:
                time.sleep(delay)
                delay *= 2
        if not self.failing:
            self.failing = True
            self.report(Alert("webhook", "warning", "webhook",
                              f"webhook {redact_url(self.url)} failing: {why} after {self.retries + 1} attempts; alerts to it are lost until it answers",
                              time.time(), incident="webhook"))
        log.warning("alert not delivered to the webhook: %s", why)


class CommandSink(Sink):
    """Runs a shell command per alert with the alert in SWARMTUI_ALERT_* environment variables."""

    name = "command"

    def __init__(self, command: str, timeout: float = 30.0) -> None:
        super().__init__()
        self.command = command
        self.timeout = timeout
        self.failing = False

    def deliver(self, alert: Alert) -> None:
        try:
            done = subprocess.run(["/bin/sh", "-c", self.command], env={**os.environ, **alert.env()},
                                  stdin=subprocess.DEVNULL, capture_output=True, timeout=self.timeout)
            why = f"exit status {done.returncode}: {done.stderr.decode(errors='replace').strip()[:200]}" if done.returncode else ""
        except (OSError, subprocess.TimeoutExpired) as exc:
            why = str(exc)
        if why and not self.failing:
            self.failing = True
            self.report(Alert("command", "warning", "command", f"alert command failing ({why})", time.time(), incident="command"))
        elif not why and self.failing:
            self.failing = False
            self.report(Alert("command", "warning", "command", "alert command runs again", time.time(), resolved=True, incident="command"))


class Delivery:
    """Fans each alert out to every sink; a sink's own trouble goes to the others."""

    def __init__(self, sinks: Iterable[Sink]) -> None:
        self.sinks = list(sinks)
        for sink in self.sinks:
            sink.report = lambda alert, me=sink: self._to_others(me, alert)
            sink.start()

    def _to_others(self, source: Sink, alert: Alert) -> None:
        for sink in self.sinks:
            if sink is not source:
                sink.put(alert)

    def send(self, alert: Alert) -> None:
        for sink in self.sinks:
            sink.put(alert)

    def close(self, timeout: float = 5.0) -> None:
        for sink in self.sinks:
            sink.close(timeout)


def sinks_from(settings, webhook: str | None = None, stdout: bool = False, stream: TextIO | None = None) -> list[Sink]:
    """The sinks an AlertSettings asks for, plus a --webhook and stdout lines when wanted."""
    out: list[Sink] = [StdoutSink(stream)] if stdout else []
    for url in dict.fromkeys(u for u in (settings.webhook, webhook) if u):
        out.append(WebhookSink(url))
    if settings.command:
        out.append(CommandSink(settings.command))
    return out
