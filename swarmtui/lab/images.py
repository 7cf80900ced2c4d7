"""Images for the lab: no public registry is reachable, so the lab makes its own base.

The base is a minimal Debian (debootstrap) with python3 and python3-redis, cached
as a tarball under /var/cache/swarmtui and `docker import`ed into the manager.  The
sample spider's Dockerfile takes its base as a build ARG, so the lab builds it
FROM this base while real users keep python:3.12-slim.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from swarmtui.lab.system import LabError, run

BASE_IMAGE = "swarmtui/lab-base:bookworm"
CACHE_DIR = Path(os.environ.get("SWARMTUI_CACHE", "/var/cache/swarmtui"))
BASE_TAR = CACHE_DIR / "lab-base-bookworm.tar"
BASE_PACKAGES = ("python3", "python3-redis", "ca-certificates")
SPIDER_TAGS = ("0.01", "0.02")


def debian_mirror() -> str:
    """The mirror apt already uses here, else Debian's default."""
    for path in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        try:
            text = path.read_text()
        except OSError:
            continue
        for word in text.split():
            if word.startswith("http") and word.rstrip("/").endswith("/debian"):
                return word
    return "http://deb.debian.org/debian"


def ensure_base_tarball(say: Callable[[str], None]) -> Path:
    if BASE_TAR.exists():
        return BASE_TAR
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    say(f"building the lab base image with debootstrap (about a minute, cached in {BASE_TAR}) ...")
    root = Path(tempfile.mkdtemp(prefix="swarmtui-rootfs-", dir=CACHE_DIR))
    try:
        run("debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}", "bookworm", str(root), debian_mirror())
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/locale"):
            shutil.rmtree(root / junk, ignore_errors=True)
        tmp = BASE_TAR.with_suffix(".tmp")
        run("tar", "-C", str(root), "-cf", str(tmp), ".")
        tmp.rename(BASE_TAR)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return BASE_TAR


def import_base(client, say: Callable[[str], None]) -> None:
    """Make BASE_IMAGE exist on the daemon behind `client` (a docker.DockerClient)."""
    import docker.errors

    try:
        client.images.get(BASE_IMAGE)
        return
    except docker.errors.ImageNotFound:
        pass
    tar = ensure_base_tarball(say)
    repo, tag = BASE_IMAGE.split(":")
    say(f"importing {BASE_IMAGE} into the manager ...")
    client.api.import_image(src=str(tar), repository=repo, tag=tag, changes=['CMD ["python3"]'])


def build_and_push_spider(client, context: Path, registry: str, say: Callable[[str], None]) -> list[str]:
    """Build sample_spider for every lab tag from the lab base and push it to the lab registry."""
    import docker.errors

    pushed = []
    for tag in SPIDER_TAGS:
        ref = f"{registry}/spider:{tag}"
        say(f"building and pushing {ref} ...")
        try:
            client.images.build(
                path=str(context),
                tag=ref,
                buildargs={"BASE_IMAGE": BASE_IMAGE, "SPIDER_VERSION": tag},
                rm=True,
                pull=False,
            )
        except docker.errors.BuildError as exc:
            log = "".join(str(c.get("stream", c.get("error", ""))) for c in exc.build_log)
            raise LabError(f"building {ref} failed: {exc.msg}\n{log[-2000:]}") from exc
        for line in client.images.push(f"{registry}/spider", tag=tag, stream=True, decode=True):
            if "error" in line:
                raise LabError(f"pushing {ref} failed: {line['error']}")
        pushed.append(ref)
    return pushed
