"""The bootstrap wizard: a form, host-key confirmations, then a live hosts × steps table.

It never talks to Docker or SSH itself: it is given an engine (anything with
`swarmtui.bootstrap.engine.Engine.run`'s signature) and runs it in an async worker.
Unknown host keys are confirmed one at a time with the shared ConfirmScreen showing
the SHA256 fingerprint.  Selecting a cell shows that step's commands and output
(already redacted by the engine).  When a run ends the screen posts
`BootstrapScreen.Finished` so the app can refresh its nodes pane.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Label, Log, Select, Static

from swarmtui.bootstrap.engine import FAILED, OK, PLANNED, RUNNING, SKIPPED, StepEvent, failed
from swarmtui.bootstrap.hostkeys import UnknownKey
from swarmtui.bootstrap.hosts import HostSpecError, Target, load_targets, parse_labels
from swarmtui.bootstrap.steps import STEPS, Auth, Options
from swarmtui.ui.actions import Gated, bindings
from swarmtui.ui.screens.confirm import ConfirmScreen

SYMBOL = {RUNNING: "… running", OK: "✔ ok", SKIPPED: "· skipped", FAILED: "✘ failed", PLANNED: "○ planned"}


class BootstrapScreen(Gated, Screen):
    """`engine.run(targets, auth, options, on_event, confirm, dry_run)` does the work."""

    DEFAULT_CSS = """
    BootstrapScreen #form { height: auto; padding: 0 1; }
    BootstrapScreen .row { height: auto; }
    BootstrapScreen .row > Vertical { width: 1fr; height: auto; padding-right: 1; }
    BootstrapScreen Input, BootstrapScreen Select { width: 100%; }
    BootstrapScreen #buttons { height: auto; padding: 0 1; }
    BootstrapScreen #buttons Button { margin-right: 1; }
    BootstrapScreen #status { padding: 0 1; height: auto; color: $text-muted; }
    BootstrapScreen #progress { height: 1fr; min-height: 6; }
    BootstrapScreen #output { height: 12; border-top: solid $primary; }
    """
    BINDINGS = bindings("bootstrap")
    ACTION_SCOPE = "bootstrap"

    class Finished(Message):
        def __init__(self, results: dict, dry_run: bool) -> None:
            super().__init__()
            self.results, self.dry_run = results, dry_run

    def __init__(self, engine: Any, registry: str = "", user: str = "root") -> None:
        super().__init__()
        self.engine = engine
        self.default_registry, self.default_user = registry, user
        self.events: dict[tuple[str, str], StepEvent] = {}
        self.results: dict = {}
        self._confirm_lock = asyncio.Lock()
        self._last: tuple[list[Target], Auth, Options] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form"):
            yield Label("Bootstrap: turn fresh servers into swarm nodes over SSH", classes="title")
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("Hosts ([user@]host[:port], space or comma separated)")
                    yield Input(placeholder="10.0.0.5 10.0.0.6 admin@10.0.0.7:2222", id="hosts")
                with Vertical():
                    yield Label("User")
                    yield Input(self.default_user, id="user")
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("Authentication")
                    yield Select([("ssh-agent", "agent"), ("key file", "key"), ("password", "password")],
                                 value="agent", allow_blank=False, id="auth")
                with Vertical():
                    yield Label("Key file")
                    yield Input(placeholder="~/.ssh/id_ed25519", id="key")
                with Vertical():
                    yield Label("Password or key passphrase")
                    yield Input(password=True, id="secret")
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("Role")
                    yield Select([("worker", "worker"), ("manager", "manager")], value="worker",
                                 allow_blank=False, id="role")
                with Vertical():
                    yield Label("Registry to trust (host:port)")
                    yield Input(self.default_registry, id="registry")
                with Vertical():
                    yield Label("Labels (k=v, space separated)")
                    yield Input(placeholder="zone=eu tier=crawl", id="labels")
        with Horizontal(id="buttons"):
            yield Button("Bootstrap", id="run", variant="primary")
            yield Button("Dry run", id="dry")
            yield Button("Retry failed", id="retry", disabled=True)
            yield Checkbox("accept new host keys without asking", id="accept_new")
        yield Static("", id="status")
        yield DataTable(id="progress", cursor_type="cell", zebra_stripes=True)
        yield Log(id="output", max_lines=2000)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#progress", DataTable)
        table.add_column("host", key="host")
        for step in STEPS:
            table.add_column(step, key=step)
        self.query_one("#hosts", Input).focus()

    # --- form -> engine inputs ---------------------------------------------------------------

    def read_form(self) -> tuple[list[Target], Auth, Options]:
        value = lambda wid: self.query_one(f"#{wid}", Input).value.strip()  # noqa: E731
        targets = load_targets(re.split(r"[\s,]+", value("hosts")) if value("hosts") else [],
                               default_user=value("user") or "root")
        if not targets:
            raise HostSpecError("enter at least one host")
        method = self.query_one("#auth", Select).value
        secret = self.query_one("#secret", Input).value
        if method == "password":
            auth = Auth(password=secret)
        elif method == "key":
            if not value("key"):
                raise HostSpecError("enter the key file")
            from pathlib import Path

            auth = Auth(key_file=str(Path(value("key")).expanduser()), passphrase=secret or None)
        else:
            auth = Auth()
        options = Options(role=str(self.query_one("#role", Select).value), registry=value("registry") or None,
                          labels=parse_labels(value("labels").split()))
        return targets, auth, options

    # --- actions -----------------------------------------------------------------------------

    @on(Button.Pressed, "#run")
    def _run(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#dry")
    def _dry(self) -> None:
        self.action_dry_run()

    @on(Button.Pressed, "#retry")
    def _retry(self) -> None:
        self.action_retry()

    def action_run(self) -> None:
        if self.gate().check("bootstrap.run"):  # read-only: whatever opened this screen, nothing runs
            self._start(dry_run=False)

    def action_dry_run(self) -> None:
        self._start(dry_run=True)

    def _start(self, dry_run: bool) -> None:
        try:
            targets, auth, options = self.read_form()
        except (HostSpecError, ValueError) as exc:
            self.set_status(f"[b red]{exc}[/]")
            return
        self._last = (targets, auth, options)
        self.launch(targets, auth, options, dry_run)

    def action_retry(self) -> None:
        if not self.gate().check("bootstrap.retry") or not self._last or not self.results:
            return
        _, auth, options = self._last
        targets = failed(self.results)
        if targets:
            self.launch(targets, auth, options, False)

    def action_close(self) -> None:
        self.app.pop_screen()

    def set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    # --- running -----------------------------------------------------------------------------

    def launch(self, targets: list[Target], auth: Auth, options: Options, dry_run: bool) -> None:
        table = self.query_one("#progress", DataTable)
        for t in targets:
            if t.label not in table.rows:
                table.add_row(t.label, *("" for _ in STEPS), key=t.label)
            for step in STEPS:
                table.update_cell(t.label, step, "")
                self.events.pop((t.label, step), None)
        for wid in ("#run", "#dry", "#retry"):
            self.query_one(wid, Button).disabled = True
        self.set_status(f"{'Planning' if dry_run else 'Bootstrapping'} {len(targets)} host(s)…")
        self.run_engine(targets, auth, options, dry_run)

    @work(exclusive=True, group="bootstrap", exit_on_error=False)
    async def run_engine(self, targets: list[Target], auth: Auth, options: Options, dry_run: bool) -> None:
        try:
            results = await self.engine.run(targets, auth, options, self.on_step, self.confirm_key, dry_run=dry_run)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the screen stays usable
            self.set_status(f"[b red]{exc}[/]")
            results = {}
        self.results.update(results)
        bad = failed(results) if not dry_run else []
        if dry_run:
            self.set_status(f"Dry run: the commands for {len(results)} host(s) are in each cell (token masked).")
        elif results:
            joined = len(results) - len(bad)
            self.set_status(f"{joined} of {len(results)} host(s) in the swarm"
                            + (f"; {len(bad)} failed — Retry failed (ctrl+r)" if bad else "."))
        for wid in ("#run", "#dry"):
            self.query_one(wid, Button).disabled = False
        self.query_one("#retry", Button).disabled = not failed(self.results) or dry_run
        self.post_message(self.Finished(results, dry_run))

    def on_step(self, event: StepEvent) -> None:
        self.events[(event.host, event.step)] = event
        table = self.query_one("#progress", DataTable)
        text = SYMBOL.get(event.status, event.status)
        if event.status not in (RUNNING, PLANNED) and event.seconds >= 0.1:
            text += f" {event.seconds:.1f}s"
        table.update_cell(event.host, event.step, text)
        coordinate = table.cursor_coordinate
        if self._cell_key(coordinate) == (event.host, event.step):
            self.show_output(event.host, event.step)

    async def confirm_key(self, unknown: UnknownKey) -> bool:
        if self.query_one("#accept_new", Checkbox).value:
            return True
        async with self._confirm_lock:  # one question at a time
            return bool(await self.app.push_screen_wait(ConfirmScreen(
                f"Trust the host key of {unknown.target.label}?",
                f"This host is not in your known_hosts.\n\n  {unknown.key_type}\n  {unknown.fingerprint}\n\n"
                "Compare it with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the server. "
                "Yes pins it in swarmtui's known_hosts; a later change will be refused.",
                yes_label="Trust and pin",
            )))

    def _cell_key(self, coordinate) -> tuple[str, str] | None:
        table = self.query_one("#progress", DataTable)
        try:
            row_key, column_key = table.coordinate_to_cell_key(coordinate)
        except Exception:  # noqa: BLE001 - empty table or stale coordinate
            return None
        step = column_key.value if column_key.value in STEPS else STEPS[0]
        return row_key.value, step

    @on(DataTable.CellHighlighted, "#progress")
    def _cell(self, event: DataTable.CellHighlighted) -> None:
        key = self._cell_key(event.coordinate)
        if key:
            self.show_output(*key)

    def show_output(self, host: str, step: str) -> None:
        log = self.query_one("#output", Log)
        log.clear()
        event = self.events.get((host, step))
        if event is None:
            log.write_line(f"{host} · {step}: not run yet")
            return
        log.write_line(f"{host} · {step}: {event.status} — {event.message}")
        log.write_lines(list(event.output))
