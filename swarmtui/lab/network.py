"""The lab network: one host bridge, one network namespace + veth pair per lab host.

Every name the lab creates starts with a per-lab prefix so `lab down` can find
what a crashed `lab up` left behind, and two labs (say, the demo and the test
suite's) can run side by side on different subnets.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from swarmtui.lab.system import run

NETNS_DIR = Path("/var/run/netns")


def bridge_name(lab: str) -> str:
    return f"swt-{lab}"[:15]


def veth_name(lab: str, index: int) -> str:
    return f"swt-{lab}-{index}"[:15]


def netns_name(lab: str, host: str) -> str:
    return f"swt-{lab}-{host}"


def link_exists(name: str) -> bool:
    return Path(f"/sys/class/net/{name}").exists()


def subnet_taken_by(lab: str, subnet: ipaddress.IPv4Network) -> str | None:
    """The host interface, other than this lab's own bridge, holding an address in `subnet`: two
    bridges on one subnet make the host route lab traffic (registry pushes, joins) to the wrong one."""
    own = bridge_name(lab)
    for line in run("ip", "-o", "-4", "addr", "show").stdout.splitlines():
        fields = line.split()  # "5: swt-ci    inet 10.90.0.1/24 brd ... scope global swt-ci"
        if len(fields) > 3 and fields[1] != own and ipaddress.IPv4Interface(fields[3]).network.overlaps(subnet):
            return f"{fields[1]} ({fields[3]})"
    return None


def ensure_bridge(lab: str, subnet: ipaddress.IPv4Network) -> str:
    """Create the host bridge with the subnet's first address; allow forwarding through it."""
    br = bridge_name(lab)
    gateway = f"{next(subnet.hosts())}/{subnet.prefixlen}"
    if not link_exists(br):
        run("ip", "link", "add", br, "type", "bridge")
    if gateway not in run("ip", "-o", "addr", "show", "dev", br).stdout:
        run("ip", "addr", "add", gateway, "dev", br)
    run("ip", "link", "set", br, "up")
    # A dockerd anywhere on the host may have set FORWARD to DROP; lab traffic between
    # namespaces crosses this bridge, so let it through explicitly (removed on down).
    for direction in ("-i", "-o"):
        rule = ("FORWARD", direction, br, "-j", "ACCEPT")
        if run("iptables", "-C", *rule, check=False).returncode != 0:
            run("iptables", "-I", *rule, check=False)
    return br


def remove_bridge(lab: str) -> None:
    br = bridge_name(lab)
    for direction in ("-i", "-o"):
        while run("iptables", "-D", "FORWARD", direction, br, "-j", "ACCEPT", check=False).returncode == 0:
            pass
    if link_exists(br):
        run("ip", "link", "del", br, check=False)


def add_host(lab: str, host: str, index: int, address: str, subnet: ipaddress.IPv4Network) -> str:
    """Create netns `swt-<lab>-<host>` with `address` on a veth into the lab bridge. Idempotent."""
    ns = netns_name(lab, host)
    host_end = veth_name(lab, index)
    if not (NETNS_DIR / ns).exists():
        run("ip", "netns", "add", ns)
    inside = ("ip", "netns", "exec", ns)
    if link_exists(host_end) and run(*inside, "ip", "link", "show", "eth0", check=False).returncode != 0:
        # left by an earlier host of this name whose namespace another process's mounts still pin:
        # its peer is in that old namespace, not in this one
        run("ip", "link", "del", host_end)
    if not link_exists(host_end):
        run("ip", "link", "add", host_end, "type", "veth", "peer", "name", "eth0", "netns", ns)
    run("ip", "link", "set", host_end, "master", bridge_name(lab), "up")
    if address not in run(*inside, "ip", "-o", "addr", "show", "dev", "eth0").stdout:
        run(*inside, "ip", "addr", "add", f"{address}/{subnet.prefixlen}", "dev", "eth0")
    run(*inside, "ip", "link", "set", "eth0", "up")
    run(*inside, "ip", "link", "set", "lo", "up")
    gateway = str(next(subnet.hosts()))
    if "default" not in run(*inside, "ip", "route", "show").stdout:
        run(*inside, "ip", "route", "add", "default", "via", gateway)
    return ns


def lab_namespaces(lab: str) -> list[str]:
    prefix = netns_name(lab, "")
    if not NETNS_DIR.exists():
        return []
    return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith(prefix))


def lab_links(lab: str) -> list[str]:
    br = bridge_name(lab)
    return sorted(n for n in os.listdir("/sys/class/net") if n == br or n.startswith(br + "-"))


def netns_pids(ns: str) -> list[int]:
    out = run("ip", "netns", "pids", ns, check=False).stdout
    return [int(p) for p in out.split()]


def remove_host(lab: str, ns: str) -> None:
    run("ip", "netns", "del", ns, check=False)


def remove_all(lab: str) -> None:
    for ns in lab_namespaces(lab):
        remove_host(lab, ns)
    for link in lab_links(lab):
        if link != bridge_name(lab):
            run("ip", "link", "del", link, check=False)
    remove_bridge(lab)
