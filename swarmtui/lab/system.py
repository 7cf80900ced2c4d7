"""Small helpers for running system programs from the lab (no textual, no docker-py)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path


class LabError(Exception):
    """Something the lab could not do; the message says what and what to try."""


def run(*cmd: str, check: bool = True, quiet: bool = False, **kw) -> subprocess.CompletedProcess:
    """Run a command, capturing output; on failure raise LabError with its stderr."""
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise LabError(f"`{' '.join(cmd)}` failed ({proc.returncode}): {detail}")
    return proc


def require_programs(programs: dict[str, str]) -> list[str]:
    """Return the Debian packages providing whichever of `programs` (name -> package) are missing."""
    return sorted({pkg for prog, pkg in programs.items() if shutil.which(prog) is None})


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is dead for our purposes
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def stop_pid(pid: int, timeout: float = 20.0, sig: int = signal.SIGTERM) -> None:
    """Send `sig`, wait up to `timeout`, then SIGKILL."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_for_port(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise LabError(f"nothing is listening on {host}:{port} after {timeout:.0f}s") from None
            time.sleep(0.1)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
