"""Two snapshots -> what the swarm did, in words, for the timeline.

"lab-worker-2 down", "spider 3/3 → 2/3", "spider.2 restarted on lab-manager-1",
"update of spider completed". Pure: no Docker calls, unit-testable.
"""

from __future__ import annotations

from swarmtui.cluster.models import Snapshot, Task


def narrate(before: Snapshot | None, after: Snapshot) -> list[str]:
    if before is None:
        return []
    return [*_nodes(before, after), *_services(before, after), *_tasks(before, after)]


def _nodes(before: Snapshot, after: Snapshot) -> list[str]:
    out = []
    old = {n.id: n for n in before.nodes}
    for node in after.nodes:
        prev = old.pop(node.id, None)
        if prev is None:
            out.append(f"{node.hostname} joined as {node.role}")
            continue
        if prev.status != node.status:
            out.append(f"{node.hostname} {node.status}")
        if prev.availability != node.availability:
            out.append(f"{node.hostname} availability {prev.availability} → {node.availability}")
        if prev.role != node.role:
            out.append(f"{node.hostname} {'promoted to manager' if node.role == 'manager' else 'demoted to worker'}")
        if node.leader and not prev.leader:
            out.append(f"{node.hostname} is the new leader")
    out.extend(f"{n.hostname} left the swarm" for n in old.values())
    return out


def _services(before: Snapshot, after: Snapshot) -> list[str]:
    out = []
    old = {s.id: s for s in before.services}
    for svc in after.services:
        prev = old.pop(svc.id, None)
        if prev is None:
            out.append(f"service {svc.name} created ({svc.image}, {svc.replicas_desired} replicas)")
            continue
        if (prev.replicas_running, prev.replicas_desired) != (svc.replicas_running, svc.replicas_desired):
            out.append(f"{svc.name} {prev.replicas_running}/{prev.replicas_desired} → {svc.replicas_running}/{svc.replicas_desired}")
        if prev.image != svc.image:
            out.append(f"{svc.name} image {prev.tag} → {svc.tag}")
        state = svc.update_status.state if svc.update_status else None
        prev_state = prev.update_status.state if prev.update_status else None
        if state and state != prev_state:
            words = state.replace("rollback_", "rollback ").replace("_", " ")
            message = f": {svc.update_status.message}" if svc.update_status.message else ""
            out.append(f"update of {svc.name} {words}{message}")
    out.extend(f"service {s.name} removed" for s in old.values())
    return out


def _running(tasks: tuple[Task, ...]) -> dict[tuple[str, object], Task]:
    return {(t.service_id, t.slot if t.slot is not None else t.node_id): t for t in tasks if t.desired_state == "running"}


def _tasks(before: Snapshot, after: Snapshot) -> list[str]:
    out = []
    watched = {t.service_id for t in after.tasks} & {t.service_id for t in before.tasks}
    old = _running(tuple(t for t in before.tasks if t.service_id in watched))
    for key, task in _running(tuple(t for t in after.tasks if t.service_id in watched)).items():
        prev = old.get(key)
        if prev is not None and prev.id != task.id:
            where = f"on {task.node_hostname}" if task.node_hostname != prev.node_hostname else f"on {task.node_hostname} (same node)"
            out.append(f"{task.name} restarted {where}")
        elif prev is not None and prev.state != task.state and task.state in ("failed", "rejected"):
            out.append(f"{task.name} {task.state}: {task.error}")
    return out
