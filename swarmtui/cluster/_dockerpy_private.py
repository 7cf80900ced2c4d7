"""The docker-py internals swarmtui relies on, in one place (docker-py 7.x `APIClient`).

Each is a documented-by-use helper of docker-py's own public methods (they all build their requests
with them); if a docker-py release renames one, this module is the only place to change.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import Any, Mapping

import docker
import requests
from docker import utils as docker_utils

from swarmtui.cluster._paramiko_private import add_channel_read1

SSH_CONNECT_SECONDS = 8  # TCP connect to an ssh:// host (paramiko has no default)


def client_around(api: docker.APIClient) -> docker.DockerClient:
    """A DockerClient over an APIClient already made (and checked) by the caller.

    Why private: DockerClient() always builds its own APIClient from keyword arguments, with no
    way to hand it one; its only state is `.api`, so setting that is the whole construction."""
    client = docker.DockerClient.__new__(docker.DockerClient)
    client.api = api
    return client


def negotiate_api_version(api: docker.APIClient) -> None:
    """Ask the daemon its API version now (what APIClient(version="auto") does in __init__).

    Why private: "auto" asks before the caller can switch the session's environment off
    (`trust_env = False`, so REQUESTS_CA_BUNDLE cannot replace the daemon's CA); the client is
    made with a fixed minimum version, then this sets the real one."""
    api._version = api._retrieve_server_version()


def post_service_update(api: docker.APIClient, service_id: str, spec: Mapping[str, Any],
                        params: Mapping[str, Any]) -> None:
    """POST /services/{id}/update with a whole spec, as `docker service update/rollback` does.

    Why private: the public `APIClient.update_service()` rebuilds the spec from its keyword
    arguments (dropping fields it does not know) and has no `rollback=previous` query parameter;
    swarmtui sends back the exact spec it read and modified (read-modify-write on its version)."""
    response = api._post_json(api._url("/services/{0}/update", service_id), data=dict(spec), params=dict(params))
    api._raise_for_status(response)


def get_service_logs(api: docker.APIClient, service_id: str, params: Mapping[str, Any]) -> requests.Response:
    """GET /services/{id}/logs as a streaming response (raises docker.errors.APIError / NotFound).

    Why private: the public `APIClient.service_logs()` returns only a generator over the frames,
    never the response, so a watchdog could not cut a stalled stream from another thread, and
    frames could not be read in large chunks (see logs.py)."""
    return _streaming_get(api, "/services/{0}/logs", service_id, params)


def get_task_logs(api: docker.APIClient, task_id: str, params: Mapping[str, Any]) -> requests.Response:
    """GET /tasks/{id}/logs (Engine API 1.29+, one replica's lines) as a streaming response.

    Why private: docker-py 7.x's APIClient has no call for it at all (only `service_logs` and the
    container `logs`); it takes the same query parameters and sends the same frames as the
    service's endpoint."""
    return _streaming_get(api, "/tasks/{0}/logs", task_id, params)


def get_tasks(api: docker.APIClient, filters: Mapping[str, Any]) -> bytes:
    """GET /tasks?filters=..., as `APIClient.tasks(filters=...)`, its body undecoded.

    Why private: the public call decodes with the standard library (through requests), and a
    swarm's whole running-task list is 13.5 MB at 10,000 tasks: the caller decodes it with a
    schema instead (client.py), and the body is read in one call (requests' `.content` joins it
    from 10 KB pieces: ~40 ms more).  Same request, same errors (docker.errors.APIError)."""
    response = api._get(api._url("/tasks"), params={"filters": docker_utils.convert_filters(dict(filters))}, stream=True)
    try:
        api._raise_for_status(response)
        return response.raw.read(decode_content=True)
    finally:
        response.close()


def _streaming_get(api: docker.APIClient, path: str, object_id: str, params: Mapping[str, Any]) -> requests.Response:
    response = api._get(api._url(path, object_id), params=dict(params), stream=True)
    try:
        api._raise_for_status(response)
    except Exception:
        response.close()
        raise
    return response


def install_ssh_fixes() -> None:
    """docker-py's ssh:// transport, patched once: SSHHTTPAdapter._create_paramiko_client, _connect and
    get_connection are replaced (docker-py offers no hook for any).

    - its paramiko client loads ~/.ssh/known_hosts only: also load the UserKnownHostsFile(s)
      ~/.ssh/config names for that host (still RejectPolicy: this only widens what counts as known);
    - one connection pool for every request (see get_connection below);
    - a connect that fails closes its SSH client (see connect below);
    - paramiko's channel file gets read1 (see _paramiko_private.add_channel_read1)."""
    try:
        from docker.transport import sshconn
    except ImportError:
        return
    if getattr(sshconn.SSHHTTPAdapter, "_swarmtui_known_hosts", False):
        return
    original = sshconn.SSHHTTPAdapter._create_paramiko_client

    def create(self, base_url):
        original(self, base_url)
        import paramiko

        # paramiko's TCP connect has no timeout of its own: a powered-off manager would hang failover.
        self.ssh_params.setdefault("timeout", SSH_CONNECT_SECONDS)

        config_file = Path(os.path.expanduser("~/.ssh/config"))
        if config_file.exists():
            host = urllib.parse.urlparse(base_url).hostname
            for name in paramiko.SSHConfig.from_path(str(config_file)).lookup(host).get("userknownhostsfile", "").split():
                path = os.path.expanduser(name)
                if os.path.isfile(path):
                    self.ssh_client.load_host_keys(path)
        # Only the host keys named above: no auto-add (docker-py already set RejectPolicy).
        self.ssh_client.set_missing_host_key_policy(paramiko.RejectPolicy())

    original_get = sshconn.SSHHTTPAdapter.get_connection

    def get_connection(self, url, proxies=None):
        # docker-py keys its pools by the whole URL, so every new path or query (each service's
        # tasks, each log stream) opened one more channel and one more remote `docker system
        # dial-stdio` process; every request goes to the same daemon, so one pool serves all.
        return original_get(self, "http+docker://ssh", proxies)

    original_connect = sshconn.SSHHTTPAdapter._connect

    def connect(self):
        # A refused host key (or failed login) raises out of the adapter's __init__ with paramiko's
        # transport still running: a thread and an open TCP connection nobody can close (sshd holds
        # it until its LoginGraceTime). The failover probe retries every second: close it here.
        try:
            original_connect(self)
        except BaseException:
            if self.ssh_client is not None:
                self.ssh_client.close()
            raise

    add_channel_read1()
    sshconn.SSHHTTPAdapter._create_paramiko_client = create
    sshconn.SSHHTTPAdapter._connect = connect
    sshconn.SSHHTTPAdapter.get_connection = get_connection
    sshconn.SSHHTTPAdapter._swarmtui_known_hosts = True
