"""CPU % and memory from the engine's one-shot container stats (two samples recorded from a lab node
running a busy loop with a 64 MiB limit; `docker stats` read 16 % and 508KiB / 64MiB beside them)."""

import json
from pathlib import Path

from swarmtui.cluster.models import Task
from swarmtui.cluster.stats import Unavailable, Usage, cpu_percent, memory_used
from swarmtui.ui.widgets.tasks import task_detail, usage_cells

FIRST, SECOND = json.loads((Path(__file__).parent / "fixtures" / "container_stats_one_shot.json").read_text())


def test_cpu_is_the_container_time_over_the_system_time_of_two_samples_times_the_cpus():
    cpu = cpu_percent(SECOND["cpu_stats"], FIRST["cpu_stats"])
    used = SECOND["cpu_stats"]["cpu_usage"]["total_usage"] - FIRST["cpu_stats"]["cpu_usage"]["total_usage"]
    system = SECOND["cpu_stats"]["system_cpu_usage"] - FIRST["cpu_stats"]["system_cpu_usage"]
    assert cpu == used / system * SECOND["cpu_stats"]["online_cpus"] * 100
    assert 5 < cpu < 200


def test_a_one_shot_first_sample_has_no_cpu_figure_yet():
    assert cpu_percent(FIRST["cpu_stats"], FIRST["precpu_stats"]) is None  # one-shot: precpu is empty
    assert cpu_percent(FIRST["cpu_stats"], None) is None


def test_memory_is_usage_without_the_inactive_page_cache_and_the_limit_is_the_cgroups():
    mem = SECOND["memory_stats"]
    assert memory_used(SECOND) == mem["usage"] - mem["stats"]["total_inactive_file"]
    assert mem["limit"] == 64 * 1024 * 1024
    assert memory_used({"memory_stats": {"usage": 10, "stats": {"inactive_file": 4}}}) == 6  # cgroup v2 name
    assert memory_used({}) == 0


def test_cells_read_like_docker_stats_a_dash_where_unreachable_nothing_for_tasks_not_asked():
    assert usage_cells(Usage(72.66, 520192, 64 * 1024 * 1024)) == ("72.7%", "508K / 64M")
    assert usage_cells(Usage(None, 520192, 64 * 1024 * 1024)) == ("…", "508K / 64M")
    assert usage_cells(Unavailable("cannot reach lab-worker-1")) == ("—", "—")
    assert usage_cells(None) == ("", "")


def test_the_detail_line_of_a_running_task_says_why_it_has_no_figures():
    task = Task("t1", "s1", "web", 1, "n1", "lab-worker-1", "running", "running", None, container_id="c" * 64)
    text = task_detail(task, usage=Unavailable("ssh: the host key of 10.0.0.12 (lab-worker-1) is not known")).plain
    assert "no CPU/memory: ssh: the host key of 10.0.0.12 (lab-worker-1) is not known" in text
    assert "no CPU/memory" not in task_detail(task, usage=Usage(1.0, 1, 2)).plain
