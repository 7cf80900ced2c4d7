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
