"""Shared helpers of the cluster integration tests (real test lab, no mocks)."""

from __future__ import annotations

import subprocess
import time
from typing import Callable, TypeVar

# Exits on SIGTERM: a python PID 1 ignores it by default, and every stop would then wait out the
# engine's 10 s grace period (a scale down, an update, a removal).
SLEEPER = ["python3", "-c", "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *_: sys.exit(0)); time.sleep(1e9)"]

T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout: float = 30.0, every: float = 0.25, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def docker_cli(lab, *args: str) -> str:
    """The real docker CLI against the test lab's manager."""
    out = subprocess.run(["docker", "-H", lab.docker_host, *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout
