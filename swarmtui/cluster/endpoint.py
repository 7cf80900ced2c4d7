"""One resolved Docker endpoint, chosen the way the docker CLI chooses, behind every client swarmtui opens.

Precedence (the docker CLI's, plus swarmtui's config file as a default):
    --host > DOCKER_HOST > --context > DOCKER_CONTEXT > `context` in config.toml
    > the docker CLI's current context (config.json in DOCKER_CONFIG) > the local socket.
Contexts are read with docker-py's own ContextAPI (never by parsing the store).

ssh:// goes through docker-py's paramiko transport. Measured on the lab (bench/remote_ssh.py,
docs/performance.md): one SSH connection per client, reused by every call (~14 ms a call, no ssh
process at all); `use_ssh_client=True` forks `ssh ... docker system dial-stdio` per request
(~300 ms a call), and OpenSSH with ControlMaster would still fork one ssh per request.  Host keys are
checked with paramiko's RejectPolicy against ~/.ssh/known_hosts and any UserKnownHostsFile that
~/.ssh/config names for that host: unknown or changed keys are refused, never added.  paramiko
reads ~ from $HOME (OpenSSH reads the passwd home).

TLS comes from DOCKER_TLS_VERIFY / DOCKER_CERT_PATH (with --host / DOCKER_HOST) or from the
context's TLS material; a missing or wrong file is an EndpointError naming it.
"""

from __future__ import annotations

import contextlib
import os
import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Mapping

import docker
import docker.errors
import requests.exceptions
from docker.context import ContextAPI
from docker.tls import TLSConfig

from swarmtui.cluster._dockerpy_private import client_around, install_ssh_fixes, negotiate_api_version
from swarmtui.cluster.errors import DaemonUnreachable, EndpointError, HostKeyRefused, first_line, reason

LOCAL = "local socket"
MIN_API_VERSION = "1.24"  # only for the first request of a TLS client, which asks the daemon's own


