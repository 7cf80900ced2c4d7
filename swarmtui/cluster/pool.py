"""SwarmClients lent to worker threads, so connections are reused instead of made per refresh.

Textual's thread workers each run in a new thread; a client per thread meant a new connection
per refresh (over ssh:// a new SSH handshake and a leaked paramiko transport each time).  A
client is used by one thread at a time and handed back after, so there are only as many
clients (and SSH connections) as calls that ever ran at once.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Callable, Iterator

from swarmtui.cluster.client import SwarmClient


class ClientPool:
    def __init__(self, factory: Callable[[], SwarmClient]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._idle: list[SwarmClient] = []
        self._all: list[SwarmClient] = []
        self._closed = False

    @contextlib.contextmanager
    def lease(self) -> Iterator[SwarmClient]:
        with self._lock:
            client = self._idle.pop() if self._idle else None
        if client is None:
            client = self._factory()
            with self._lock:
                self._all.append(client)
        try:
            yield client
        finally:
            with self._lock:
                if self._closed:
                    _close(client)
                else:
                    self._idle.append(client)

    @property
    def size(self) -> int:
        return len(self._all)

    def close(self) -> None:
        """Close every client (those in use close when handed back)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for client in idle:
            _close(client)


def _close(client) -> None:
    close = getattr(client, "close", None)  # stand-ins in tests may hold no connection
    if close is not None:
        close()
