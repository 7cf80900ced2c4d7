"""Pure parts of stacks, secrets and configs: env files, unset variables, grouping, names, CLI commands."""

from __future__ import annotations

import pytest

from swarmtui.cluster import compose_vars, commands, objects, stacks
from swarmtui.cluster.errors import InvalidInput
from swarmtui.cluster.models import STACK_LABEL, Service, Stack, StackContents, UpdateStatus


def test_env_file_lines_comments_export_and_quotes():
    text = "# lab\nREGISTRY=10.0.0.1:8003\nexport TAG='0.02'\n\nREDIS_HOST=\"10.0.0.1\"\nEMPTY=\nURL=redis://h:1/0?a=b\n"
    assert compose_vars.parse_env_file(text) == {"REGISTRY": "10.0.0.1:8003", "TAG": "0.02", "REDIS_HOST": "10.0.0.1",
                                                 "EMPTY": "", "URL": "redis://h:1/0?a=b"}


@pytest.mark.parametrize("bad", ["JUSTAWORD", "1X=2", "A B=c"])
def test_env_file_bad_line_says_which(bad):
    with pytest.raises(InvalidInput, match="crawl.env, line 2"):
        compose_vars.parse_env_file(f"OK=1\n{bad}\n", "crawl.env")


def test_unset_variables_follow_the_substitution():
    text = "image: ${REGISTRY:-localhost}/${REPO}:${TAG:?set TAG}\nA: $PLAIN\nB: $$ESCAPED\nC: ${D:-${E}}\nF: ${G-x}\nH: ${SET:+${ALT}}"
    assert compose_vars.unset_variables(text, {}) == ["REPO", "PLAIN", "E"]
    assert compose_vars.unset_variables(text, {"REPO": "r", "PLAIN": "", "D": "d"}) == []
    assert compose_vars.unset_variables(text, {"REPO": "r", "PLAIN": "", "D": "", "SET": "1"}) == ["E", "ALT"]


def test_comments_are_not_variables():
    text = "# printf '%s' \"$REDIS_PASSWORD\" | docker secret create\nkey: \"a # $NOT_A_COMMENT\"  # $COMMENT\n"
    assert compose_vars.unset_variables(compose_vars.strip_comments(text), {}) == ["NOT_A_COMMENT"]


def test_service_names_from_stack_config_output():
    out = "version: \"3.8\"\nservices:\n  spider:\n    image: x\n  web:\n    deploy:\n      replicas: 2\nnetworks:\n  hostnet:\n    external: true\n"
    assert compose_vars.service_names(out) == ["spider", "web"]


def test_external_secrets_and_configs_from_stack_config_output():
    out = ("services:\n  spider:\n    image: x\nsecrets:\n  redis_password:\n    name: pw.v2\n    external: true\n"
           "  own:\n    file: ./own.txt\nconfigs:\n  settings:\n    external: true\n")
    assert stacks._external(out) == {"secrets": ["pw.v2"], "configs": ["settings"]}


def _svc(name, stack=None, running=1, desired=1, state=None):
    return Service(id=name, name=name, image=f"reg/{name}:1", mode="replicated", replicas_running=running, replicas_desired=desired,
                   labels={STACK_LABEL: stack} if stack else {}, update_status=UpdateStatus(state) if state else None)


def test_group_stacks_by_label_and_state():
    grouped = stacks.group_stacks([_svc("crawl_spider", "crawl", 3, 3), _svc("crawl_web", "crawl", 1, 2), _svc("loose"),
                                   _svc("b_x", "b", state="rollback_completed"), _svc("c_x", "c", state="updating")])
    assert [s.name for s in grouped] == ["b", "c", "crawl"]
    crawl = grouped[2]
    assert [s.name for s in crawl.services] == ["crawl_spider", "crawl_web"]
    assert (crawl.replicas_running, crawl.replicas_desired, crawl.state) == (4, 5, "converging")
    assert grouped[0].state == "failing" and grouped[0].failing_services == ("b_x",)
    assert grouped[1].state == "updating"
    assert Stack("x", (_svc("x_a", "x"),)).state == "running"


@pytest.mark.parametrize("name,taken,expected", [("pw", [], "pw.v2"), ("pw.v2", ["pw.v2"], "pw.v3"), ("pw", ["pw.v2"], "pw.v3"),
                                                 ("a.b", [], "a.b.v2")])
