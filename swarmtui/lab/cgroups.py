"""Every cgroup v1 hierarchy of the kernel mounted inside a lab node, as on a real Docker host.

Why: containerd's shim reads a container's CPU and memory only if every hierarchy listed in
/proc/PID/cgroup has a mount in its own /proc/self/mountinfo ("loading cgroup for PID: cgroups:
cannot find cgroup mount destination", then `docker stats` shows 0.00% 0B / 0B). This machine
mounts only some controllers; Debian's docker init script (cgroupfs-mount, run by the bootstrap
tests' fresh hosts in their own mount namespace) mounts the others (net_cls, perf_event,
net_prio, hugetlb), which creates those hierarchies kernel-wide: from then on every process is
in them, and a node that cannot see them has no stats. A node that mounts every controller when
it starts also keeps those hierarchies alive, so none can appear later behind its back.

The node gets its own tmpfs on /sys/fs/cgroup (its mount namespace is private), so nothing is
created in this machine's /sys/fs/cgroup.
"""

from __future__ import annotations

import shlex
from pathlib import Path

ROOT = "/sys/fs/cgroup"


def hierarchies(proc_cgroups: str, self_cgroup: str) -> list[str]:
    """Mount options (-o) of each hierarchy: controllers sharing a hierarchy id go together,
    unmounted ones (id 0) each alone, then the named ones (name=systemd)."""
    by_id: dict[int, list[str]] = {}
    alone: list[str] = []
    for line in proc_cgroups.splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#") or len(fields) < 4 or fields[3] != "1":
            continue
        name, hid = fields[0], int(fields[1])
        (by_id.setdefault(hid, []) if hid else alone).append(name)
    options = [",".join(names) for _, names in sorted(by_id.items())] + alone
    for line in self_cgroup.splitlines():  # "9:name=systemd:/"
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[1].startswith("name="):
            options.append("none," + parts[1])
    return options


def mount_script(proc: Path = Path("/proc")) -> str:
    """Shell commands (for the node's private mount namespace) mounting every hierarchy; empty
    on a pure cgroup v2 host, where one unified mount already shows everything."""
    mounts = (proc / "self/mountinfo").read_text()
    if not any(line.split(" - ")[-1].startswith("cgroup ") for line in mounts.splitlines()):
        return ""
    steps = [f"mount -t tmpfs -o mode=755 swarmtui-cgroup {ROOT}"]
    for option in hierarchies((proc / "cgroups").read_text(), (proc / "self/cgroup").read_text()):
        target = f"{ROOT}/{option.split('name=')[-1].split(',')[0]}"
        steps.append(f"mkdir -p {target} && mount -t cgroup -o {shlex.quote(option)} cgroup {target}")
    if any(f" {ROOT}/unified " in line and " - cgroup2 " in line for line in mounts.splitlines()):
        steps.append(f"mkdir -p {ROOT}/unified && mount -t cgroup2 cgroup2 {ROOT}/unified")
    return " && ".join(steps)


def unseen(pid: int, proc: Path = Path("/proc")) -> set[str]:
    """The hierarchies process `pid` is in that its mount namespace has no mount for (a node
    started before this module, whose containers then read 0 in `docker stats`)."""
    inside = {line.split(":")[1] for line in (proc / f"{pid}/cgroup").read_text().splitlines() if not line.startswith("0:")}
    options = set()  # every option of every cgroup v1 mount: controller names, name=..., rw ...
    for line in (proc / f"{pid}/mountinfo").read_text().splitlines():
        fields = line.split(" - ", 1)[-1].split()
        if len(fields) >= 3 and fields[0] == "cgroup":
            options.update(fields[2].split(","))
    return {h for h in inside if h and not set(h.split(",")) <= options}
