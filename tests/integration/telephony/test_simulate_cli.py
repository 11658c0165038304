"""``python -m hotline simulate`` end to end (small run), and its exit code rule."""

from __future__ import annotations

from fractions import Fraction

from telephony.sim.harness import Figures, SimReport
from tests.cli_support import run_hotline


def test_cli_prints_bridge_beside_truth_and_exits_zero() -> None:
    proc = run_hotline("simulate", "--calls", "60", "--agents", "4", "--seed", "5", "--cuts", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "RESULT: bridge KPIs equal ground truth" in proc.stdout
    for row in ("offered", "answered", "abandoned", "SL-15", "ASA"):
        assert any(
            line.startswith(row) and line.endswith("yes") for line in proc.stdout.splitlines()
        )


def test_any_difference_fails_the_report() -> None:
    truth = Figures(10, 8, 1, Fraction(7, 9), Fraction(31, 8))
    assert SimReport(10, 2, truth, truth).ok
    assert not SimReport(10, 2, truth, Figures(10, 8, 1, Fraction(7, 9), Fraction(32, 8))).ok
    assert not SimReport(10, 2, truth, truth, missing=["1.0"]).ok
    assert not SimReport(10, 2, truth, truth, doubled=["1.0"]).ok