def test_next_name(name, taken, expected):
    assert objects.next_name(name, taken) == expected


@pytest.mark.parametrize("bad", ["", "-x", "x-", "a b", "x" * 65, "é"])
def test_bad_object_names(bad):
    with pytest.raises(InvalidInput):
        objects.check_name(bad)


def test_empty_value_refused():
    with pytest.raises(InvalidInput, match="empty"):
        objects.check_data(b"", "secret")


def test_uses_by_object_with_targets():
    raw = [{"ID": "s1", "Spec": {"Name": "crawl_spider", "TaskTemplate": {"ContainerSpec": {
        "Secrets": [{"SecretID": "sec1", "SecretName": "pw", "File": {"Name": "redis_password"}}],
        "Configs": [{"ConfigID": "c1", "ConfigName": "cfg", "File": {"Name": "/etc/app.conf"}}, {"ConfigID": "c2", "Runtime": {}}]}}}},
        {"ID": "s2", "Spec": {"Name": "other", "TaskTemplate": {"ContainerSpec": {}}}}]
    secret_uses = objects.uses_by_object(raw, "secret")
    assert [(u.service_name, u.target) for u in secret_uses["sec1"]] == [("crawl_spider", "/run/secrets/redis_password")]
    config_uses = objects.uses_by_object(raw, "config")
    assert config_uses["c1"][0].target == "/etc/app.conf" and config_uses["c2"][0].target == "(runtime)"
    assert objects.describe_uses(secret_uses["sec1"]) == "crawl_spider (at /run/secrets/redis_password)"


def test_swap_keeps_target_and_other_references():
    spec = {"TaskTemplate": {"ContainerSpec": {"Secrets": [
        {"SecretID": "old", "SecretName": "pw", "File": {"Name": "redis_password", "UID": "0", "GID": "0", "Mode": 292}},
        {"SecretID": "keep", "SecretName": "other", "File": {"Name": "other"}}]}}}
    objects._swap("secret", "old", "new", "pw.v2")(spec, {})
    refs = spec["TaskTemplate"]["ContainerSpec"]["Secrets"]
    assert refs[0] == {"SecretID": "new", "SecretName": "pw.v2", "File": {"Name": "redis_password", "UID": "0", "GID": "0", "Mode": 292}}
    assert refs[1]["SecretID"] == "keep"


def test_cli_equivalents_never_carry_a_value():
    assert commands.object_create("secret", "pw", None) == "docker secret create pw -"
    assert commands.object_create("config", "c", "/tmp/c.conf", {"a": "b"}) == "docker config create --label a=b c /tmp/c.conf"
    assert commands.rotation("secret", "pw", "pw.v2", None, [("crawl_spider", ["redis_password"])]) == (
        "docker secret create pw.v2 - && docker service update --secret-rm pw --secret-add source=pw.v2,target=redis_password "
        "crawl_spider && docker secret rm pw")
    assert commands.stack_deploy("stack.yml", "crawl") == "docker stack deploy -c stack.yml crawl"
    assert "crawl.env" in commands.stack_deploy("stack.yml", "crawl", "crawl.env")
    assert commands.stack_rm("crawl") == "docker stack rm crawl"


def test_stack_contents_lines():
    c = StackContents("crawl", services=("crawl_spider",), networks=("crawl_default",))
    assert c.lines() == ["services: crawl_spider", "networks: crawl_default"] and not c.empty
    assert StackContents("x").empty


def test_cli_environment_points_at_swarmtuis_endpoint():
    from swarmtui.cluster.dockercli import cli_environment

    env = cli_environment("ssh://root@10.0.0.1", {"DOCKER_CONTEXT": "prod", "DOCKER_HOST": "tcp://elsewhere:2375", "PATH": "/bin"})
    assert env == {"DOCKER_HOST": "ssh://root@10.0.0.1", "PATH": "/bin"}
    assert cli_environment(None, {})["DOCKER_HOST"] == "unix:///var/run/docker.sock"


def test_missing_cli_is_a_clear_message(monkeypatch):
    from swarmtui.cluster.dockercli import find_cli
    from swarmtui.cluster.errors import CliMissing

    with pytest.raises(CliMissing, match="nothing was deployed"):
        find_cli("/nonexistent/docker")
