"""`:ctx` — switch swarmtui to another docker context without restarting.

Switching closes every stream of the current swarm (feed, log stream, pooled clients: the app's
_attach), clears the panes, the timeline and the queue links, and opens the other context with its
own settings ([contexts.NAME] redis_url).  Answers still arriving from the old swarm carry an old
generation number and are dropped, so nothing of it reaches the new one's panes.
"""

from __future__ import annotations

from textual import work

from swarmtui.cluster.context_cli import probe_all
from swarmtui.cluster.errors import ClusterError
from swarmtui.cluster.narrate import Narrator
from swarmtui.ui.screens.contexts import ContextsScreen
from swarmtui.ui.widgets.logs import LogsPane
from swarmtui.ui.widgets.queue import QueuePane
from swarmtui.ui.widgets.services import ServicesTable
from swarmtui.ui.widgets.nodes import NodesTable
from swarmtui.ui.widgets.status import StatusLine
from swarmtui.ui.widgets.tasks import TasksPane
from swarmtui.ui.widgets.timeline import Timeline


class ContextSwitching:
    def action_open_contexts(self) -> None:
        self.push_screen(ContextsScreen(self.endpoint.context))

    @work(thread=True, exit_on_error=False, group="contexts")
    def _probe_contexts(self, view: ContextsScreen) -> None:
        try:
            states = probe_all()
        except Exception as exc:  # noqa: BLE001 - a broken context store is shown, never raised
            self.call_from_thread(self.notify, f"contexts: {exc}", severity="error")
            return
        if not self.closing:
            self.call_from_thread(view.show, states)

    def switch_context(self, name: str) -> None:
        settings = self.settings.for_context(name)
        try:
            endpoint = settings.endpoint
        except ClusterError as exc:
            self.notify(str(exc), title=f"cannot open {name}", severity="error", timeout=10)
            return
        self.settings = settings
        self.snapshot, self.tasks_scope = None, None
        self._narrate = Narrator()  # its memory is of the old swarm: it would narrate the switch as changes
        self._switched_to = name
        with self.batch_update():
            self.main(NodesTable).sync({})
            self.main(ServicesTable).sync({})
            self.main(TasksPane).clear()
            timeline = self.main(Timeline)
            timeline.clear()
            timeline.entries.clear()
            status = self.main(StatusLine)
            status.snapshot, status.note, status.connection = None, "", "connecting"
        self._attach(endpoint, name, follow_logs=False)
        self.restart_watcher(same_swarm=False)
        old_monitor, self.queue_monitor = self.queue_monitor, self.sources.queue()  # that context's own Redis
        self.main(QueuePane).monitor = self.queue_monitor
        close = getattr(old_monitor, "close", None)
        if close is not None:
            close()
        self.main(LogsPane).follow_service(None)
