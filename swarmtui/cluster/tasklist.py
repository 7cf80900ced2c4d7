"""Task listings (GET /tasks) decoded by msgspec: whole, or only the fields a refresh counts tasks by.

A swarm of 10,000 running tasks answers with 13.5 MB of JSON. Decoded whole into dicts that is
130-330 ms of CPU here (orjson; the stdlib is slower), all of it holding the GIL, so the UI thread
cannot draw a key meanwhile. Decoded against `Counted` msgspec skips every other field without making
objects for it: 36-39 ms for the same body (docs/performance.md "500 nodes / 10,000 tasks").
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec

from swarmtui.cluster.errors import EngineRefused


class _Status(TypedDict, total=False):
    State: Any


class _Spec(TypedDict, total=False):
    Resources: Any


class Counted(TypedDict, total=False):
    """What a refresh counts a running task by (tasks per node, placed resources, tasks on Down nodes,
    crash-loop candidates: convert.running_counts, placed_resources, running_on_lost_nodes,
    health.candidates). Plain dicts of the Engine's own shape, so the same code reads whole tasks."""

    ID: Any
    ServiceID: Any
    NodeID: Any
    DesiredState: Any
    Status: _Status
    Spec: _Spec


_WHOLE = msgspec.json.Decoder(list[dict[str, Any]])
_COUNTED = msgspec.json.Decoder(list[Counted])


def decode(body: bytes, counted: bool = False) -> list[dict]:
    """The listing's tasks: whole, or (`counted`) only Counted's fields."""
    try:
        return (_COUNTED if counted else _WHOLE).decode(body)
    except msgspec.DecodeError as exc:  # ValidationError included: not a list of task objects
        raise EngineRefused(f"the engine's task list could not be read: {exc}") from exc
