"""Definitions shown by `i` and the rollback diff: secret-looking values masked, only changed fields (pure)."""

import yaml

from swarmtui.cluster import definition
from swarmtui.cluster.definition import MASK


def service(image: str = "reg:8003/spider:0.02@sha256:abc", env=None, secrets=None) -> dict:
    return {
        "ID": "s1",
        "Spec": {
            "Name": "spider",
            "Labels": {"api_token": "t0ken", "team": "crawl"},
            "TaskTemplate": {
                "ContainerSpec": {
                    "Image": image,
                    "Args": ["python3", "spider.py", "--redis=redis://default:hunter2@10.0.0.1:7891/0", "--db-password=pw1"],
                    "Env": env if env is not None else ["REDIS_PASSWORD=hunter2", "AWS_SECRET_ACCESS_KEY=xyz", "MODE=fast"],
                    "Secrets": secrets if secrets is not None else [
                        {"File": {"Name": "/run/secrets/db", "UID": "0", "GID": "0", "Mode": 292},
                         "SecretID": "q1w2e3", "SecretName": "dbpass"}],
                },
                "ForceUpdate": 0,
            },
            "Mode": {"Replicated": {"Replicas": 3}},
        },
    }


def test_secret_looking_values_are_masked_everywhere_and_secrets_shown_by_name():
    text = definition.definition(service())
    for secret in ("hunter2", "xyz", "t0ken", "pw1", "q1w2e3"):
        assert secret not in text, secret
    data = yaml.safe_load(text)
    container = data["Spec"]["TaskTemplate"]["ContainerSpec"]
    assert container["Env"] == [f"REDIS_PASSWORD={MASK}", f"AWS_SECRET_ACCESS_KEY={MASK}", "MODE=fast"]
    assert container["Args"][2] == f"--redis=redis://default:{MASK}@10.0.0.1:7891/0"
    assert container["Args"][3] == f"--db-password={MASK}"
    assert container["Secrets"] == [{"name": "dbpass", "target": "/run/secrets/db"}]
    assert data["Spec"]["Labels"] == {"api_token": MASK, "team": "crawl"}
    assert data["Spec"]["Mode"]["Replicated"]["Replicas"] == 3  # everything else as the engine said
    assert list(data) == ["ID", "Spec"]  # in the payload's own order


def test_rollback_changes_list_only_what_differs_images_without_digests():
    attrs = {**service(), "PreviousSpec": service(image="reg:8003/spider:0.01@sha256:def")["Spec"]}
    assert [str(c) for c in definition.rollback_changes(attrs)] == [
        "TaskTemplate.ContainerSpec.Image: reg:8003/spider:0.02 → reg:8003/spider:0.01"]
    assert definition.rollback_changes(service()) == []  # never updated: nothing to roll back to


def test_env_changes_are_items_added_or_removed_and_stay_masked():
    now = service(env=["REDIS_PASSWORD=new", "MODE=fast", "DEPTH=3"], secrets=[])
    before = service(env=["REDIS_PASSWORD=old", "MODE=slow"])["Spec"]
    shown = [str(c) for c in definition.rollback_changes({**now, "PreviousSpec": before})]
    assert shown == [
        f"TaskTemplate.ContainerSpec.Env: REDIS_PASSWORD={MASK} → (none)",  # it changed: said, never shown
        "TaskTemplate.ContainerSpec.Env: MODE=fast → (none)",
        "TaskTemplate.ContainerSpec.Env: DEPTH=3 → (none)",
        f"TaskTemplate.ContainerSpec.Env: (none) → REDIS_PASSWORD={MASK}",
        "TaskTemplate.ContainerSpec.Env: (none) → MODE=slow",
        "TaskTemplate.ContainerSpec.Secrets: [] → [{name: dbpass, target: /run/secrets/db}]",
    ]
    assert not any("old" in s or "new" in s or "q1w2e3" in s for s in shown)


def test_a_changed_secret_label_is_listed_masked():
    before = service()["Spec"]
    before["Labels"] = {**before["Labels"], "api_token": "older"}
    assert [str(c) for c in definition.rollback_changes({**service(), "PreviousSpec": before})] == [
        f"Labels.api_token: {MASK} → {MASK}"]


def test_keys_ending_in_file_hold_a_path_and_are_shown():
    env = ["REDIS_PASSWORD_FILE=/run/secrets/redis", "api_key_file=/etc/app/key", "REDIS_PASSWORD=hunter2",
           "TOKEN_FILE=redis://default:pw9@10.0.0.1/0"]
    data = yaml.safe_load(definition.definition(service(env=env)))
    assert data["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"] == [
        "REDIS_PASSWORD_FILE=/run/secrets/redis", "api_key_file=/etc/app/key", f"REDIS_PASSWORD={MASK}",
        f"TOKEN_FILE=redis://default:{MASK}@10.0.0.1/0"]  # a password inside a URL is still masked
    assert definition.mask({"Labels": {"secret_file": "/run/secrets/x"}}) == {"Labels": {"secret_file": "/run/secrets/x"}}
