"""Which cgroup hierarchies a lab node mounts (lab/cgroups.py): all of them, grouped as the kernel has them."""

from swarmtui.lab.cgroups import hierarchies

PROC_CGROUPS = """#subsys_name\thierarchy\tnum_cgroups\tenabled
cpuset\t3\t14\t1
cpu\t1\t14\t1
cpuacct\t1\t14\t1
memory\t4\t180\t1
net_cls\t0\t1\t1
hugetlb\t109\t1\t1
rdma\t0\t1\t0
"""


def test_co_mounted_controllers_stay_together_unmounted_ones_alone_disabled_ones_skipped_named_kept():
    self_cgroup = "109:hugetlb:/\n9:name=systemd:/\n4:memory:/x\n1:cpu,cpuacct:/\n0::/\n"
    assert hierarchies(PROC_CGROUPS, self_cgroup) == [
        "cpu,cpuacct", "cpuset", "memory", "hugetlb", "net_cls", "none,name=systemd"]


def test_a_node_that_cannot_see_a_hierarchy_it_is_in_is_found(tmp_path):
    from swarmtui.lab.cgroups import unseen

    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "cgroup").write_text("109:hugetlb:/\n9:name=systemd:/\n1:cpu,cpuacct:/\n0::/\n")
    mounts = ("31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
              "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
              "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
              "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n")
    (tmp_path / "7" / "mountinfo").write_text(mounts)
    assert unseen(7, tmp_path) == {"hugetlb"}
    (tmp_path / "7" / "mountinfo").write_text(mounts + "50 31 0:90 / /sys/fs/cgroup/hugetlb rw - cgroup cgroup rw,hugetlb\n")
    assert unseen(7, tmp_path) == set()
