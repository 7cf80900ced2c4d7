"""The docker CLI equivalents: one builder per operation, pasteable, complete, and the same in
every place a user sees one (dialog preview, confirmation, headless prompt, "done")."""

from __future__ import annotations

import dataclasses
import json
import shlex
from pathlib import Path

import pytest

from swarmtui.cli import main
from swarmtui.cluster import commands, convert
from swarmtui.cluster.models import Node, Service, UpdatePolicy
from swarmtui.ui.screens import dialogs

POLICY = UpdatePolicy(parallelism=2, delay_seconds=1.5, failure_action="rollback", order="start-first",
                      monitor_seconds=0.25, max_failure_ratio=0.3)


def test_every_update_policy_field_has_its_flag():
    flags = commands.update_flags(POLICY)
    shown = dict(zip(flags[::2], flags[1::2]))
    assert shown == {"--update-parallelism": "2", "--update-delay": "1.5s", "--update-failure-action": "rollback",
                     "--update-order": "start-first", "--update-monitor": "0.25s", "--update-max-failure-ratio": "0.3"}
    # a field added to UpdatePolicy without a flag would silently be missing from every shown command
    assert len(shown) == len(dataclasses.fields(UpdatePolicy))


@pytest.mark.parametrize("seconds, text", [(0, "0s"), (5, "5s"), (1.5, "1.5s"), (0.0001, "0.0001s"), (120, "120s")])
def test_durations_are_go_durations(seconds, text):
    assert commands.duration(seconds) == text


def test_odd_values_are_quoted_so_the_command_pastes():
    env = ["GREETING=hello world", "PRICE=$5", "QUOTE=it's"]
    cli = commands.create_service("spider", "10.0.0.1:8003/spider:0.02", 3, network="host", env=env,
                                  constraints=["node.labels.zone==eu west"], labels={"team": "a b"},
                                  stop_grace_seconds=2, command=["python3", "-c", "print('hi')"], policy=POLICY)
    words = shlex.split(cli)
    assert words[:7] == ["docker", "service", "create", "--name", "spider", "--replicas", "3"]
    assert [words[i + 1] for i, w in enumerate(words) if w == "--env"] == env
    assert words[words.index("--constraint") + 1] == "node.labels.zone==eu west"
    assert words[words.index("--label") + 1] == "team=a b"
    assert words[words.index("--stop-grace-period") + 1] == "2s"
    assert words[-4:] == ["10.0.0.1:8003/spider:0.02", "python3", "-c", "print('hi')"]
    assert shlex.split(commands.labels("n 1", {"a": "x y", "bare": ""}, ["old"])) == [
        "docker", "node", "update", "--label-add", "a=x y", "--label-add", "bare", "--label-rm", "old", "n 1"]


def load(name: str):
    return json.loads((Path(__file__).parent / "fixtures" / name).read_text())


def service() -> Service:
    """A service as the lab reported it (captured payload), renamed "spider"."""
    return dataclasses.replace(convert.service(load("cluster_services.json")[0], convert.network_names(load("cluster_networks.json"))),
                               name="spider")


def node() -> Node:
    return dataclasses.replace(convert.node(load("cluster_nodes.json")[0], 0), hostname="lab-worker-1")


def test_update_dialog_preview_has_every_flag_the_operation_sends():
    form = dialogs.update_form(service())
    request = form.parse({"image": "10.0.0.1:8003/spider:0.02", "parallelism": "2", "delay": "1.5",
                          "failure_action": "rollback", "order": "start-first", "monitor": "5"})
    preview = form.cli(request)
    assert "--update-max-failure-ratio 0" in preview  # the dialog used to leave it out
    assert preview == commands.update_image("spider", request.image, request.policy)


def test_new_service_dialog_preview_has_the_update_flags():
    form = dialogs.new_service_form("10.0.0.1:8003/spider:0.01", 50)
    new = form.parse({"name": "barseed", "image": "10.0.0.1:8003/spider:0.01", "replicas": "2", "network": "host",
                      "env": "A=1 'B=two words'", "constraints": "node.role==worker, node.labels.zone==eu"})
    preview = form.cli(new)
    assert "--update-parallelism 1" in preview and "--update-failure-action pause" in preview
    assert shlex.split(preview)[shlex.split(preview).index("--env") + 3] == "B=two words"
    assert preview == commands.create_service("barseed", new.image, 2, network="host", env=new.env,
                                              constraints=new.constraints, policy=new.policy)


def test_labels_dialog_preview_is_one_command_for_adds_and_removes():
    form = dialogs.labels_form(node())
    change = form.parse({"labels": "zone=eu ssd -old"})
    assert form.cli(change) == "docker node update --label-add zone=eu --label-add ssd --label-rm old lab-worker-1"


@pytest.mark.parametrize("argv, says", [
    (["service", "scale", "spider", "abc"], "replica count 'abc' is not a whole number"),
    (["service", "scale", "spider", "-2"], "negative"),
    (["service", "update", "spider", "--image", "Not An Image"], "not a valid image reference"),
    (["service", "update", "spider", "--image", "r/s:1", "--max-failure-ratio", "3"], "failure ratio"),
    (["service", "create", "bad name!", "r/s:1"], "service name 'bad name!' is not valid"),
    (["service", "create", "--env", "NOEQUALS", "ok", "r/s:1"], "environment entry 'NOEQUALS' is not KEY=VALUE"),
    (["service", "create", "--replicas", "many", "ok", "r/s:1"], "not a whole number"),
    (["node", "label", "lab-worker-1"], "no label to change"),
    (["node", "label", "lab-worker-1", "zone"], "label 'zone' is not KEY=VALUE"),
])
def test_headless_commands_refuse_bad_arguments_before_asking(capsys, tmp_path, argv, says):
    # no daemon at that address: the arguments are judged before the swarm is even asked
    code = main(["--host", f"unix://{tmp_path}/none.sock", *argv])
    err = capsys.readouterr().err
    assert code == 1 and says in err
    assert "refusing" not in err and "no Docker daemon" not in err


def test_release_build_and_push_commands_are_quoted():
    cli = commands.build("10.0.0.1:8003/spider:0.03", "sample spider", {"NOTE": "a b"})
    assert shlex.split(cli) == ["docker", "build", "-t", "10.0.0.1:8003/spider:0.03", "--build-arg", "NOTE=a b", "sample spider"]
    assert commands.push("10.0.0.1:8003/spider:0.03") == "docker push 10.0.0.1:8003/spider:0.03"
