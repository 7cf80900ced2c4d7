"""Pure diffing of two tuples of models (or two snapshots), keyed by Docker IDs.

A table updates in place from the result: add `added` rows, update only the
named fields of `changed` rows, remove the `removed` row keys.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Generic, Iterable, Sequence, TypeVar

from swarmtui.cluster.models import Node, Service, Snapshot, Task

T = TypeVar("T")


@dataclass(frozen=True)
class Changed(Generic[T]):
    old: T
    new: T
    fields: tuple[str, ...]  # names of the dataclass fields whose values differ

    @property
    def id(self) -> str:
        return self.new.id  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Diff(Generic[T]):
    added: tuple[T, ...] = ()
    changed: tuple[Changed[T], ...] = ()
    removed: tuple[T, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def changed_fields(old: object, new: object, ignore: Iterable[str] = ()) -> tuple[str, ...]:
    skip = set(ignore)
    return tuple(
        f.name for f in fields(old)  # type: ignore[arg-type]
        if f.name not in skip and getattr(old, f.name) != getattr(new, f.name)
    )


def diff(old: Sequence[T], new: Sequence[T], ignore: Iterable[str] = ()) -> Diff[T]:
    """Rows added / changed (with field names) / removed, by `.id`; order follows `new` (then `old`)."""
    ignore = tuple(ignore)
    before = {row.id: row for row in old}  # type: ignore[attr-defined]
    after_ids = {row.id for row in new}  # type: ignore[attr-defined]
    added, changed = [], []
    for row in new:
        prev = before.get(row.id)  # type: ignore[attr-defined]
        if prev is None:
            added.append(row)
        elif prev != row:
            names = changed_fields(prev, row, ignore)
            if names:
                changed.append(Changed(prev, row, names))
    removed = tuple(row for row in old if row.id not in after_ids)  # type: ignore[attr-defined]
    return Diff(tuple(added), tuple(changed), removed)


@dataclass(frozen=True)
class SnapshotDiff:
    nodes: Diff[Node]
    services: Diff[Service]
    tasks: Diff[Task]

    def __bool__(self) -> bool:
        return bool(self.nodes or self.services or self.tasks)


def diff_snapshots(old: Snapshot | None, new: Snapshot) -> SnapshotDiff:
    """Everything in `new` is added when there is no `old` (the first refresh)."""
    return SnapshotDiff(
        nodes=diff(old.nodes if old else (), new.nodes),
        services=diff(old.services if old else (), new.services),
        tasks=diff(old.tasks if old else (), new.tasks),
    )
