import os
import subprocess
import sys

import pytest

from swarmtui import __version__
from swarmtui.config import ConfigError, load_settings
from swarmtui.lab.lab import Lab
from swarmtui.lab.system import LabError


def test_flags_beat_environment_beat_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('docker_host = "unix:///from/file"\nredis_url = "redis://file"\nmax_replicas = 42\n')
    env = {"DOCKER_HOST": "tcp://from-env:2375"}
    settings = load_settings({"docker_host": None, "redis_url": "redis://flag"}, env=env, path=path)
    assert settings.docker_host == "tcp://from-env:2375"
    assert settings.redis_url == "redis://flag"
    assert settings.max_replicas == 42


def test_broken_or_unknown_config_names_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("docker_host = \n")
    with pytest.raises(ConfigError, match=str(path)):
        load_settings(env={}, path=path)
    path.write_text('dockr_host = "x"\n')
    with pytest.raises(ConfigError, match="unknown setting.*dockr_host"):
        load_settings(env={}, path=path)


def test_version_and_help_list_subcommands():
    out = subprocess.run([sys.executable, "-m", "swarmtui", "--version"], capture_output=True, text=True).stdout
    assert out.strip() == f"swarmtui {__version__}"
    helptext = subprocess.run([sys.executable, "-m", "swarmtui", "--help"], capture_output=True, text=True).stdout
    assert "lab" in helptext


def test_a_layer_that_fails_to_import_fails_the_command_loudly(monkeypatch):
    from swarmtui import cli

    monkeypatch.setattr(cli, "SUBCOMMANDS", (*cli.SUBCOMMANDS, ("swarmtui.no_such_layer", "broken")))
    with pytest.raises(ModuleNotFoundError, match="swarmtui.no_such_layer"):
        cli.build_parser()


def test_lab_layout_names_and_addresses():
    lab = Lab(name="demo", subnet="10.77.0.0/24", managers=2, workers=2)
    assert [(n.hostname, n.address) for n in lab.nodes] == [
        ("lab-manager-1", "10.77.0.11"), ("lab-manager-2", "10.77.0.12"),
        ("lab-worker-1", "10.77.0.13"), ("lab-worker-2", "10.77.0.14"),
    ]
    assert lab.registry == "10.77.0.1:8003"
    assert lab.node("worker-2").hostname == "lab-worker-2"
    with pytest.raises(LabError, match="no lab node called"):
        lab.node("worker-9")


def test_bad_lab_names_and_shapes_are_refused():
    with pytest.raises(LabError, match="up to 6 letters"):
        Lab(name="much-too-long")
    with pytest.raises(LabError, match="at least one manager"):
        Lab(managers=0)


def test_endpoint_precedence_is_the_docker_clis(tmp_path):
    """--host > DOCKER_HOST > --context > DOCKER_CONTEXT > the file's docker_host/context."""
    from swarmtui.config import load_settings

    cfg = tmp_path / "config.toml"
    cfg.write_text('context = "filectx"\n[contexts.envctx]\nredis_url = "redis://default:x@10.0.0.9:1/0"\n')
    env = {"DOCKER_HOST": "ssh://root@10.0.0.1", "DOCKER_CONTEXT": "envctx"}
    def pick(flags, env):
        settings = load_settings(flags, env=env, path=cfg)
        return settings.docker_host, settings.context, settings.endpoint_source
    assert pick({"docker_host": "tcp://h:2376", "context": "flagctx"}, env) == ("tcp://h:2376", None, "--host")
    assert pick({"context": "flagctx"}, env) == ("ssh://root@10.0.0.1", None, "DOCKER_HOST")
    assert pick({"context": "flagctx"}, {"DOCKER_CONTEXT": "envctx"}) == (None, "flagctx", "--context")
    assert pick({}, {"DOCKER_CONTEXT": "envctx"}) == (None, "envctx", "DOCKER_CONTEXT")
    assert pick({}, {}) == (None, "filectx", "context in the config file")
    # a context's own Redis URL, unless REDIS_URL / --redis say otherwise
    assert load_settings({}, env={"DOCKER_CONTEXT": "envctx"}, path=cfg).redis_url == "redis://default:x@10.0.0.9:1/0"
    assert load_settings({}, env={"DOCKER_CONTEXT": "envctx", "REDIS_URL": "redis://o:1/0"}, path=cfg).redis_url == "redis://o:1/0"


def test_failover_endpoint_keeps_scheme_user_port_and_tls():
    from swarmtui.cluster.endpoint import Endpoint

    ssh = Endpoint(host="ssh://ops@10.0.0.1:2222", context="prod")
    assert ssh.at("10.0.0.2").host == "ssh://ops@10.0.0.2:2222"
    tls = Endpoint(host="tcp://10.0.0.1:2376", tls_ca="/c/ca.pem", tls_cert="/c/cert.pem", tls_key="/c/key.pem", tls_verify=True)
    moved = tls.at("10.0.0.3")
    assert (moved.host, moved.tls_ca, moved.tls_verify) == ("tcp://10.0.0.3:2376", "/c/ca.pem", True)


def test_no_failover_through_a_local_socket_or_without_other_managers():
    from datetime import datetime, timezone

    from swarmtui.cluster.endpoint import Endpoint
    from swarmtui.cluster.failover import why_not
    from swarmtui.cluster.models import Node, Snapshot, SwarmInfo

    def node(name, role, address):
        return Node(id=name, hostname=name, role=role, status="ready", availability="active", manager_reachability="reachable",
                    leader=False, engine_version="", address=address, cpus=1, memory_bytes=1)

    snap = Snapshot(swarm=SwarmInfo(id="s", managers=2, workers=0, heartbeat_seconds=5),
                    nodes=(node("m1", "manager", "10.0.0.1"), node("m2", "manager", "10.0.0.2")),
                    services=(), tasks=(), taken_at=datetime.now(timezone.utc))
    assert why_not(Endpoint(host="ssh://root@10.0.0.1"), snap) is None
    assert "local socket" in why_not(Endpoint(host="unix:///run/m1/docker.sock"), snap)
    alone = Snapshot(swarm=snap.swarm, nodes=snap.nodes[:1], services=(), tasks=(), taken_at=snap.taken_at)
    assert why_not(Endpoint(host="ssh://root@10.0.0.1"), alone) == "the swarm has no other manager"


def test_bare_swarmtui_takes_the_tuis_own_flags(monkeypatch):
    """`swarmtui --read-only` (as the README says) is `swarmtui tui --read-only`."""
    from swarmtui.ui import cli as tui_cli

    seen = []
    monkeypatch.setattr(tui_cli, "run", lambda args, settings: seen.append((args.read_only, settings.docker_host)) or 0)
    from swarmtui import cli

    assert cli.main(["--host", "unix:///x.sock", "--read-only"]) == 0
    assert cli.main(["tui"]) == 0
    assert seen == [(True, "unix:///x.sock"), (False, seen[1][1])]


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path):
    # `swarmtui keys ls | head -3`: the pipe closes under the listing; a shell's own commands just stop.
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone: the first write fails
    done = subprocess.run([sys.executable, "-m", "swarmtui", "--config", str(tmp_path / "none.toml"), "keys", "ls"],
                          stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60)
    os.close(write_end)
    assert done.returncode == 141 and done.stderr == ""
