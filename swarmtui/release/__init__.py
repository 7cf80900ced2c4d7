"""Release flow: build an image, push it, roll a service out to it, roll back by itself on failure.

No textual here: progress is a stream of plain `ReleaseEvent`s handed to a
callback, so the CLI prints them and the TUI can show them in a dialog.
"""

from swarmtui.release.events import ReleaseEvent, ReleaseResult
from swarmtui.release.flow import release
from swarmtui.release.rollout import RELEASE_POLICY

__all__ = ["ReleaseEvent", "ReleaseResult", "RELEASE_POLICY", "release"]
