"""[alerts] and [autoscale.*] in config.toml, and `swarmtui watch --print-service` (pure)."""

from datetime import timedelta

import pytest

from swarmtui.alerts.cli import service_commands
from swarmtui.alerts.delivery import redact_url
from swarmtui.alerts.watch import Watcher
from swarmtui.cluster import health
from swarmtui.config import ConfigError, load_settings
from swarmtui.ui.sources import live


def settings_from(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_settings({}, env={}, path=path)


def test_alerts_and_autoscale_tables(tmp_path):
    s = settings_from(tmp_path, """
max_replicas = 20
[alerts]
crash_loop_failures = 4
crash_loop_minutes = 2.5
webhook = "http://127.0.0.1:9/hook"
[autoscale.spider]
queue = "example:swarm:spider"
min = 1
max = 6
target_drain_seconds = 60
cooldown_down_seconds = 30
""")
    assert s.alerts.crash_loop_failures == 4 and s.alerts.node_down is True
    # the one crash-loop rule: what the app's and the watcher's snapshots mark failing (HEALTH, timeline, alert)
    thresholds = health.Thresholds(failures=4, window=timedelta(minutes=2.5))
    assert s.alerts.crash_thresholds == thresholds
    assert live(s).swarm().crash_thresholds == thresholds
    assert Watcher(s, on_alert=print)._client_factory().crash_thresholds == thresholds
    p = s.autoscale["spider"]
    assert (p.queues, p.min, p.max, p.target_drain_seconds, p.cooldown_down_seconds, p.cooldown_up_seconds) == (
        ("example:swarm:spider",), 1, 6, 60.0, 30.0, 60.0)
    assert p.describe() == "1–6 replicas, drain within 1m 00s"


@pytest.mark.parametrize("text, message", [
    ("[alerts]\nnode_dwn = true\n", "unknown key.*node_dwn"),
    ("[autoscale.spider]\nmin = 1\n", "give the queue key"),
    ("[autoscale.spider]\nqueue = 'q'\nmin = 5\nmax = 2\n", r"min \(5\) is above max \(2\)"),
    ("max_replicas = 4\n[autoscale.spider]\nqueue = 'q'\nmax = 6\n", "above the replica cap max_replicas = 4"),
    ("[autoscale.spider]\nqueue = 'q'\ncooldown = 5\n", "unknown key.*cooldown"),
    ("[autoscale.spider]\nqueue = 'q'\nmax = 'six'\n", "max must be a whole number"),
])
def test_bad_tables_are_clear_errors_naming_the_file(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as info:
        settings_from(tmp_path, text)
    assert str(tmp_path / "config.toml") in str(info.value)


def test_print_service_runs_on_a_manager_with_the_socket_and_secrets():
    lines = service_commands("reg:8003/swarmtui:0.1", "/var/run/docker.sock", webhook=True, redis=True, autoscale=False)
    assert lines[0] == "printf '%s' \"$WEBHOOK_URL\" | docker secret create swarmtui-webhook -"
    create = lines[-1].replace(" \\\n    ", " ")
    assert create.startswith("docker service create --name swarmtui-watch --constraint node.role==manager")
    assert "--mount type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock" in create
    assert "--secret source=swarmtui-webhook,target=webhook_url --env SWARMTUI_WEBHOOK_FILE=/run/secrets/webhook_url" in create
    assert create.endswith("reg:8003/swarmtui:0.1 watch")


def test_webhook_urls_are_shown_without_their_secret_path():
    assert redact_url("https://hooks.slack.com/services/T1/B2/sekrit") == "https://hooks.slack.com/…"
    assert redact_url("http://127.0.0.1:8080/x?token=sekrit") == "http://127.0.0.1:8080/…"
