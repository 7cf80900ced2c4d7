# Shared fixtures live in tests/fixtures/, one module per real part.
pytest_plugins = [
    "tests.fixtures.redis", "tests.fixtures.lab", "tests.fixtures.sshd", "tests.fixtures.fleet", "tests.fixtures.webhook",
]


import os  # noqa: E402 - below the plugin list, which pytest reads first

import pytest  # noqa: E402

# What tells a docker CLI, docker-py or swarmtui which engine to talk to. A test that leaves one set
# sends every later test (and the fresh hosts' own `docker info`) to another engine: CI saw the
# bootstrap wizard's fresh Docker "not answer for 120 s" and the shell test open the remote lab.
DOCKER_ENV = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "HOME")


@pytest.fixture(autouse=True)
def docker_environment_kept():
    before = {name: os.environ.get(name) for name in DOCKER_ENV}
    yield
    leaked = {name: os.environ.get(name) for name in DOCKER_ENV if os.environ.get(name) != before[name]}
    for name, value in before.items():  # put it back, so one leak fails one test, not the rest of the run
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if leaked:
        pytest.fail(f"the test left {leaked} in the environment (use monkeypatch.setenv)", pytrace=False)


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the group markers
def pytest_collection_modifyitems(items):
    """`make test` runs two pytest-xdist workers (--dist loadgroup), each with labs of its own
    (tests/fixtures/lab.py). Every test of the remote-access lab goes to one worker (two such labs
    would double its cost); the rest are shared out one test at a time."""
    for item in items:
        if "remote_lab" in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("remote-lab"))
