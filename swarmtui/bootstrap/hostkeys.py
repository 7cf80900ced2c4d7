"""Host key verification: ~/.ssh/known_hosts plus swarmtui's own pinned keys.

Checking is never switched off.  An unknown host's key is fetched with
`asyncssh.get_server_host_key`, shown as its SHA256 fingerprint and trusted only
when the confirmation callback says yes (the wizard's dialog, or `--accept-new`);
it is then pinned in $XDG_CONFIG_HOME/swarmtui/known_hosts and the real
connection still verifies against it.  A host whose key differs from a known one
is refused.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable

import asyncssh

from swarmtui.bootstrap.hosts import Target
from swarmtui.config import config_dir


class HostKeyError(Exception):
    """The host's key is unknown and was not accepted, or it changed."""


@dataclass(frozen=True)
class UnknownKey:
    """What the user is asked to confirm."""

    target: Target
    key_type: str
    fingerprint: str  # SHA256:...


# Returns True to trust and pin the key.
Confirm = Callable[[UnknownKey], Awaitable[bool]]


def known_host_pattern(target: Target) -> str:
    return target.host if target.port == 22 else f"[{target.host}]:{target.port}"


class KnownHosts:
    def __init__(self, user_file: Path | None = None, own_file: Path | None = None):
        self.user_file = user_file if user_file is not None else Path.home() / ".ssh" / "known_hosts"
        self.own_file = own_file if own_file is not None else config_dir() / "known_hosts"

    def load(self) -> asyncssh.SSHKnownHosts:
        text = ""
        for path in (self.user_file, self.own_file):
            if path.is_file():
                text += path.read_text() + "\n"
        return asyncssh.import_known_hosts(text)

    def trusted_keys(self, target: Target) -> list[asyncssh.SSHKey]:
        host_keys, ca_keys, *_ = self.load().match(target.host, target.host, target.port)
        return [*host_keys, *ca_keys]

    def pin(self, target: Target, key: asyncssh.SSHKey) -> None:
        self.own_file.parent.mkdir(parents=True, exist_ok=True)
        line = f"{known_host_pattern(target)} {key.export_public_key('openssh').decode().strip()}\n"
        fd = os.open(self.own_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a") as f:
            f.write(line)


def fingerprint(key: asyncssh.SSHKey) -> str:
    return key.get_fingerprint("sha256")


async def ensure_trusted(
    target: Target, known: KnownHosts, confirm: Confirm | None, timeout: float = 15.0
) -> str:
    """Make sure the host has a trusted key (asking and pinning if it is new); return a note for the log.

    A known host is not probed here: the connection itself verifies it and a changed
    key shows up there as `asyncssh.HostKeyNotVerifiable` (see `changed_key_error`).
    """
    if known.trusted_keys(target):
        return "host key known"
    try:
        key = await asyncio.wait_for(asyncssh.get_server_host_key(target.host, target.port), timeout)
    except (OSError, asyncssh.Error, TimeoutError) as exc:
        raise ConnectionError(f"cannot reach {target.label}: {describe_error(exc)}") from None
    if key is None:
        raise HostKeyError(f"{target.label} presented no host key; refusing to continue")
    unknown = UnknownKey(target, key.get_algorithm(), fingerprint(key))
    if confirm is None or not await confirm(unknown):
        raise HostKeyError(
            f"{target.label}: unknown host key {unknown.key_type} {unknown.fingerprint}; not trusted. "
            "Check the fingerprint on the server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and "
            "confirm it, or pass --accept-new"
        )
    known.pin(target, key)
    return f"host key {unknown.key_type} {unknown.fingerprint} accepted and pinned in {known.own_file}"


async def changed_key_error(target: Target, known: KnownHosts) -> HostKeyError:
    """The message for a host whose key no longer matches the one on file."""
    try:
        key = await asyncio.wait_for(asyncssh.get_server_host_key(target.host, target.port), 10.0)
        seen = f" It now presents {key.get_algorithm()} {fingerprint(key)}." if key else ""
    except (OSError, asyncssh.Error, TimeoutError):
        seen = ""
    return HostKeyError(
        f"{target.label}: HOST KEY CHANGED — it does not match the key in {known.user_file} or {known.own_file}."
        f"{seen} Someone may be intercepting the connection; refusing. If the server was really reinstalled, "
        f"remove its old line (ssh-keygen -R {known_host_pattern(target)!s} -f FILE) and run again"
    )


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, asyncssh.Error):
        return exc.reason or type(exc).__name__
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc) or type(exc).__name__
