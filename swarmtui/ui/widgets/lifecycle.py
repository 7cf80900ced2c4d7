"""Late messages during shutdown: a worker's batch can reach a pane after its children are gone."""

from __future__ import annotations

import functools


def while_composed(method):
    """Skip the call when the widget has no children any more (the app is tearing it down)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if not self.children:
            return None
        return method(self, *args, **kwargs)

    return wrapper
