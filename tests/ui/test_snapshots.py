"""SVG snapshots of the main screen, the help screen and every dialog, on recorded lab data.

No lab, no Redis: the app runs on the recorded sources of tests/ui/recorded.py, so every run
draws the same screen.

Regenerate after an intended UI change:  pytest tests/ui/test_snapshots.py --snapshot-update
and look at the SVGs in tests/ui/__snapshots__/ before committing them.
"""

from __future__ import annotations

from pathlib import Path

from tests.ui.recorded import SERVICE, make_app, recorded_snapshot, service_id, then, timeline_entries
from tests.ui.waiting import until

WIDE, WIDER, NARROW = (160, 48), (200, 60), (80, 24)


# ---- the recorded data itself -----------------------------------------------------------------------
def test_recorded_data_is_what_the_snapshots_claim():
    snap = recorded_snapshot(service_id(SERVICE))
    assert [s.name for s in snap.services] == ["capglobal", "caphost", "capweb"]
    assert snap.service_by_name(SERVICE).update_status.state == "updating"
    assert [t.name for t in snap.tasks] == ["caphost.1"] and snap.tasks[0].node_hostname == "lab-worker-1"
    assert len(recorded_snapshot(service_id(SERVICE), history=True).tasks) == 5
    sentences = [s for _, batch in timeline_entries() for s in batch]
    assert "caphost.1 restarted on lab-worker-1 (was on lab-manager-1)" in sentences


def test_no_join_token_in_the_stored_snapshots():
    for svg in (Path(__file__).parent / "__snapshots__").rglob("*.svg"):
        assert "SWMTKN-1" not in svg.read_text(), svg.name


# ---- snapshots -------------------------------------------------------------------------------------
def test_main_screen(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then())


def test_main_screen_narrow(snap_compare):
    assert snap_compare(make_app(), terminal_size=NARROW, run_before=then())


def test_main_screen_wider(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDER, run_before=then())


def test_main_screen_logs_layout(snap_compare):
    """`v`: the nodes and tasks folded away, the logs given their rows."""
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("v"))


def test_help(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("question_mark"))


def test_scale_dialog(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("s"))


def test_scale_to_zero_asks_first(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("s", "ctrl+a", "ctrl+k", "0", "enter"))


def test_rolling_update_dialog(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("u"))


def test_new_service_dialog(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("n"))


def test_remove_service_confirm(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("ctrl+d"))


async def a_dialog(pilot) -> None:
    """Dialogs that read the swarm first (the rollback's spec diff) open a moment after their key."""
    await until(pilot, lambda: len(pilot.app.screen_stack) > 1, what="the dialog")


def test_rollback_confirm(snap_compare):
    """Shows what rolling back changes: the image, from the recorded PreviousSpec."""
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("R", a_dialog))


def test_definition_viewer(snap_compare):
    """`i` on caphost: its spec as YAML, searched for "Image" (the match selected)."""
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("i", a_dialog, "slash", *"Image", "enter"))


def test_node_labels_dialog(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("1", "L"))


def test_drain_node_confirm(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("1", "down", "d"))


def test_bootstrap_wizard(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("1", "b"))


def test_logs_tail_dialog(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("4", "T"))


def test_queue_push_dialog(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("5", "i"))


def test_queue_watch_dialog(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=then("5", "a"))
