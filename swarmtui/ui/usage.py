"""CPU and memory of the running tasks on screen in the tasks pane, every USAGE_SECONDS.

A mixin of SwarmApp; it relies on the app's `main()`, `snapshot`, `sources`, `_client()`,
`_generation` and `closing`.  The nodes are asked in one thread worker (cluster/stats.py keeps their
connections between polls); a poll still in flight when the timer fires is not doubled, only the
rows scrolled to are asked for, and nothing is asked while the pane is hidden behind a zoomed one.
"""

from __future__ import annotations

from textual import work

from swarmtui.ui.messages import UsagePolled
from swarmtui.ui.widgets.tasks import TasksPane

USAGE_SECONDS = 3.0


class UsageMixin:
    _usage_poller = None
    _usage_generation = -1
    _polling_usage = False

    def start_usage(self) -> None:
        if self.sources.usage is not None:
            self.set_interval(USAGE_SECONDS, self.poll_usage)

    def _tasks_on_screen(self) -> list:
        pane = self.main(TasksPane)
        zoomed = self.screen_stack[0].maximized
        if not pane.display or zoomed not in (None, pane, pane.table):
            return []
        return [t for key in pane.table.visible_keys() if (t := pane._tasks.get(key)) and t.state == "running"]

    def poll_usage(self) -> None:
        if self._polling_usage or self.closing or self.snapshot is None:
            return
        tasks = self._tasks_on_screen()
        if tasks:
            self._polling_usage = True
            self._poll_usage(tasks, self.snapshot.nodes, self._generation)

    def _own_hostname(self) -> str | None:
        with self._client() as client:
            return client.own_hostname()

    @work(thread=True, exit_on_error=False, group="usage")
    def _poll_usage(self, tasks, nodes, generation: int) -> None:
        try:
            if self._usage_poller is None or self._usage_generation != generation:
                if self._usage_poller is not None:  # the endpoint moved (failover, :ctx): other nodes
                    self._usage_poller.close()
                self._usage_poller, self._usage_generation = self.sources.usage(self._own_hostname), generation
            message = UsagePolled(self._usage_poller.poll(tasks, nodes))
            message.generation = generation
            self.post_message(message)
        finally:
            self._polling_usage = False

    def on_usage_polled(self, message: UsagePolled) -> None:
        if self.closing or not self._current(message):
            return
        self.main(TasksPane).show_usage(message.usage)

    def stop_usage(self) -> None:
        if self._usage_poller is not None:
            self._usage_poller.close()
            self._usage_poller = None
