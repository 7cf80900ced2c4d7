"""`swarmtui context ls`: every docker CLI context with its endpoint, swarm ID and role, probed at once."""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass

from swarmtui.cluster import endpoint as ep
from swarmtui.cluster.errors import ClusterError, first_line

PROBE_SECONDS = 5


@dataclass(frozen=True)
class ContextState:
    name: str
    endpoint: str
    current: bool
    swarm_id: str = ""
    role: str = ""  # manager | worker | not in a swarm
    error: str = ""  # "" when it answered


def probe(info: ep.ContextInfo, timeout: float = PROBE_SECONDS) -> ContextState:
    """Ask the context's engine who it is (one /info call)."""
    try:
        endpoint = ep.from_context(info.name, "context ls")
        api = endpoint.api_client(timeout)
        try:
            with endpoint.errors():
                swarm = api.info().get("Swarm") or {}
        finally:
            api.close()
    except ClusterError as exc:
        return ContextState(info.name, info.endpoint, info.current, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one unreachable context must not hide the others
        return ContextState(info.name, info.endpoint, info.current, error=f"{type(exc).__name__}: {first_line(exc, 160)}")
    if swarm.get("LocalNodeState") != "active":
        return ContextState(info.name, info.endpoint, info.current, role=f"not in a swarm ({swarm.get('LocalNodeState', '?')})")
    role = "manager" if swarm.get("ControlAvailable") else "worker"
    return ContextState(info.name, info.endpoint, info.current, swarm_id=(swarm.get("Cluster") or {}).get("ID", ""), role=role)


def probe_all(timeout: float = PROBE_SECONDS) -> list[ContextState]:
    infos = ep.contexts()
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(16, len(infos) or 1)) as pool:
        return list(pool.map(lambda i: probe(i, timeout), infos))


def register(sub) -> tuple[str, ...]:
    ctx = sub.add_parser("context", help="docker CLI contexts swarmtui can open (like `docker context ls`, plus swarm ID and role)")
    verbs = ctx.add_subparsers(dest="context_command", metavar="VERB", required=True)
    ls = verbs.add_parser("ls", help="name, endpoint, swarm ID, role of that engine, reachable or the error")
    ls.add_argument("--timeout", type=float, default=PROBE_SECONDS, help="seconds to wait for each engine")
    ls.set_defaults(handler=cmd_ls)
    return ("context",)


def cmd_ls(args, settings) -> int:
    from swarmtui.cluster.cli import _table

    states = probe_all(args.timeout)
    rows = [(s.name + (" *" if s.current else ""), s.endpoint, s.swarm_id[:12] or "-", s.role or "-",
             "yes" if not s.error else s.error) for s in states]
    print(_table(rows, ("NAME", "ENDPOINT", "SWARM", "ROLE", "REACHABLE")))
    return 0 if any(not s.error for s in states) else 1
