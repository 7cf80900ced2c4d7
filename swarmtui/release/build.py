"""Build an image from a context directory on the manager's daemon, and push it."""

from __future__ import annotations

from pathlib import Path
from typing import Callable


class ReleaseError(Exception):
    """A release step failed before the service was touched; the message says which and why."""


def split_ref(ref: str) -> tuple[str, str]:
    """'10.0.0.1:8003/spider:0.02' -> ('10.0.0.1:8003/spider', '0.02'); no tag -> 'latest'."""
    ref = ref.split("@", 1)[0]
    head, slash, last = ref.rpartition("/")
    if ":" in last:
        name, tag = last.split(":", 1)
        return f"{head}{slash}{name}", tag
    return ref, "latest"


def target_image(current_image: str, tag: str, registry: str | None = None, repo: str | None = None) -> str:
    """The image to release: the service's repository (or `repo`) at `tag`, in `registry` if given."""
    current_repo, _ = split_ref(current_image)
    head, _, name = current_repo.rpartition("/")
    first = head.split("/", 1)[0] if head else ""
    has_registry = bool(first) and ("." in first or ":" in first or first == "localhost")
    current_registry = first if has_registry else ""
    path = f"{head[len(first):].lstrip('/')}/{name}".lstrip("/") if has_registry else current_repo
    path = repo or path
    registry = registry if registry is not None else current_registry
    return f"{registry.rstrip('/')}/{path}:{tag}" if registry else f"{path}:{tag}"


def parse_build_args(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise ReleaseError(f"--build-arg {pair!r}: write it as KEY=VALUE")
        out[key] = value
    return out


def build(client, context: Path, ref: str, build_args: dict[str, str], say: Callable[[str], None]) -> str:
    """Build `context` as `ref` on the daemon behind `client`; returns the image id."""
    context = Path(context)
    if not (context / "Dockerfile").exists():
        raise ReleaseError(f"{context}: no Dockerfile there")
    image_id = ""
    tail: list[str] = []
    for chunk in client.api.build(path=str(context), tag=ref, buildargs=build_args, rm=True, forcerm=True, pull=False, decode=True):
        if "error" in chunk:
            log = "".join(tail[-15:]).rstrip()
            raise ReleaseError(f"building {ref} failed: {chunk['error'].strip()}\n{log}")
        if "aux" in chunk and isinstance(chunk["aux"], dict) and "ID" in chunk["aux"]:
            image_id = chunk["aux"]["ID"]
        text = chunk.get("stream", "")
        if text:
            tail.append(text)
            if text.startswith("Step "):
                say(text.strip())
    return image_id


def push(client, ref: str, say: Callable[[str], None]) -> str:
    """Push `ref` to its registry; returns the pushed digest (sha256:...), '' if none was reported."""
    repo, tag = split_ref(ref)
    digest = ""
    seen: set[str] = set()
    for line in client.api.push(repo, tag=tag, stream=True, decode=True):
        if "error" in line:
            raise ReleaseError(f"pushing {ref} failed: {line['error']}")
        aux = line.get("aux")
        if isinstance(aux, dict) and aux.get("Digest"):
            digest = aux["Digest"]
        status = line.get("status", "")
        if status in ("Pushed", "Layer already exists", "Mounted from") and line.get("id") not in seen:
            seen.add(line.get("id", ""))
    say(f"pushed {ref} ({len(seen)} layer(s)){' ' + digest[:19] if digest else ''}")
    return digest
