"""``python -m hotline migrate`` / ``seed-demo`` / ``serve`` as an operator runs them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from storage.migrate import head_revision
from tests.cli_support import run_hotline


def hotline(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOTLINE_DATA_DIR": str(data_dir), "HOTLINE_LOG_LEVEL": "WARNING"}
    env.pop("HOTLINE_DATABASE__URL", None)
    env.pop("HOTLINE_REDIS__URL", None)
    return run_hotline(*args, env=env)


def test_migrate_seed_and_refuse_unmigrated_serve(tmp_path: Path) -> None:
    refused = hotline("serve", "--port", "1", data_dir=tmp_path / "empty")
    assert refused.returncode == 1
    assert "database.not_migrated" in refused.stderr
    assert "python -m hotline migrate" in refused.stderr

    migrated = hotline("migrate", data_dir=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert f"database at revision {head_revision()}" in migrated.stdout
    assert (tmp_path / "hotline.db").exists()

    seeded = hotline("seed-demo", data_dir=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "3408 divisions" in seeded.stdout
    assert "agent01        agent01-12345" in seeded.stdout
    assert "unit=util.water" in seeded.stdout
