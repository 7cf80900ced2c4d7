"""Parse bootstrap targets: `[user@]host[:port]` on the command line or one per line in a hosts file."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path


class HostSpecError(ValueError):
    """A target could not be parsed; the message names it and says why."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int = 22
    user: str | None = None  # None: the --user default

    @property
    def label(self) -> str:
        """How the target is named in progress lines and summaries (`host` or `[v6]:port`)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == 22 else f"{host}:{self.port}"

    def with_user(self, default: str) -> "Target":
        return self if self.user else Target(self.host, self.port, default)


def parse_target(text: str) -> Target:
    """`host`, `user@host`, `host:2222`, `user@[2001:db8::1]:2222`, or a bare IPv6 address."""
    spec = text.strip()
    if not spec:
        raise HostSpecError("empty host")
    user = None
    if "@" in spec:
        user, _, spec = spec.rpartition("@")
        if not user:
            raise HostSpecError(f"{text!r}: empty user before '@'")
    port = 22
    if spec.startswith("["):
        host, sep, rest = spec[1:].partition("]")
        if not sep:
            raise HostSpecError(f"{text!r}: missing ']' after the IPv6 address")
        if rest:
            if not rest.startswith(":"):
                raise HostSpecError(f"{text!r}: expected ':port' after ']'")
            port = _port(text, rest[1:])
    elif spec.count(":") > 1:
        host = spec  # a bare IPv6 address
    elif ":" in spec:
        host, _, port_text = spec.partition(":")
        port = _port(text, port_text)
    else:
        host = spec
    if not host:
        raise HostSpecError(f"{text!r}: empty host name")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise HostSpecError(f"{text!r}: {host!r} is not an IPv6 address") from None
    elif any(c.isspace() or c in "/\\'\"" for c in host):
        raise HostSpecError(f"{text!r}: {host!r} is not a host name")
    return Target(host=host, port=port, user=user)


def _port(text: str, value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise HostSpecError(f"{text!r}: port must be a number from 1 to 65535, not {value!r}")
    return int(value)


def parse_hosts_text(text: str, source: str = "hosts file") -> list[Target]:
    """One target per line; blank lines and `#` comments are ignored."""
    targets = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            targets.append(parse_target(line))
        except HostSpecError as exc:
            raise HostSpecError(f"{source} line {number}: {exc}") from None
    return targets


def load_targets(specs: list[str], hosts_file: str | Path | None = None, default_user: str = "root") -> list[Target]:
    """Command-line targets plus those of a hosts file, user filled in, duplicates dropped (order kept)."""
    targets = [parse_target(s) for s in specs]
    if hosts_file:
        path = Path(hosts_file)
        try:
            text = path.read_text()
        except OSError as exc:
            raise HostSpecError(f"cannot read hosts file {path}: {exc.strerror}") from None
        targets += parse_hosts_text(text, source=str(path))
    unique: dict[tuple, Target] = {}
    for t in targets:
        t = t.with_user(default_user)
        unique.setdefault((t.host, t.port, t.user), t)
    return list(unique.values())


def parse_labels(items: list[str]) -> dict[str, str]:
    """`k=v` pairs (node labels); a bare `k` means an empty value, as `docker node update --label-add k`."""
    labels = {}
    for item in items:
        key, _, value = item.partition("=")
        key = key.strip()
        if not key:
            raise HostSpecError(f"label {item!r}: expected key=value")
        labels[key] = value.strip()
    return labels
