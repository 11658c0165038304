"""``python -m hotline …`` as a real child process from the repository root, output captured."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

from tests.conftest import ROOT


def run_hotline(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run to completion (``env`` None: this process's environment); never raises on exit code."""
    return subprocess.run(
        [sys.executable, "-m", "hotline", *args],
        cwd=ROOT,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
