"""Release flow's pure parts: image names, build args, update config, following an update."""

from __future__ import annotations

import pytest

from swarmtui import cli
from swarmtui.release.build import ReleaseError, parse_build_args, split_ref, target_image
from swarmtui.release.events import ReleaseEvent
from swarmtui.release.rollout import RELEASE_POLICY, ServiceView, TaskView, failure_reasons, follow, progress_line


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("10.0.0.1:8003/spider:0.02", ("10.0.0.1:8003/spider", "0.02")),
        ("10.0.0.1:8003/spider", ("10.0.0.1:8003/spider", "latest")),
        ("spider:0.01@sha256:abc", ("spider", "0.01")),
        ("localhost:8003/team/spider:1", ("localhost:8003/team/spider", "1")),
    ],
)
def test_split_ref(ref, expected):
    assert split_ref(ref) == expected


def test_target_image_keeps_the_services_registry_and_repository():
    assert target_image("10.0.0.1:8003/spider:0.01@sha256:abc", "0.02") == "10.0.0.1:8003/spider:0.02"
    assert target_image("10.0.0.1:8003/team/spider:0.01", "0.02") == "10.0.0.1:8003/team/spider:0.02"
    assert target_image("10.0.0.1:8003/spider:0.01", "0.02", registry="10.0.0.9:5000") == "10.0.0.9:5000/spider:0.02"
    assert target_image("spider:0.01", "0.02") == "spider:0.02"
    assert target_image("team/spider:0.01", "0.02", registry="r:5000") == "r:5000/team/spider:0.02"
    assert target_image("r:5000/spider:0.01", "3", repo="crawler") == "r:5000/crawler:3"


def test_parse_build_args():
    assert parse_build_args(["BASE_IMAGE=swarmtui/lab-base:bookworm", "X=a=b", "EMPTY="]) == {
        "BASE_IMAGE": "swarmtui/lab-base:bookworm", "X": "a=b", "EMPTY": ""}
    with pytest.raises(ReleaseError, match="KEY=VALUE"):
        parse_build_args(["NOEQUALS"])


def task(state, image="r/s:2@sha256:1", err="", code=None, desired="running"):
    return TaskView(id=state, slot=1, node="n", image=image, state=state, desired_state=desired, error=err, exit_code=code)


def test_failure_reasons_count_distinct_errors_of_the_new_image_only():
    tasks = [
        task("failed", err="task: non-zero exit (1)", code=1),
        task("failed", err="task: non-zero exit (1)", code=1),
        task("rejected", err="No such image: r/s:2"),
        task("failed", image="r/s:1", err="old trouble"),
        task("running"),
    ]
    assert failure_reasons(tasks, "r/s:2") == ["2x task: non-zero exit (1)", "No such image: r/s:2"]
    assert failure_reasons([task("failed", code=137)], "r/s:2") == ["failed (exit code 137)"]


def test_progress_line():
    view = ServiceView("s", "r/s:2@sha256:1", 3, "updating", "", "t1")
    tasks = [task("running"), task("running", image="r/s:1"), task("starting")]
    assert progress_line(view, tasks, "r/s:2@sha256:1") == "1/3 tasks on s:2 running (updating)"


class ScriptedOps:
    """Plays back service states, one per poll (a stand-in for the engine in a pure test)."""

    def __init__(self, views, tasks=()):
        self.views, self.task_list = list(views), list(tasks)

    def service(self, name):
        return self.views.pop(0) if len(self.views) > 1 else self.views[0]

    def tasks(self, name):
        return self.task_list

    def update_image(self, name, image, policy):
        raise AssertionError("follow never updates")


def view(state, started="t1", message="", image="r/s:2@sha256:1"):
    return ServiceView("s", image, 2, state, message, started)


def test_follow_ignores_the_previous_update_and_ends_on_completed():
    before = view("completed", started="t0", image="r/s:1")
    ops = ScriptedOps([view("completed", started="t0", image="r/s:1"), view("updating"), view("completed", message="update completed")])
    lines = []
    result = follow(ops, "s", "r/s:2@sha256:1", before, lambda line, state: lines.append((line, state)), sleep=lambda _: None)
    assert result.outcome == "completed" and result.running_image == "r/s:2"
    assert lines[-1] == ("completed: update completed", "completed")


def test_follow_reports_a_rollback_with_its_reason_and_task_errors():
    before = view(None, started=None, image="r/s:1")
    ops = ScriptedOps(
        [view("updating"), view("rollback_started", message="update rolled back due to failure or early termination of task abc"),
         view("rollback_completed", message="rollback completed", image="r/s:1")],
        tasks=[task("failed", err="task: non-zero exit (1)", code=1)],
    )
    result = follow(ops, "s", "r/s:2@sha256:1", before, lambda *_: None, sleep=lambda _: None)
    assert result.outcome == "rolled_back" and result.running_image == "r/s:1"
    assert "early termination of task abc" in result.message
    assert result.task_errors == ("task: non-zero exit (1)",)


def test_follow_times_out():
    now = [0.0]

    def clock():
        now[0] += 1
        return now[0]

    result = follow(ScriptedOps([view("updating")]), "s", "r/s:2", view(None, started=None), lambda *_: None, timeout=5, clock=clock, sleep=lambda _: None)
    assert result.outcome == "timeout"


def test_event_line():
    assert ReleaseEvent("push", "pushing r/s:2", 1.25).line() == "[   1.2s] push     pushing r/s:2"


def test_release_cli_is_registered():
    args = cli.build_parser().parse_args(["release", "spider", "--context", "sample_spider", "--tag", "0.02", "--build-arg", "A=b", "--build-arg", "C=d=e"])
    assert args.handler.__module__ == "swarmtui.release.cli"
    assert (args.service, args.context, args.tag, args.build_args, args.registry) == ("spider", "sample_spider", "0.02", ["A=b", "C=d=e"], None)


def test_release_policy_rolls_back_by_itself():
    assert RELEASE_POLICY.failure_action == "rollback" and RELEASE_POLICY.monitor_seconds > 0 and RELEASE_POLICY.parallelism == 1
