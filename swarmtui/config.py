"""Settings: command-line flags beat the environment, which beats the config file.

The config file is TOML at $XDG_CONFIG_HOME/swarmtui/config.toml (default
~/.config/swarmtui/config.toml).  Every key is optional:

    docker_host = "unix:///var/run/docker.sock"
    context = "prod"             # a docker CLI context to open when no --host/DOCKER_HOST/--context says otherwise
    redis_url = "redis://default:secret@10.0.0.1:7891/0"
    registry = "10.0.0.1:8003"   # the private registry new nodes must trust (SWARMTUI_REGISTRY)
    queue_keys = ["example:swarm:spider", "spider:*"]
    read_only = false
    max_replicas = 1000
    log_buffer_lines = 50000
    [queue_links]            # queue key -> service it feeds
    "example:swarm:spider" = "spider"
    [alerts]                 # rules and delivery: see swarmtui/alerts/settings.py
    webhook = "https://hooks.slack.com/services/..."
    [autoscale.spider]       # one table per service: see swarmtui/autoscale/policy.py
    queue = "example:swarm:spider"
    min = 1
    max = 6
    [nodes."lab-worker-1"]   # how to reach one node's engine (shell in a task, stats); default:
    host = "ssh://ops@10.0.0.12"   # the manager's ssh:// user at the node's address (cluster/reach.py)
    [contexts.prod]          # per docker context: each swarm has its own queue
    redis_url = "redis://default:secret@10.0.0.9:7891/0"
    [keys]                   # binding id -> key(s); the ids are in swarmtui/ui/actions.py
    "services.scale_to" = "S"
    "app.quit" = "ctrl+q"

What the TUI remembers by itself (settings_store.py writes only the key that changed, keeping
the file's comments and other keys):

    theme = "nord"           # picked in the command palette (ctrl+p, "Change theme")
    layout = "..."           # the screen layout last chosen
    [sort]                   # per table: a column key, "desc" for the reverse order
    services = "replicas desc"

Where the Docker endpoint comes from, as the docker CLI decides (see cluster/endpoint.py):
--host > DOCKER_HOST > --context > DOCKER_CONTEXT > `docker_host` / `context` here > the docker
CLI's current context > the local socket.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from swarmtui.alerts.settings import AlertSettings, parse_alerts
from swarmtui.autoscale.policy import Policy, parse_autoscale

DEFAULT_QUEUE_KEYS = ("example:swarm:spider", "example:swarm:spider:processing:*", "example:swarm:spider:results")


class ConfigError(Exception):
    """The config file could not be read; the message says which file and why."""


@dataclass(frozen=True)
class Settings:
    docker_host: str | None = None  # None: docker-py's default (local socket)
    redis_url: str | None = None
    registry: str | None = None
    queue_keys: tuple[str, ...] = DEFAULT_QUEUE_KEYS
    queue_links: Mapping[str, str] = field(default_factory=dict)
    read_only: bool = False
    max_replicas: int = 1000
    log_buffer_lines: int = 50_000
    alerts: AlertSettings = field(default_factory=AlertSettings)
    autoscale: Mapping[str, Policy] = field(default_factory=dict)  # service name -> policy
    keys: Mapping[str, str] = field(default_factory=dict)  # the user's keymap, checked when the TUI starts
    config_path: Path | None = None
    context: str | None = None  # a docker CLI context (used only when docker_host is None)
    contexts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # [contexts.NAME] tables
    nodes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # [nodes.HOSTNAME] host = "ssh://..."
    endpoint_source: str = "--host"  # which of --host, DOCKER_HOST, --context ... chose the endpoint
    theme: str | None = None  # a Textual theme name, checked when the TUI starts (None: Textual's default)
    layout: str | None = None  # the screen layout's name, checked by the TUI
    sort: Mapping[str, str] = field(default_factory=dict)  # table -> "COLUMN" or "COLUMN desc", checked by the TUI

    @cached_property
    def endpoint(self):
        """The one resolved Docker endpoint every client, stream and worker uses (cluster/endpoint.py).
        Raises EndpointError (a ClusterError) for an unknown context or missing TLS files."""
        from swarmtui.cluster.endpoint import resolve

        return resolve(self.docker_host, self.context, host_source=self.endpoint_source, context_source=self.endpoint_source)

    def for_context(self, name: str) -> "Settings":
        """These settings pointed at another docker context (`:ctx`), with that context's own redis_url."""
        own = self.contexts.get(name, {})
        return replace(self, docker_host=None, context=name, endpoint_source="switched (:ctx)",
                       redis_url=own.get("redis_url", self.redis_url if not self.contexts.get(self.context or "") else None))


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "swarmtui"


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def _from_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}); fix it or pass --config") from exc
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    known = {f.name for f in fields(Settings)} - {"config_path", "endpoint_source"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    if "queue_keys" in data:
        data["queue_keys"] = tuple(data["queue_keys"])
    _check_remembered(path, data)
    for name, node in (data.get("nodes") or {}).items():
        host = node.get("host", "") if isinstance(node, dict) else ""
        if not isinstance(host, str) or not host.startswith("ssh://"):
            raise ConfigError(f'{path}: [nodes."{name}"] needs host = "ssh://USER@ADDRESS[:PORT]"')
    try:
        if "alerts" in data:
            data["alerts"] = parse_alerts(data["alerts"])
        if "autoscale" in data:
            data["autoscale"] = parse_autoscale(data["autoscale"], data.get("max_replicas", Settings.max_replicas))
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return data


def _check_remembered(path: Path, data: Mapping[str, Any]) -> None:
    """The shape of what the TUI remembers (theme, layout, [sort]); their values are checked by the TUI."""
    for key in ("theme", "layout"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            raise ConfigError(f"{path}: {key}: give a name as a string, e.g. {key} = \"{'nord' if key == 'theme' else 'NAME'}\"")
    sort = data.get("sort", {})
    if not isinstance(sort, dict):
        raise ConfigError(f'{path}: sort: must be a table, e.g. [sort] services = "replicas desc"')
    for table, spec in sort.items():
        if not isinstance(spec, str):
            raise ConfigError(f'{path}: [sort] {table}: give "COLUMN" or "COLUMN desc" as a string')


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if env.get("DOCKER_HOST"):
        out["docker_host"] = env["DOCKER_HOST"]
    if env.get("DOCKER_CONTEXT"):
        out["context"] = env["DOCKER_CONTEXT"]
    if env.get("REDIS_URL"):
        out["redis_url"] = env["REDIS_URL"]
    if env.get("SWARMTUI_REGISTRY"):
        out["registry"] = env["SWARMTUI_REGISTRY"]
    return out


def load_settings(
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Settings:
    """Merge file < environment < flags.  Flags whose value is None are "not given"."""
    path = path or default_config_path()
    layers = [("config file", _from_file(path)), ("env", _from_env(os.environ if env is None else env)),
              ("flag", {k: v for k, v in (flags or {}).items() if v is not None})]
    merged: dict[str, Any] = {}
    for _, layer in layers:
        merged.update(layer)
    merged.update(_endpoint_choice(layers))
    own_redis = (merged.get("contexts") or {}).get(merged.get("context") or "", {}).get("redis_url")
    if own_redis and not any(layer.get("redis_url") for name, layer in layers if name != "config file"):
        merged["redis_url"] = own_redis  # [contexts.NAME] redis_url beats the file's global one
    if isinstance(merged.get("queue_keys"), list):
        merged["queue_keys"] = tuple(merged["queue_keys"])
    return replace(Settings(), config_path=path, **merged)


def _endpoint_choice(layers) -> dict[str, Any]:
    """The docker CLI's order: --host, DOCKER_HOST, --context, DOCKER_CONTEXT; then this file's
    docker_host or context. The first one given wins and the others are dropped."""
    by = dict(layers)
    for layer, key, source in (("flag", "docker_host", "--host"), ("env", "docker_host", "DOCKER_HOST"),
                               ("flag", "context", "--context"), ("env", "context", "DOCKER_CONTEXT"),
                               ("config file", "docker_host", "docker_host in the config file"),
                               ("config file", "context", "context in the config file")):
        value = by[layer].get(key)
        if value:
            other = "context" if key == "docker_host" else "docker_host"
            return {key: value, other: None, "endpoint_source": source}
    return {"docker_host": None, "context": None, "endpoint_source": "the docker CLI's current context"}