@dataclass(frozen=True)
class Endpoint:
    host: str | None = None  # docker-py base_url; None: the local socket
    context: str = ""  # the docker CLI context it came from ("" when given as a host)
    source: str = LOCAL  # why this one: "--host", "DOCKER_HOST", "--context", "current docker context" ...
    tls_ca: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_verify: bool = False

    # ---- names ------------------------------------------------------------
    @property
    def label(self) -> str:
        """What the status line calls it: the context name, else the host."""
        return self.context or self.host or LOCAL

    @property
    def url(self) -> str:
        return self.host or "unix:///var/run/docker.sock"

    @property
    def scheme(self) -> str:
        return urllib.parse.urlparse(self.url).scheme

    @property
    def address(self) -> str | None:
        """The host name or IP it dials (None for unix sockets)."""
        return urllib.parse.urlparse(self.url).hostname if self.scheme in ("ssh", "tcp", "http", "https") else None

    def at(self, address: str) -> "Endpoint":
        """The same kind of endpoint (scheme, user, port, TLS material) at another manager's address."""
        parts = urllib.parse.urlparse(self.url)
        netloc = (f"{parts.username}@" if parts.username else "") + address + (f":{parts.port}" if parts.port else "")
        return replace(self, host=urllib.parse.urlunparse(parts._replace(netloc=netloc)), context="", source=f"failover from {self.label}")

    # ---- clients ----------------------------------------------------------
    def tls_config(self) -> TLSConfig | None:
        if not (self.tls_verify or self.tls_cert):
            return None
        for what, path in (("CA certificate", self.tls_ca), ("client certificate", self.tls_cert), ("client key", self.tls_key)):
            if path and not os.path.isfile(path):
                raise EndpointError(f"TLS for {self.label}: the {what} {path} does not exist",
                                    "set DOCKER_CERT_PATH to a directory with ca.pem, cert.pem and key.pem")
        if self.tls_verify and not self.tls_ca:
            raise EndpointError(f"TLS for {self.label}: verification asked but no CA certificate given")
        client_cert = (self.tls_cert, self.tls_key) if self.tls_cert else None
        # The daemon's certificate is always verified: against the given CA, else the system's.  (The
        # docker CLI skips verification for DOCKER_CERT_PATH without DOCKER_TLS_VERIFY; swarmtui never does.)
        return TLSConfig(client_cert=client_cert, ca_cert=self.tls_ca, verify=self.tls_ca or True)

    def docker_client(self, timeout: float = 10) -> docker.DockerClient:
        """A docker-py client; for ssh:// this opens the SSH connection (host key checked) now."""
        return client_around(self.api_client(timeout))

    def api_client(self, timeout: float = 10) -> docker.APIClient:
        tls = self.tls_config()
        with self.errors():
            if tls is None:
                try:
                    return docker.APIClient(base_url=self.host, timeout=timeout)
                except docker.errors.DockerException as exc:
                    if self.scheme == "ssh" and "Remote end closed" in str(exc) and self._remote_lacks_docker():
                        raise DaemonUnreachable(f"ssh: {self.address} has no docker CLI, which ssh:// needs there "
                                                "(`docker system dial-stdio` reaches its engine)",
                                                "install docker-ce-cli or docker.io on that host") from exc
                    raise
            # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE (set on many machines) replace the
            # session's CA, so the daemon's own CA would be ignored: no environment for this
            # session, and the API version asked only after that.
            api = docker.APIClient(base_url=self.host, timeout=timeout, tls=tls, version=MIN_API_VERSION)
            api.trust_env = False
            negotiate_api_version(api)
            return api

    def _remote_lacks_docker(self) -> bool:
        """After the engine hung up at once: is it that the remote has no `docker` to run?"""
        from docker.transport.sshconn import SSHHTTPAdapter

        try:
            adapter = SSHHTTPAdapter(self.host, timeout=5)
        except Exception:  # noqa: BLE001 - cannot tell; the caller reports the first error
            return False
        try:
            _, out, _ = adapter.ssh_client.exec_command("command -v docker", timeout=5)
            return out.channel.recv_exit_status() != 0
        except Exception:  # noqa: BLE001
            return False
        finally:
            adapter.close()

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """ssh and TLS failures as messages a person can act on (the rest pass through)."""
        try:
            yield
        except (EndpointError, DaemonUnreachable):
            raise
        except docker.errors.TLSParameterError as exc:
            raise EndpointError(f"TLS for {self.label}: {exc}", f"files: {self.tls_ca}, {self.tls_cert}, {self.tls_key}") from exc
        except Exception as exc:  # paramiko's errors are only importable with it
            # docker-py wraps the cause ("Error while fetching server API version: ..."): look down the chain.
            for cause in _chain(exc):
                if isinstance(cause, requests.exceptions.SSLError):
                    raise EndpointError(*_tls_words(self, cause)) from exc
                words = ssh_words(self, cause)
                if words is not None:
                    raise (HostKeyRefused if "host key" in words[0] else DaemonUnreachable)(*words) from exc
            if any(isinstance(c, (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ConnectionError, FileNotFoundError))
                   for c in _chain(exc)):
                raise DaemonUnreachable(f"no Docker daemon answers at {self.url} ({self.source}): {reason(exc)}",
                                        "check that Docker runs there, or pick another endpoint (--host, --context, `swarmtui context ls`)") from exc
            raise


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _tls_words(ep: Endpoint, exc: Exception) -> tuple[str, str]:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return (f"TLS: {ep.url} presented a certificate not signed by the CA {ep.tls_ca}",
                "check DOCKER_CERT_PATH / the context's ca.pem belongs to that daemon")
    if "certificate required" in text or "bad certificate" in text or "unknown ca" in text.lower():
        return (f"TLS: {ep.url} refused our client certificate {ep.tls_cert or '(none given)'}",
                "use the cert.pem/key.pem its CA signed (DOCKER_CERT_PATH)")
    return f"TLS handshake with {ep.url} failed ({text.splitlines()[0][:200]})", f"files: {ep.tls_ca}, {ep.tls_cert}, {ep.tls_key}"


def ssh_words(ep: Endpoint, exc: Exception) -> tuple[str, str] | None:
    if ep.scheme != "ssh":
        return None
    try:
        import paramiko
    except ImportError:  # docker-py says "Install paramiko package to enable ssh:// support"
        return None
    where = ep.url
    if isinstance(exc, paramiko.BadHostKeyException):
        return (f"ssh: the host key of {exc.hostname} has CHANGED since it was recorded in known_hosts; refused",
                "if the server was reinstalled, remove the old line (ssh-keygen -R HOST) after checking the new fingerprint")
    if isinstance(exc, paramiko.SSHException) and "not found in known_hosts" in str(exc):
        return (f"ssh: the host key of {ep.address} is not in known_hosts (~/.ssh/known_hosts or the UserKnownHostsFile "
                "of ~/.ssh/config); refused",
                "check its fingerprint and add it (ssh-keyscan, or connect once with ssh); swarmtui never adds host keys itself")
    if isinstance(exc, paramiko.AuthenticationException):
        return f"ssh: {where} refused our keys ({exc})", "load a key the server accepts into ssh-agent or name it as IdentityFile in ~/.ssh/config"
    if isinstance(exc, (paramiko.SSHException, OSError)):
        return f"ssh: cannot reach {where} ({first_line(exc, 160)})", "check the address, that sshd runs there and the network"
    return None


