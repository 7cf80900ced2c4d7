"""The TUI's side of alerts and autoscaling: the same Watcher and Autoscaler as `swarmtui watch`.

Alerts come back as messages: a notification, the terminal bell, the count in the status line,
the timeline, and the `:alerts` history. The autoscaler's sentences go to the timeline and its
next decision to the service's row. `A` on a service opens its policy dialog (refused in
read-only mode, like every change).
"""

from __future__ import annotations

import threading

from swarmtui.alerts.delivery import CallbackSink, Delivery, sinks_from
from swarmtui.alerts.models import Alert
from swarmtui.autoscale.decide import short
from swarmtui.autoscale.policy import Policy, make_policy
from swarmtui.autoscale.runner import Autoscaler, default_audit_path
from swarmtui.queue.models import QUEUE_LABEL
from swarmtui.ui.messages import AlertRaised, AutoscaleSaid
from swarmtui.ui.screens.alerts import AlertsScreen
from swarmtui.ui.screens.form import Field, FormScreen, FormSpec
from swarmtui.ui.widgets.status import StatusLine
from swarmtui.ui.widgets.timeline import Timeline

NOTIFY_SEVERITY = {"critical": "error", "warning": "warning", "info": "information"}


def policy_form(service, current: Policy | None, max_replicas: int) -> FormSpec:
    """The `A` dialog: an empty queue turns autoscaling off (the result is then the service's name)."""
    p = current
    queue = ", ".join(p.queues) if p else service.labels.get(QUEUE_LABEL, "")
    fields = [
        Field("queues", "Queue key(s), comma separated (empty: autoscaling off)", queue, placeholder="example:swarm:spider"),
        Field("min", "Min replicas", str(p.min if p else 1), restrict=r"\d*"),
        Field("max", f"Max replicas (the global cap is {max_replicas})", str(p.max if p else max(service.replicas_desired, 1) * 2), restrict=r"\d*"),
        Field("target", "Target time to drain, seconds", str(int(p.target_drain_seconds or 180) if p else 180), restrict=r"\d*"),
        Field("up", "Cooldown after a change up, seconds", str(int(p.cooldown_up_seconds) if p else 60), restrict=r"\d*"),
        Field("down", "Cooldown after a change down, seconds", str(int(p.cooldown_down_seconds) if p else 180), restrict=r"\d*"),
    ]

    def parse(v: dict[str, str]):
        queues = [q.strip() for q in v["queues"].split(",") if q.strip()]
        if not queues:
            return service.name
        try:
            table = {"queues": queues, "min": int(v["min"] or 0), "max": int(v["max"] or 0),
                     "target_drain_seconds": float(v["target"] or 0), "cooldown_up_seconds": float(v["up"] or 0),
                     "cooldown_down_seconds": float(v["down"] or 0)}
        except ValueError:
            raise ValueError("give whole numbers") from None
        return make_policy(service.name, table, max_replicas)

    return FormSpec(f"Autoscale {service.name} from its queue", fields, parse,
                    hint="decisions from the measured rate per replica · enter: save · esc: cancel")


class AlertsMixin:
    """Mixed into SwarmApp: starts the watcher on mount, handles its messages."""

    watcher = None  # a swarmtui.alerts.watch.Watcher, from the app's sources
    autoscaler: Autoscaler | None = None
    alerts: list[Alert] = []  # replaced by the app's own list in start_watcher (on mount); never appended to here
    _alert_delivery: Delivery | None = None

    def start_watcher(self) -> None:
        self.alerts = []
        if self.sources.watcher is None:
            return
        try:
            sinks = sinks_from(self.settings.alerts)
        except ValueError as exc:
            self.notify(f"alerts: {exc}", severity="error")
            sinks = []
        self._alert_delivery = Delivery([*sinks, CallbackSink(lambda a: self.post_message(AlertRaised(a)))])
        self.autoscaler = Autoscaler(self.settings, say=lambda line: self.post_message(AutoscaleSaid(line)),
                                     audit_path=default_audit_path())
        self.autoscaler.read_only = self.read_only
        self.watcher = self.sources.watcher(self._alert_delivery.send, self.autoscaler, None).start()

    def restart_watcher(self, same_swarm: bool) -> None:
        """The app now talks to another endpoint: a manager failover (`same_swarm`: its open incidents
        carry over, nothing is raised twice) or another context (a fresh start)."""
        old = self.watcher
        if old is None or self.sources.watcher is None:
            return
        if self.autoscaler is not None:
            self.autoscaler.read_only = self.read_only
        old.on_alert = lambda alert: None  # whatever the old one still sees is of the old endpoint
        old.autoscaler = None
        self.watcher = self.sources.watcher(self._alert_delivery.send, self.autoscaler, old.rules if same_swarm else None).start()
        threading.Thread(target=old.stop, name="swarmtui-watch-detach", daemon=True).start()

    def stop_watcher(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.autoscaler is not None:
            self.autoscaler.close()
        if self._alert_delivery is not None:
            self._alert_delivery.close(timeout=1.0)

    def open_alerts(self) -> int:
        """Incidents going on now: raised and not resolved yet (informational ones left out)."""
        last = {a.incident or a.line(): a for a in self.alerts}
        return sum(1 for a in last.values() if not a.resolved and a.severity != "info")

    def on_alert_raised(self, message: AlertRaised) -> None:
        if self.closing:
            return
        alert = message.alert
        self.alerts.append(alert)
        self.main(StatusLine).alerts = self.open_alerts()
        # "firing: lab-worker-1 is down", not "lab-worker-1: lab-worker-1 is down": most sentences name their object
        said = alert.sentence if alert.sentence.startswith(alert.object) else f"{alert.object}: {alert.sentence}"
        self.main(Timeline).add([f"{alert.status.lower()}: {said}"])
        severity = "information" if alert.resolved else NOTIFY_SEVERITY.get(alert.severity, "information")
        self.notify(alert.sentence, title=f"{alert.status} {alert.object}", severity=severity, timeout=8)
        if self.settings.alerts.bell and not alert.resolved and alert.severity != "info":
            self.bell()

    def on_autoscale_said(self, message: AutoscaleSaid) -> None:
        if self.closing:
            return
        self.main(Timeline).add([f"autoscale: {message.line}"])
        self.request_refresh()

    def autoscale_cells(self) -> dict[str, str]:
        """Service name -> its policy and next decision, for the services pane's AUTOSCALE column."""
        scaler = self.autoscaler
        if scaler is None:
            return {}
        return {name: f"{p.min}–{p.max} {short(scaler.status.get(name, 'measuring'), name)}"
                for name, p in scaler.policies.items()}

    def action_show_alerts(self) -> None:
        self.push_screen(AlertsScreen(self.alerts))

    def action_autoscale(self) -> None:
        service = self.selected_service()
        if not self._need("service", service) or self.autoscaler is None:
            return

        def submitted(result) -> None:
            if result is None or not self.read_only_gate.check("services.autoscale"):
                return
            if isinstance(result, Policy):
                if self.watcher and self.watcher.monitor:
                    for key in result.queues:
                        self.watcher.monitor.watch(key)
                self.autoscaler.set_policy(result)
            elif result in self.autoscaler.policies:
                self.autoscaler.remove_policy(result)

        current = self.autoscaler.policies.get(service.name)
        self.push_screen(FormScreen(policy_form(service, current, self.settings.max_replicas)), submitted)
