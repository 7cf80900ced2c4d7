"""Installing swarmtui as the README says, into a fresh environment: a wheel from `make dist`,
installed with pip into a new venv (what pipx does), then run from outside the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import swarmtui

ROOT = Path(__file__).resolve().parents[2]


def run(*argv: str | Path, cwd: Path = ROOT, timeout: float = 300) -> str:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, argv))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_make_dist_wheel_installs_into_a_fresh_venv_and_runs(tmp_path):
    built = run("make", "-s", "dist", f"DIST={tmp_path / 'dist'}", f"VENV={Path(sys.prefix)}")
    assert "license" not in built.lower(), built  # the TOML-table license warned on every build
    wheel = next((tmp_path / "dist").glob("swarmtui-*-py3-none-any.whl"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    data = {str(p.relative_to(ROOT)) for p in (ROOT / "swarmtui").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert data <= shipped, f"files the package needs but the wheel lacks: {sorted(data - shipped)}"

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "pip", "install", "-q", wheel, timeout=600)
    outside = tmp_path  # not the source tree: the installed package, not ./swarmtui, must answer
    assert run(venv / "bin" / "swarmtui", "--version", cwd=outside).strip() == f"swarmtui {swarmtui.__version__}"
    assert "service" in run(venv / "bin" / "swarmtui", "--help", cwd=outside)
    # the TUI came with its dependencies and its stylesheet
    run(venv / "bin" / "python", "-c", "import swarmtui.ui.app, importlib.resources as r; "
        "assert r.files('swarmtui.ui').joinpath('styles.tcss').is_file()", cwd=outside)
