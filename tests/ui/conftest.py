"""Fixtures of the UI tests."""

from __future__ import annotations

import pytest

from tests.ui.live import make_service, remove_quietly


@pytest.fixture
def service(lab, docker_client, unique_name):
    svc = make_service(docker_client, lab, unique_name)
    yield unique_name
    remove_quietly(svc)
