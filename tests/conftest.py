# Shared fixtures live in tests/fixtures/, one module per real part.
pytest_plugins = [
    "tests.fixtures.redis", "tests.fixtures.lab", "tests.fixtures.sshd", "tests.fixtures.fleet", "tests.fixtures.webhook",
]
