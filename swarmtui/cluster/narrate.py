"""Two snapshots -> what the swarm did, in words, for the timeline.

"lab-worker-2 down", "spider 3/3 → 2/3", "spider.2 restarted on lab-manager-1",
"update of spider completed". Pure: no Docker calls, unit-testable.
"""

from __future__ import annotations

from swarmtui.cluster.health import describe
from swarmtui.cluster.models import OperationResult, Service, Snapshot, Task

# A sentence about one event of one node or service: (its ID, what changed).  An operation of
# swarmtui writes its own summary of the same event; the narrator then keeps quiet about it.
Topic = tuple[str, str]
TOPICS = {"create": "exists", "remove": "exists", "promote": "role", "demote": "role",
          "active": "availability", "pause": "availability", "drain": "availability",
          "update": "image", "rollback": "image"}


def _nodes(before: Snapshot, after: Snapshot) -> list[tuple[Topic | None, str]]:
    out: list[tuple[Topic | None, str]] = []
    old = {n.id: n for n in before.nodes}
    for node in after.nodes:
        prev = old.pop(node.id, None)
        if prev is None:
            out.append(((node.id, "exists"), f"{node.hostname} joined as {node.role}"))
            continue
        if prev.status != node.status:
            out.append((None, f"{node.hostname} {node.status}"))
        if prev.availability != node.availability:
            out.append(((node.id, "availability"), f"{node.hostname} availability {prev.availability} → {node.availability}"))
        if prev.role != node.role:
            out.append(((node.id, "role"), f"{node.hostname} {'promoted to manager' if node.role == 'manager' else 'demoted to worker'}"))
        if node.leader and not prev.leader:
            out.append((None, f"{node.hostname} is the new leader"))
    out.extend(((n.id, "exists"), f"{n.hostname} left the swarm") for n in old.values())
    return out


def _services(before: Snapshot, after: Snapshot) -> list[tuple[Topic | None, str]]:
    out: list[tuple[Topic | None, str]] = []
    old = {s.id: s for s in before.services}
    for svc in after.services:
        prev = old.pop(svc.id, None)
        if prev is None:
            out.append(((svc.id, "exists"), f"service {svc.name} created ({svc.image}, {svc.replicas_desired} replicas)"))
            continue
        out.extend((None, line) for line in _failing(prev, svc))
        looping = svc.failing or prev.failing  # its replica count flickers with every restart: said once above
        if not looping and (prev.replicas_running, prev.replicas_desired) != (svc.replicas_running, svc.replicas_desired):
            out.append((None, f"{svc.name} {prev.replicas_running}/{prev.replicas_desired} → {svc.replicas_running}/{svc.replicas_desired}"))
        if prev.image != svc.image:
            out.append(((svc.id, "image"), f"{svc.name} image {prev.tag} → {svc.tag}"))
        state = svc.update_status.state if svc.update_status else None
        prev_state = prev.update_status.state if prev.update_status else None
        if state and state != prev_state:
            words = state.replace("rollback_", "rollback ").replace("_", " ")
            message = f": {svc.update_status.message}" if svc.update_status.message else ""
            out.append((None, f"update of {svc.name} {words}{message}"))
    out.extend(((s.id, "exists"), f"service {s.name} removed") for s in old.values())
    return out


def _failing(prev: Service, svc: Service) -> list[str]:
    """Once per crash loop: when it is first seen, and when it is over."""
    if svc.failing and not prev.failing:
        error = f" ({svc.failing.error})" if svc.failing.error else ""
        return [f"{svc.name} {describe(svc.failing)}{error}"]
    if prev.failing and not svc.failing:
        return [f"{svc.name} is no longer failing"]
    return []


def _slot(task: Task) -> tuple[str, object]:
    return (task.service_id, task.slot if task.slot is not None else task.node_id)


class Narrator:
    """narrate() with a memory of the last task seen in each slot.

    During a failover a slot is often empty for a refresh or two (the old task is
    no longer wanted, its replacement not yet created), so a restart can only be
    recognised by remembering who held the slot before the gap.
    """

    def __init__(self) -> None:
        self.previous: Snapshot | None = None
        self.slots: dict[tuple[str, object], Task] = {}
        self.told: set[Topic] = set()  # events an operation's summary already put in the timeline
        self.said: set[Topic] = set()  # events of the latest snapshot, in case their operation reports after

    def operation_done(self, result: OperationResult) -> bool:
        """An operation finished: False when the narrator already said its event (its summary would be
        a second line for it), else True and the narrator will not say it."""
        topic = TOPICS.get(result.action)
        if not (result.changed and topic and result.target_id):
            return True
        key = (result.target_id, topic)
        if key in self.said:
            self.said.discard(key)
            return False
        self.told.add(key)
        return True

    def __call__(self, snapshot: Snapshot) -> list[str]:
        before, self.previous = self.previous, snapshot
        if before is None:
            self._remember(snapshot)
            return []
        sentences, self.said = [], set()  # only the latest snapshot's: an operation reports right after
        for key, text in [*_nodes(before, snapshot), *_services(before, snapshot)]:
            if key in self.told:
                self.told.discard(key)
                continue
            if key is not None:
                self.said.add(key)
            sentences.append(text)
        sentences += self._tasks(before, snapshot)
        self._remember(snapshot)
        return sentences

    def _remember(self, snapshot: Snapshot) -> None:
        for task in snapshot.tasks:
            if task.desired_state == "running":
                self.slots[_slot(task)] = task
        desired = {s.id: s.replicas_desired for s in snapshot.services if s.mode == "replicated"}
        # a slot above the replica count was scaled away: its next task is not a restart
        self.slots = {k: t for k, t in self.slots.items()
                      if k[0] in desired and not (isinstance(k[1], int) and k[1] > desired[k[0]])}

    def _tasks(self, before: Snapshot, after: Snapshot) -> list[str]:
        """A new task in a slot that had one before is a restart (failover, crash, update)."""
        out = []
        old_by_id = {t.id: t for t in before.tasks}
        # tasks already seen wanted running; a replacement first listed as "ready" (restart delay) is not
        known = {t.id for t in self.slots.values()} | {t.id for t in before.tasks if t.desired_state == "running"}
        looping = {s.id for s in after.services if s.failing}  # said once, by _services
        for task in after.tasks:
            if task.service_id in looping:
                continue
            prev = old_by_id.get(task.id)
            holder = self.slots.get(_slot(task))
            if task.id not in known and task.desired_state == "running" and holder is not None:
                moved = f" (was on {holder.node_hostname})" if holder.node_hostname != task.node_hostname else ""
                out.append(f"{task.name} restarted on {task.node_hostname}{moved}")
            elif prev is not None and prev.state != task.state and task.state in ("failed", "rejected", "orphaned"):
                out.append(f"{task.name} {task.state}" + (f": {task.error}" if task.error else ""))
        return out
