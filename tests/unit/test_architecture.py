"""The rules of the code base, checked on every run: the layers (import-linter contracts in
pyproject.toml), ruff clean, and other libraries' private APIs only in the `_*_private.py` modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "swarmtui"

# Private names of the standard library that may be used anywhere (there is no public way, and the
# standard library does not change under us between releases of a dependency).
STDLIB_PRIVATE = {
    "_actions": "argparse: a parser's options (cli.py adds --host/--context to every subcommand)",
    "_SubParsersAction": "argparse: the subcommands of a parser",
    "_replace": "namedtuple's public API (urllib.parse results)",
    "_asdict": "namedtuple's public API",
}


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300)


def test_the_layers_hold():
    """cluster/, queue/, bootstrap/, release/, alerts/, autoscale/, lab/ never import textual (not even
    through another module); ui/ never imports docker, redis, asyncssh, paramiko, requests or urllib3."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    out = run(str(lint_imports), "--no-cache")
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "2 kept, 0 broken" in out.stdout


def test_ruff_is_clean():
    out = run(sys.executable, "-m", "ruff", "check", "--no-cache", ".")
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]


def test_every_noqa_is_read_by_a_configured_rule():
    out = run(sys.executable, "-m", "ruff", "check", "--no-cache", "--extend-select", "RUF100", ".")
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]


def _names_defined_in(trees) -> set[str]:
    defined = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                defined.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
    return defined


def test_other_libraries_private_names_only_in_the_private_modules():
    """A `_name` that swarmtui does not define itself belongs to docker-py, urllib3, paramiko, Textual...:
    it may appear only in cluster/_dockerpy_private.py, cluster/_urllib3_private.py,
    cluster/_paramiko_private.py or ui/_textual_private.py, where each use says why."""
    trees = {path: ast.parse(path.read_text(), str(path)) for path in PACKAGE.rglob("*.py")}
    ours = _names_defined_in(trees.values())
    found = []
    for path, tree in trees.items():
        if path.name.endswith("_private.py"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.module.startswith("swarmtui"):
                found += [f"{path.relative_to(REPO)}:{node.lineno} from {node.module} import {a.name}"
                          for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
            elif (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                  and node.attr not in ours and node.attr not in STDLIB_PRIVATE):
                found.append(f"{path.relative_to(REPO)}:{node.lineno} {ast.unparse(node)}")
    assert not found, "private names of other libraries outside the _*_private.py modules:\n" + "\n".join(found)
