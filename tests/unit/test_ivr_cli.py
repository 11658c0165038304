"""``python -m hotline ivr validate|simulate`` through typer's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hotline.cli import COMMAND_MODULES
from hotline.commands.ivr import register
from hotline.settings import Settings
from ivr_flows.loader import default_flow_path


def app() -> typer.Typer:
    root = typer.Typer()
    register(root)

    @root.command()
    def other() -> None:  # a second command keeps "ivr" a sub-command group
        pass

    return root


def test_ivr_is_registered() -> None:
    assert "hotline.commands.ivr" in COMMAND_MODULES


def test_validate_ok() -> None:
    result = CliRunner().invoke(app(), ["ivr", "validate", str(default_flow_path())])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
    assert "straight to queue 'hotline'" in result.output


def test_validate_reports_file_line_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = default_flow_path().read_text(encoding="utf-8").replace("retries: 1", "retries: 9", 1)
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app(), ["ivr", "validate", str(bad)])
    assert result.exit_code == 1
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "retries: 9" in t)
    assert f"{bad}:{line}:5: menus.busy.retries: Input should be less than or equal to 5" in (
        result.output
    )


def test_simulate_prints_kpis() -> None:
    args = ["ivr", "simulate", str(default_flow_path()), "--arrivals", "200", "--agents", "8"]
    result = CliRunner().invoke(app(), [*args, "--hours", "1"])
    assert result.exit_code == 0, result.output
    for label in ("answer rate", "SL-15", "abandoned", "diversion share", "EWT error"):
        assert label in result.output


def test_ivr_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_IVR__AGI_PORT", "4600")
    monkeypatch.setenv("HOTLINE_IVR__FLOW_FILE", "flows/district.yaml")
    settings = Settings()
    assert settings.ivr.agi_port == 4600
    assert settings.ivr.flow_file == Path("flows/district.yaml")
    assert settings.ivr.default_aht_s == 180.0
