"""Another way in when the manager swarmtui talks to stops answering.

The same kind of endpoint (ssh:// user and port, tcp:// with the same TLS material) at the other
managers' addresses, as the last snapshot listed them; then any docker context whose engine is a
manager of the same swarm.  A unix socket is a way into one machine only: no failover there.
"""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass

from swarmtui.cluster import endpoint as ep
from swarmtui.cluster.models import Snapshot

PROBE_SECONDS = 8  # an SSH handshake plus `docker system dial-stdio` can take seconds under load


@dataclass(frozen=True)
class Attached:
    endpoint: ep.Endpoint
    hostname: str  # the manager now answering, by its swarm hostname


def why_not(current: ep.Endpoint, snapshot: Snapshot | None) -> str | None:
    """Why no failover can be tried (None: it can)."""
    if snapshot is None:
        return "never connected: no other manager known"
    if not [n for n in snapshot.nodes if n.role == "manager" and n.address and n.address != current.address]:
        return "the swarm has no other manager"
    if current.address is None:
        return f"{current.label} is a local socket: the other managers are reachable only through their own endpoints"
    return None


def _manager_of(endpoint: ep.Endpoint, swarm_id: str, timeout: float, strict: bool = True) -> str | None:
    """The hostname of the engine at `endpoint` if it is a manager of swarm `swarm_id`. While raft
    elects a leader a manager's /info has no cluster ID: a manager at an address the swarm itself
    listed (`strict=False`) is taken anyway, and then says "the swarm does not have a leader"."""
    try:
        api = endpoint.api_client(timeout)
    except Exception:  # noqa: BLE001 - not this one
        return None
    try:
        info = api.info()
    except Exception:  # noqa: BLE001
        return None
    finally:
        api.close()
    swarm = info.get("Swarm") or {}
    cluster_id = (swarm.get("Cluster") or {}).get("ID")
    if swarm.get("ControlAvailable") and (cluster_id == swarm_id or (not strict and not cluster_id)):
        return info.get("Name", "")
    return None


def find_manager(current: ep.Endpoint, snapshot: Snapshot, timeout: float = PROBE_SECONDS) -> Attached | None:
    """Probe the other managers (all at once) and return the first that answers as a manager of this swarm."""
    lost = current.address
    candidates = [current.at(n.address) for n in snapshot.nodes
                  if n.role == "manager" and n.address and n.address != lost] if lost else []
    listed = len(candidates)  # the swarm's own managers; contexts after them must match its ID
    try:
        for info in ep.contexts():
            if info.name != current.context and info.endpoint not in (current.url, *(c.url for c in candidates)):
                candidates.append(ep.from_context(info.name, "failover"))
    except Exception:  # noqa: BLE001 - a broken context store must not stop the failover
        pass
    if not candidates:
        return None
    # The first manager to answer wins: waiting for every probe made the slowest handshake (seconds
    # over ssh:// on a loaded machine) the failover time. The others finish (and close) on their own.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(8, len(candidates)), thread_name_prefix="swarmtui-probe")
    try:
        probes = {pool.submit(_manager_of, endpoint, snapshot.swarm.id, timeout, i >= listed): endpoint
                  for i, endpoint in enumerate(candidates)}
        for done in concurrent.futures.as_completed(probes):
            hostname = done.result()
            if hostname:
                return Attached(probes[done], hostname)
        return None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
