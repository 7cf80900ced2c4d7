"""Alert delivery to a real HTTP receiver on loopback and a real command hook."""

from __future__ import annotations

import io
import time

from swarmtui.alerts.delivery import CallbackSink, CommandSink, Delivery, StdoutSink, WebhookSink
from swarmtui.alerts.models import Alert


def alert(n: int) -> Alert:
    return Alert("node_down", "critical", f"lab-worker-{n}", f"lab-worker-{n} is down (worker)", time.time(), incident=f"node_down:{n}")


def wait(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_webhook_posts_slack_compatible_json(webhook):
    delivery = Delivery([WebhookSink(webhook.url)])
    delivery.send(alert(1))
    delivery.close()
    [body] = [b for _, _, b in webhook.posts]
    assert body["text"].endswith("CRITICAL lab-worker-1: lab-worker-1 is down (worker)")
    assert body["alert"]["object"] == "lab-worker-1" and body["alert"]["severity"] == "critical"


def test_a_webhook_answering_500_is_retried_and_reported_once_then_recovers(webhook):
    webhook.status = 500
    reported: list[Alert] = []
    sink = WebhookSink(webhook.url, retries=2, backoff=0.05)
    delivery = Delivery([sink, CallbackSink(reported.append)])
    started = time.monotonic()
    for n in range(3):
        delivery.send(alert(n))
    assert time.monotonic() - started < 2.0  # sending never waits for the webhook
    wait(lambda: len(webhook.posts) == 9)  # each alert: the first try and 2 retries
    wait(lambda: len(reported) == 4)  # the 3 alerts themselves + one "failing"
    failing = [a for a in reported if a.rule == "webhook"]
    assert len(failing) == 1, [a.line() for a in reported]
    assert "HTTP 500" in failing[0].sentence and "3 attempts" in failing[0].sentence
    assert "not-a-real-token" not in failing[0].sentence  # the URL's secret path is never shown
    webhook.status = 200
    delivery.send(alert(9))
    wait(lambda: len(webhook.accepted()) == 1)
    wait(lambda: any(a.rule == "webhook" and a.resolved for a in reported))
    delivery.close()
    assert [a.resolved for a in reported if a.rule == "webhook"] == [False, True]


def test_an_unreachable_webhook_does_not_block_the_other_sinks():
    out = io.StringIO()
    # a port nothing listens on (bound then closed)
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    delivery = Delivery([WebhookSink(f"http://127.0.0.1:{port}/x", retries=3, backoff=1.0), StdoutSink(out)])
    delivery.send(alert(1))
    wait(lambda: "lab-worker-1 is down" in out.getvalue(), timeout=10.0)
    delivery.close(timeout=0.1)


def test_command_hook_gets_the_alert_in_its_environment(tmp_path):
    target = tmp_path / "got"
    delivery = Delivery([CommandSink(f'printf "%s|%s|%s" "$SWARMTUI_ALERT_STATUS" "$SWARMTUI_ALERT_OBJECT" "$SWARMTUI_ALERT_TEXT" > {target}')])
    delivery.send(alert(2))
    delivery.close()
    assert target.read_text() == "CRITICAL|lab-worker-2|lab-worker-2 is down (worker)"


def test_a_failing_command_is_reported_once():
    reported: list[Alert] = []
    delivery = Delivery([CommandSink("echo nope >&2; exit 3"), CallbackSink(reported.append)])
    for n in range(3):
        delivery.send(alert(n))
    wait(lambda: len(reported) == 4)
    delivery.close()
    [failing] = [a for a in reported if a.rule == "command"]
    assert "exit status 3: nope" in failing.sentence
