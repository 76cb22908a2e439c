"""Benchmark 3: the README's test command on a clean clone, with and without the dependency install."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from offline.program import PROJECT_DIR

CHECK_COMMAND = ("bash", "scripts/check.sh")


@dataclass(frozen=True)
class SuiteRow:
    """Wall time of one way of running the test command."""

    label: str
    seconds: float
    passed: bool


def _timed(command: tuple[str, ...], cwd: Path, environment: dict[str, str]) -> tuple[float, bool]:
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, check=False)
    return time.perf_counter() - start, completed.returncode == 0


def _uv() -> Path:
    """The uv on PATH, else the one ``scripts/check.sh`` installed into ``.tools/``."""
    found = shutil.which("uv")
    uv = Path(found) if found else PROJECT_DIR / ".tools" / "bin" / "uv"
    if not uv.is_file():
        raise SystemExit("benchmarks: no uv on PATH or in .tools/: run `bash scripts/check.sh` once first")
    return uv


def run() -> list[SuiteRow]:
    """Clone the committed project, then time the install plus the check, and the check alone.

    The install reuses uv's package cache, as a developer's second clone would; a first-ever
    install also downloads every wheel.
    """
    uv = _uv()
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment["PATH"] = f"{uv.parent}{os.pathsep}{environment.get('PATH', '')}"
    clone = Path(tempfile.mkdtemp(prefix="log-archive-clone-"))
    try:
        subprocess.run(("git", "clone", "--quiet", str(PROJECT_DIR), str(clone)), check=True)
        install_seconds, install_ok = _timed((str(uv), "sync", "--locked", "--quiet"), clone, environment)
        first_seconds, first_ok = _timed(CHECK_COMMAND, clone, environment)
        second_seconds, second_ok = _timed(CHECK_COMMAND, clone, environment)
    finally:
        shutil.rmtree(clone, ignore_errors=True)
    return [
        SuiteRow("dependency install (`uv sync --locked`, warm uv cache)", install_seconds, install_ok),
        SuiteRow(
            "test command, dependency install included (first run)",
            install_seconds + first_seconds,
            install_ok and first_ok,
        ),
        SuiteRow("test command, dependencies installed (second run)", second_seconds, second_ok),
    ]
