"""The timeline wraps its sentences to the pane, however narrow (80x24 gives it 38 columns)."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from swarmtui.ui.widgets.timeline import Timeline

SENTENCE = "resolved: lab-worker-1: lab-worker-1 is ready again (after 6 seconds)"


class OneTimeline(App):
    def compose(self) -> ComposeResult:
        yield Timeline()


def test_a_long_sentence_wraps_within_a_narrow_pane() -> None:
    async def run() -> list[str]:
        app = OneTimeline()
        async with app.run_test(size=(40, 10)) as pilot:
            await pilot.pause()
            timeline = app.query_one(Timeline)
            timeline.add([SENTENCE])
            await pilot.pause()
            width = timeline.scrollable_content_region.width
            lines = [strip.text.rstrip() for strip in timeline.lines]
            assert all(len(line) <= width for line in lines), (width, lines)
            return lines

    lines = asyncio.run(run())
    assert len(lines) > 1
    assert " ".join(lines).split()[1:] == SENTENCE.split()  # after the time stamp: every word, none cut
