"""The `swarmtui watch` image for the lab, built offline (sample_watch/Dockerfile).

Nothing inside a lab container reaches a package index, so the wheels are made here on the host
(`pip wheel` of this checkout: swarmtui and every dependency), next to Debian's own pip wheel
(python3-pip-whl, pulled in by python3-venv), and the image is built FROM the lab's debootstrap
base and pushed to the lab registry. The base's Python (bookworm: 3.11) must match the host's for
the compiled wheels (cryptography, PyYAML ...), which it does on Debian 12.
"""

from __future__ import annotations

import glob
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

from swarmtui.lab.images import BASE_IMAGE
from swarmtui.lab.system import LabError

ROOT = Path(__file__).resolve().parents[2]
CONTEXT = ROOT / "sample_watch"
PIP_WHEELS = "/usr/share/python-wheels/pip-*.whl"
# wheels the host's resolution leaves out because of a marker the base's Python meets: redis wants
# async-timeout below Python 3.11.3 (bookworm has 3.11.2)
FOR_THE_BASE = ("async-timeout>=4.0.3",)


def make_wheels(into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--wheel-dir", str(into)]
    for what in (str(ROOT), *FOR_THE_BASE):
        done = subprocess.run([*pip, what], capture_output=True, text=True)
        if done.returncode:
            raise LabError(f"building the wheels of {what} failed:\n{done.stderr[-2000:]}")
    pips = sorted(glob.glob(PIP_WHEELS))
    if not pips:
        raise LabError(f"no pip wheel at {PIP_WHEELS}: install the Debian package python3-pip-whl")
    shutil.copy(pips[-1], into)


def build_watch_image(client, registry: str, tag: str = "0.1", say: Callable[[str], None] = lambda _: None) -> str:
    """Build and push REGISTRY/swarmtui:TAG; returns the reference with its digest."""
    from swarmtui.release.build import build, push

    ref = f"{registry}/swarmtui:{tag}"
    context = Path(tempfile.mkdtemp(prefix="swarmtui-watch-ctx-"))
    try:
        shutil.copy(CONTEXT / "Dockerfile", context / "Dockerfile")
        say("building swarmtui's wheels on the host ...")
        make_wheels(context / "wheels")
        say(f"building and pushing {ref} ...")
        build(client, context, ref, {"BASE_IMAGE": BASE_IMAGE}, lambda _: None)
        digest = push(client, ref, lambda _: None)
    finally:
        shutil.rmtree(context, ignore_errors=True)
    return f"{ref}@{digest}" if digest else ref
