"""Bootstrap against real OpenSSH servers: host keys, auth, daemon.json, joins — no mocks.

Fresh hosts are real namespaces with their own sshd, /etc, /etc/docker and a stopped
Docker (swarmtui.lab.fresh_host); the manager is one of them after `docker swarm init`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest

from swarmtui.bootstrap.engine import FAILED, OK, SKIPPED, Engine
from swarmtui.bootstrap.hosts import Target, load_targets
from swarmtui.bootstrap.manager import JoinInfo, Manager, ManagerError
from swarmtui.bootstrap.steps import Auth, HostRunner, HostState, Options, Redactor, StepFailed
from swarmtui.cluster.client import SwarmClient
from swarmtui.lab.system import run

pytestmark = pytest.mark.sshd
REG = "10.89.201.1:8003"


def host_fingerprint(pub_path) -> str:
    return run("ssh-keygen", "-lf", str(pub_path)).stdout.split()[1]


async def connect_only(target: Target, auth: Auth, known, confirm=None) -> str:
    runner = HostRunner(HostState(target), Options(connect_timeout=10), auth, known, confirm, None,
                    JoinInfo("unused", "127.0.0.1:1"), Redactor())
    try:
        return await runner.connect()
    finally:
        await runner.close()


# --- host keys and auth (plain sshd on loopback) ---------------------------------------------

def test_unknown_key_refused_without_confirmation_then_pinned_with_it(loopback_sshd, client_key, known_hosts):
    target = Target("127.0.0.1", loopback_sshd.port, "root")
    auth = Auth(key_file=str(client_key.path), agent=False)
    expected = host_fingerprint(f"{loopback_sshd.host_key}.pub")

    with pytest.raises(StepFailed, match=f"unknown host key ssh-ed25519 {re.escape(expected)}.*--accept-new"):
        asyncio.run(connect_only(target, auth, known_hosts, confirm=None))
    asked = []

    async def no(unknown):
        asked.append(unknown)
        return False

    with pytest.raises(StepFailed, match="not trusted"):
        asyncio.run(connect_only(target, auth, known_hosts, confirm=no))
    assert asked[0].fingerprint == expected and not known_hosts.own_file.exists()

    async def yes(unknown):
        asked.append(unknown)
        return True

    note = asyncio.run(connect_only(target, auth, known_hosts, confirm=yes))
    assert "connected as root (key)" in note and "pinned" in note
    pinned = known_hosts.own_file.read_text()
    assert pinned.startswith(f"[127.0.0.1]:{loopback_sshd.port} ssh-ed25519 ")
    # pinned: no question the second time
    asked.clear()
    assert "host key known" in asyncio.run(connect_only(target, auth, known_hosts, confirm=yes))
    assert asked == []


def test_key_in_users_known_hosts_is_trusted(loopback_sshd, client_key, known_hosts):
    pub = (loopback_sshd.host_key.parent / "ssh_host_ed25519_key.pub").read_text().split()
    known_hosts.user_file.write_text(f"[127.0.0.1]:{loopback_sshd.port} {pub[0]} {pub[1]}\n")
    note = asyncio.run(connect_only(Target("127.0.0.1", loopback_sshd.port, "root"),
                                    Auth(key_file=str(client_key.path), agent=False), known_hosts))
    assert "host key known" in note and not known_hosts.own_file.exists()


def test_changed_host_key_is_refused(loopback_sshd, client_key, known_hosts):
    target = Target("127.0.0.1", loopback_sshd.port, "root")
    auth = Auth(key_file=str(client_key.path), agent=False)

    async def yes(unknown):
        return True

    asyncio.run(connect_only(target, auth, known_hosts, confirm=yes))
    loopback_sshd.rotate_host_key()
    new = host_fingerprint(f"{loopback_sshd.host_key}.pub")
    with pytest.raises(StepFailed, match=f"HOST KEY CHANGED.*{re.escape(new)}.*refusing"):
        asyncio.run(connect_only(target, auth, known_hosts, confirm=yes))  # even a "yes" does not help


def test_wrong_password_says_authentication_failed(loopback_sshd, known_hosts):
    async def yes(unknown):
        return True

    with pytest.raises(StepFailed, match=r"authentication failed for root@127\.0\.0\.1:\d+ using password"):
        asyncio.run(connect_only(Target("127.0.0.1", loopback_sshd.port, "root"), Auth(password="wrong"),
                                 known_hosts, confirm=yes))


# --- fresh hosts in namespaces, joined to a real swarm ---------------------------------------

def collect(events):
    def on_event(event):
        events.append(event)
    return on_event


def all_text(events, results) -> str:
    return "\n".join([*(f"{e.message}\n" + "\n".join(e.output) for e in events),
                      *(r.summary() for r in results.values())])


async def accept(unknown):
    return True


def test_bootstrap_joins_keeps_keys_refuses_broken_json_and_second_run_is_a_no_op(
        fresh_hosts, bootstrap_manager, client_key, known_hosts, capsys):
    good = fresh_hosts.new()  # Docker installed but stopped, existing daemon.json with another key
    good.daemon_json.write_text('{"log-level": "warn"}\n')
    broken = fresh_hosts.new(docker_running=True)
    broken_text = '{"log-level": "warn",\n'
    broken.daemon_json.write_text(broken_text)
    token = bootstrap_manager.manager().join_info("worker").token

    engine = Engine(bootstrap_manager.manager, known=known_hosts)
    targets = load_targets([good.address, broken.address])
    auth = Auth(key_file=str(client_key.path), agent=False)
    options = Options(registry=REG, labels={"zone": "lab-a"}, ready_timeout=60)
    events = []
    t0 = time.monotonic()
    results = asyncio.run(engine.run(targets, auth, options, collect(events), confirm=accept))
    first_run = time.monotonic() - t0

    ok, bad = results[good.address], results[broken.address]
    assert ok.ok, ok.summary()
    assert [ok.steps[s].status for s in ("docker", "registry", "join")] == [OK, OK, OK]
    assert json.loads(good.daemon_json.read_text()) == {"log-level": "warn", "insecure-registries": [REG]}
    assert list(good.daemon_json.parent.glob("daemon.json.swarmtui-backup-*"))
    node = bootstrap_manager.manager().node(_node_id(good))
    assert node.state == "ready" and node.labels == {"zone": "lab-a"} and node.role == "worker"

    assert not bad.ok and bad.steps["registry"].status == FAILED
    assert "not valid JSON" in bad.error and "join" not in bad.steps
    assert broken.daemon_json.read_text() == broken_text
    assert not [p.name for p in broken.daemon_json.parent.iterdir() if "swarmtui" in p.name]  # no backup, no temp

    # second run on the joined host: nothing changes and it says so
    events2 = []
    again = asyncio.run(engine.run(load_targets([good.address]), auth, options, collect(events2), confirm=accept))
    steps = again[good.address].steps
    assert again[good.address].ok
    assert {s: steps[s].status for s in ("docker", "registry", "join")} == {s: SKIPPED for s in ("docker", "registry", "join")}
    assert "already set" in steps["ready"].message and "nothing to change" in again[good.address].summary()
    engine.close()

    seen = all_text(events + events2, {**results, **again}) + capsys.readouterr().out
    assert token not in seen
    for f in good.workdir.rglob("*.log"):
        assert token not in f.read_text(errors="replace"), f
    print(f"first run (2 hosts, one joins): {first_run:.1f}s")


def _node_id(host) -> str:
    return json.loads(host.exec("docker info --format '{{json .Swarm}}'").stdout)["NodeID"]


def test_password_auth_sudo_user_and_other_swarm(fresh_hosts, bootstrap_manager, client_key, known_hosts):
    pw_host = fresh_hosts.new(docker_running=True)
    pw_host.set_password("root", "s3cret-pw")
    pw_host.exec(f"useradd -M -d {pw_host.workdir}/home deploy && mkdir -p {pw_host.workdir}/home")
    other = fresh_hosts.new(docker_running=True)
    other.exec(f"docker swarm init --advertise-addr {other.address} >/dev/null")

    engine = Engine(bootstrap_manager.manager, known=known_hosts)
    # password auth works (the step after connect runs)
    results = asyncio.run(engine.run(load_targets([pw_host.address]), Auth(password="s3cret-pw"),
                                     Options(ready_timeout=60), None, confirm=accept))
    r = results[pw_host.address]
    assert "connected as root (password)" in r.steps["connect"].message and r.ok, r.summary()
    # a user whose sudo needs a password (here: no sudo at all) is refused at preflight, never hangs
    pw_host.set_password("deploy", "deploy-pw")
    results = asyncio.run(engine.run(load_targets([f"deploy@{pw_host.address}"]), Auth(password="deploy-pw"),
                                     Options(), None, confirm=accept))
    r = results[pw_host.address]
    assert r.steps["preflight"].status == FAILED and "sudo -n" in r.error
    # a host in another swarm is refused
    results = asyncio.run(engine.run(load_targets([other.address]), Auth(key_file=str(client_key.path)),
                                     Options(), None, confirm=accept))
    r = results[other.address]
    assert r.steps["join"].status == FAILED and "another swarm" in r.error
    engine.close()


def test_headless_cli_joins_and_masks_token(fresh_hosts, bootstrap_manager, client_key, tmp_path, capfd):
    from swarmtui.cli import main

    host = fresh_hosts.new()
    token = bootstrap_manager.manager().join_info("worker").token
    own = tmp_path / "kh"
    base = ["--host", bootstrap_manager.docker_host, "bootstrap", host.address, "--key", str(client_key.path),
            "--registry", REG, "--label", "tier=crawl", "--known-hosts", str(own)]
    assert main([*base, "--dry-run"]) == 0
    dry = capfd.readouterr().out
    assert "SWMTKN-…masked" in dry and token not in dry and "/swarm/join" in dry

    assert main(base) == 1  # unknown host key, no --accept-new
    out = capfd.readouterr()
    assert "not trusted" in out.out and "--accept-new" in out.out

    t0 = time.monotonic()
    assert main([*base, "--accept-new"]) == 0
    took = time.monotonic() - t0
    out = capfd.readouterr()
    text = out.out + out.err
    assert token not in text
    for step in ("connect", "preflight", "docker", "registry", "join", "ready"):
        assert f"  {step}" in text
    assert "joined (changed:" in text
    print(f"headless bootstrap of one fresh host (Docker installed, stopped): {took:.1f}s")


def test_several_hosts_in_parallel_all_join_and_each_gets_a_summary(
        fresh_hosts, bootstrap_manager, client_key, known_hosts):
    """Four fresh hosts in one run, four at once: all in flight together, all Ready on the manager."""
    hosts = [fresh_hosts.new(docker_running=i % 2 == 0) for i in range(4)]  # Docker running / installed but stopped
    hosts[1].daemon_json.write_text('{"log-driver": "json-file"}\n')
    # the seam: a Docker host that is not a manager is refused with the cluster layer's words
    with pytest.raises(ManagerError, match="not part of a swarm"):
        Manager.connect(f"unix://{hosts[0].docker_socket}").join_info("worker")
    with SwarmClient(bootstrap_manager.docker_host) as swarm:
        cluster_join = swarm.join_tokens()
    seam = bootstrap_manager.manager()
    assert seam.join_info("worker").token == cluster_join.worker_token
    assert seam.join_info("worker").address == cluster_join.manager_addresses[0]
    seam.close()

    engine = Engine(bootstrap_manager.manager, known=known_hosts, concurrency=4)
    events, started, ended = [], {}, {}

    def on_event(event):
        events.append(event)
        if event.step == "connect" and event.status == "running":
            started[event.host] = time.monotonic()
        if event.step == "ready" and event.status != "running":
            ended[event.host] = time.monotonic()

    t0 = time.monotonic()
    results = asyncio.run(engine.run(load_targets([h.address for h in hosts]), Auth(key_file=str(client_key.path)),
                                     Options(registry=REG, labels={"batch": "parallel"}, ready_timeout=90),
                                     on_event, confirm=accept))
    wall = time.monotonic() - t0
    engine.close()

    assert sorted(results) == sorted(h.address for h in hosts)
    for h in hosts:
        r = results[h.address]
        assert r.ok, f"{h.address}: {r.summary()}"
        assert r.summary().startswith("joined (changed: ") and "registry" in r.summary() and "join" in r.summary()
        assert [r.steps[s].status for s in ("registry", "join", "ready")] == [OK, OK, OK], r.summary()
        assert "insecure-registries" in json.loads(h.daemon_json.read_text())
    assert json.loads(hosts[1].daemon_json.read_text())["log-driver"] == "json-file"
    # concurrency > 1: every host had started before any had finished
    assert max(started.values()) < min(ended.values()), (started, ended)
    assert wall < sum(r.seconds for r in results.values())

    with SwarmClient(bootstrap_manager.docker_host) as swarm:
        listed = {n.hostname: n for n in swarm.nodes()}
    for h in hosts:
        node = listed.get(h.name)
        assert node is not None and node.status == "ready" and node.role == "worker", (h.name, node)
        assert node.labels.get("batch") == "parallel"
    seen = all_text(events, results)
    assert cluster_join.worker_token not in seen and cluster_join.manager_token not in seen
    print(f"4 fresh hosts bootstrapped at once: {wall:.1f}s "
          f"(per host {', '.join(f'{r.seconds:.1f}s' for r in results.values())})")


# --- the real lab: a fresh host joins the lab swarm ------------------------------------------

@pytest.mark.lab
def test_fresh_host_joins_the_lab_swarm_twice_without_changes_and_without_leaking_the_token(
        lab, client_key, known_hosts, tmp_path, capfd):
    from swarmtui.cli import main
    from tests.fixtures.sshd import FreshHosts, _need_namespaces

    _need_namespaces()
    hosts = FreshHosts(tmp_path / "lab-fresh", client_key, lab.name, lab.subnet)
    manager = Manager.connect(lab.docker_host)
    token = manager.join_info("worker").token
    node_id = None
    try:
        host = hosts.new(docker_running=True)  # a server that already has Docker running
        argv = ["--host", lab.docker_host, "bootstrap", host.address, "--key", str(client_key.path),
                "--registry", lab.registry, "--label", "bootstrap-test=yes", "--accept-new",
                "--known-hosts", str(known_hosts.own_file)]
        t0 = time.monotonic()
        assert main(argv) == 0, capfd.readouterr()
        first = time.monotonic() - t0
        out1 = capfd.readouterr()
        node_id = _node_id(host)
        node = manager.node(node_id)
        assert node.state == "ready" and node.role == "worker" and node.labels == {"bootstrap-test": "yes"}
        assert lab.registry in json.loads(host.daemon_json.read_text())["insecure-registries"]

        t0 = time.monotonic()
        assert main(argv) == 0
        second = time.monotonic() - t0
        out2 = capfd.readouterr()
        assert "nothing to change" in out2.out
        for line in out2.out.splitlines():
            for step in ("docker", "registry", "join", "ready"):
                if f"  {step} " in line:
                    assert "skipped" in line, line

        saved = [out1.out, out1.err, out2.out, out2.err, known_hosts.own_file.read_text()]
        saved += [f.read_text(errors="replace") for f in host.workdir.rglob("*.log")]
        saved += [f.read_text(errors="replace") for f in host.daemon_json.parent.glob("daemon.json*")]
        assert not [s for s in saved if token in s]
        print(f"\nlab bootstrap of one fresh host with Docker running: first run {first:.1f}s, second {second:.1f}s")
    finally:
        hosts.close()
        if node_id:  # leave the shared lab swarm as we found it
            for _ in range(30):
                try:
                    manager.swarm.remove_node(node_id, force=True)
                    break
                except Exception:  # noqa: BLE001 - "node is not down" right after its dockerd stopped
                    time.sleep(1)
        manager.close()
