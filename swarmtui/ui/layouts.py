"""The main screen's layouts: which panes show and how the rows are shared (styles.tcss has the rows).

"standard": services and nodes take the rows they need, the tasks the full width, the queue beside
the timeline, the logs the full width and the most rows.  "logs": the nodes and tasks folded away,
their rows given to the logs (a crawl watched by its output).  `v` switches; the name is kept in
Settings.layout (config.toml's `layout`, checked with the other remembered values in remembering.py).
"""

from __future__ import annotations

LAYOUTS: dict[str, tuple[str, ...]] = {  # name -> the panes it folds away
    "standard": (),
    "logs": ("nodes", "tasks"),
}
DEFAULT = "standard"


def next_layout(name: str) -> str:
    names = list(LAYOUTS)
    return names[(names.index(name) + 1) % len(names)]