install_ssh_fixes()  # known hosts from ~/.ssh/config, one SSH channel, read1 for log streams


def _docker_cli_config_file(config_path=None) -> str:
    """Where the docker CLI keeps config.json, existing or not: DOCKER_CONFIG, else ~/.docker.
    docker-py's own lookup skips a DOCKER_CONFIG without config.json and then reads the contexts
    store of ~/.docker (or a relative ./contexts): a context made with DOCKER_CONFIG set was missed."""
    if config_path:
        return config_path
    base = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    return os.path.join(base, "config.json")


def _install_config_lookup() -> None:
    import docker.context.config as context_config

    context_config.find_config_file = _docker_cli_config_file


_install_config_lookup()


# ---- resolving ------------------------------------------------------------
def _tls_from_env(env: Mapping[str, str]) -> dict:
    verify = env.get("DOCKER_TLS_VERIFY", "") not in ("", "0")
    cert_path = env.get("DOCKER_CERT_PATH") or (str(Path.home() / ".docker") if verify else "")
    if not (verify or env.get("DOCKER_CERT_PATH")):
        return {}
    d = Path(cert_path)
    cert, key = d / "cert.pem", d / "key.pem"
    ca = d / "ca.pem"
    return {"tls_ca": str(ca) if ca.exists() or verify else None, "tls_verify": verify,
            "tls_cert": str(cert) if cert.exists() or verify else None, "tls_key": str(key) if key.exists() or verify else None}


def from_host(host: str, source: str, env: Mapping[str, str] | None = None) -> Endpoint:
    env = os.environ if env is None else env
    tls = _tls_from_env(env) if host.startswith(("tcp://", "https://")) else {}
    return Endpoint(host=host, source=source, **tls)


def from_context(name: str, source: str) -> Endpoint:
    """The endpoint of a docker CLI context (docker-py reads the store in DOCKER_CONFIG)."""
    try:
        ctx = ContextAPI.get_context(name)
    except docker.errors.DockerException as exc:
        raise EndpointError(f"docker context {name!r} cannot be read ({exc})") from exc
    if ctx is None:
        known = ", ".join(c.Name for c in ContextAPI.contexts())
        raise EndpointError(f"there is no docker context called {name!r} ({source})", f"known contexts: {known}; see `docker context ls`")
    if name == "default":
        return Endpoint(source=f"{source}: default")
    tls = ctx.TLSConfig
    extra = {}
    if tls is not None:
        cert, key = tls.cert or (None, None)
        extra = {"tls_ca": tls.ca_cert, "tls_cert": cert, "tls_key": key, "tls_verify": bool(tls.verify)}
    return Endpoint(host=ctx.Host, context=name, source=source, **extra)


def current_context_name() -> str:
    from docker.context.config import get_current_context_name

    return get_current_context_name()


def resolve(docker_host: str | None = None, context: str | None = None, *, host_source: str = "--host",
            context_source: str = "--context", env: Mapping[str, str] | None = None) -> Endpoint:
    """The endpoint the docker CLI would use given these (already merged) choices."""
    if docker_host:
        return from_host(docker_host, host_source, env)
    if context:
        return from_context(context, context_source)
    current = current_context_name()
    if current and current != "default":
        return from_context(current, "current docker context (docker context use)")
    return Endpoint()


@dataclass(frozen=True)
class ContextInfo:
    name: str
    endpoint: str
    current: bool
    description: str = ""


def contexts() -> list[ContextInfo]:
    current = current_context_name()
    out = []
    for ctx in ContextAPI.contexts():
        description = ((ctx.Metadata or {}).get("Metadata") or {}).get("Description", "")
        out.append(ContextInfo(ctx.Name, ctx.Host or "unix:///var/run/docker.sock", ctx.Name == current, description))
    return sorted(out, key=lambda c: (c.name != "default", c.name))


def as_endpoint(where: "Endpoint | str | None") -> Endpoint:
    """Callers may still pass a DOCKER_HOST string (tests, scripts): same as --host."""
    if isinstance(where, Endpoint):
        return where
    return from_host(where, "--host") if where else Endpoint()
