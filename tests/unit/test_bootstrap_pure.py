"""Pure parts of the bootstrap: daemon.json merge, target parsing, dry-run token masking."""

from __future__ import annotations

import asyncio
import json

import pytest

from swarmtui.bootstrap import daemon_json
from swarmtui.bootstrap.engine import Engine, PLANNED
from swarmtui.bootstrap.hosts import HostSpecError, Target, load_targets, parse_labels, parse_target
from swarmtui.bootstrap.manager import JoinInfo
from swarmtui.bootstrap.steps import MASK, Auth, Options, Redactor

REG = "10.89.0.1:8003"


# --- daemon.json -----------------------------------------------------------------------------

@pytest.mark.parametrize("before", [None, "", "  \n"])
def test_missing_or_empty_daemon_json_is_an_empty_object(before):
    m = daemon_json.merge(before, REG)
    assert m.changed and json.loads(m.after) == {"insecure-registries": [REG]}


def test_other_keys_and_registries_are_kept():
    before = json.dumps({"log-driver": "json-file", "log-opts": {"max-size": "10m"}, "insecure-registries": ["a:5000"]})
    m = daemon_json.merge(before, REG)
    assert m.changed
    assert json.loads(m.after) == {"log-driver": "json-file", "log-opts": {"max-size": "10m"},
                                   "insecure-registries": ["a:5000", REG]}


def test_registry_already_present_is_unchanged_byte_for_byte():
    before = '{"insecure-registries": ["10.89.0.1:8003"],   "debug": true}\n'
    m = daemon_json.merge(before, REG)
    assert not m.changed and m.after == before


@pytest.mark.parametrize("broken", ['{"debug": true', "[1, 2]", '{"insecure-registries": "a:5000"}', "{'a': 1}"])
def test_unusable_daemon_json_is_an_error(broken):
    with pytest.raises(daemon_json.DaemonJsonError, match="untouched"):
        daemon_json.merge(broken, REG)


def test_read_distinguishes_missing_from_empty():
    assert daemon_json.read_result(daemon_json.MISSING + "\n") is None
    assert daemon_json.read_result("") == ""


def test_write_script_backs_up_writes_temp_and_renames_without_appending():
    script = daemon_json.write_script("20260101-000000")
    assert ">>" not in script
    assert script.index("cp -p") < script.index("cat >") < script.index("mv -f")
    assert "daemon.json.swarmtui-backup-20260101-000000" in script


# --- targets ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, expected", [
    ("10.0.0.5", Target("10.0.0.5", 22, None)),
    ("ubuntu@web-1", Target("web-1", 22, "ubuntu")),
    ("web-1:2222", Target("web-1", 2222, None)),
    ("deploy@[2001:db8::1]:2200", Target("2001:db8::1", 2200, "deploy")),
    ("2001:db8::1", Target("2001:db8::1", 22, None)),
])
def test_parse_target(spec, expected):
    assert parse_target(spec) == expected


@pytest.mark.parametrize("spec", ["", "@host", "host:0", "host:99999", "host:ssh", "[2001:db8::1", "a b", "[zz::]:22"])
def test_parse_target_rejects(spec):
    with pytest.raises(HostSpecError):
        parse_target(spec)


def test_hosts_file_comments_default_user_and_duplicates(tmp_path):
    f = tmp_path / "hosts"
    f.write_text("# fleet\n10.0.0.5\n\nadmin@10.0.0.6:2222  # second\n10.0.0.5\n")
    targets = load_targets(["10.0.0.7"], f, default_user="ops")
    assert [(t.user, t.host, t.port) for t in targets] == [("ops", "10.0.0.7", 22), ("ops", "10.0.0.5", 22),
                                                           ("admin", "10.0.0.6", 2222)]
    assert targets[2].label == "10.0.0.6:2222"


def test_hosts_file_error_names_the_line(tmp_path):
    f = tmp_path / "hosts"
    f.write_text("10.0.0.5\nroot@:22\n")
    with pytest.raises(HostSpecError, match="line 2"):
        load_targets([], f)


def test_labels():
    assert parse_labels(["zone=eu", "gpu"]) == {"zone": "eu", "gpu": ""}
    with pytest.raises(HostSpecError):
        parse_labels(["=x"])


# --- dry run ---------------------------------------------------------------------------------

class FakeTokenSource:
    """Stands in for the manager seam only: the dry run never connects anywhere."""

    # a made-up token of the real shape, assembled so no token-shaped literal sits in the repo
    token = "SWMTKN-1-" + "3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl" + "-1awxwuwd3z9j1z3puu7rcgdbx"

    def join_info(self, role):
        return JoinInfo(token=self.token, address="10.89.0.11:2377")

    def close(self):
        pass


def test_dry_run_prints_exact_commands_with_the_token_masked(capsys):
    events = []
    engine = Engine(lambda: FakeTokenSource())
    targets = load_targets(["10.0.0.5", "ops@10.0.0.6"])
    results = asyncio.run(engine.run(targets, Auth(), Options(registry=REG, labels={"zone": "eu"}), events.append,
                                     dry_run=True))
    text = "\n".join(line for e in events for line in (e.message, *e.output))
    assert FakeTokenSource.token not in text and FakeTokenSource.token not in repr(results)
    assert MASK in text and "10.89.0.11:2377" in text
    assert {e.status for e in events} == {PLANNED}
    by_step = {(e.host, e.step): e.output for e in events}
    assert any("sudo -n" in c for c in by_step[("10.0.0.6", "registry")])
    assert not any("sudo" in c for c in by_step[("10.0.0.5", "registry")])
    assert any("exec 3<>/dev/tcp/10.89.0.11/2377" in c for c in by_step[("10.0.0.5", "preflight")])


def test_dry_run_without_a_manager_uses_placeholders():
    events = []
    asyncio.run(Engine(None).run(load_targets(["h1"]), Auth(), Options(), events.append, dry_run=True))
    assert any("<manager>:2377" in c for e in events for c in e.output)


def test_redactor_masks_every_occurrence():
    r = Redactor()
    r.add("SWMTKN-secret")
    assert r("a SWMTKN-secret b SWMTKN-secret") == f"a {MASK} b {MASK}"
    assert "SWMTKN-1-" not in repr(JoinInfo(token="SWMTKN-1-abc", address="x:2377"))
