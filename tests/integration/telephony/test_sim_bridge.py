"""≥ 1,000 simulated calls through the PBX simulator → AMI over TCP → the real bridge:
the bridge's KPIs (recomputed from its event log) equal the simulator's ground truth exactly,
also when the AMI connection is cut five times during the run."""

from __future__ import annotations

import asyncio

import pytest

from telephony.sim.harness import SimReport, format_report, run_blocking, run_simulation

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clean_run() -> SimReport:
    return run_blocking(1000, 10, seed=7, speed=1000, cuts=0)


@pytest.fixture(scope="module")
def cut_run() -> SimReport:
    return run_blocking(1000, 10, seed=11, speed=1000, cuts=5)


def test_kpis_equal_ground_truth(clean_run: SimReport) -> None:
    report = clean_run
    print(format_report(report))
    assert report.truth.offered >= 900  # ≥ 1,000 calls, a few end in the IVR
    assert report.bridge == report.truth
    assert (report.missing, report.doubled, report.wrong_outcome) == ([], [], [])
    assert report.gaps == 0
    assert report.calls_reconciled == 0  # nothing lost: everything came over AMI


def test_run_has_every_outcome(clean_run: SimReport) -> None:
    t = clean_run.truth
    assert t.answered > 0
    assert t.abandoned > 0
    assert t.offered > t.answered + t.abandoned


def test_five_cuts_lose_and_double_nothing(cut_run: SimReport) -> None:
    report = cut_run
    print(format_report(report))
    assert report.cuts >= 5
    assert report.bridge == report.truth
    assert report.missing == []
    assert report.doubled == []
    assert report.wrong_outcome == []


def test_cuts_emit_gap_markers_and_reconcile_from_queue_log(cut_run: SimReport) -> None:
    report = cut_run
    assert report.gaps >= 1  # cuts during a resync extend the open gap instead of a new one
    assert report.calls_reconciled > 0
    assert report.ami_messages < report.frames_played  # events really were lost on the wire


def test_consumer_queue_overflow_is_flagged_and_reconciled() -> None:
    """A consumer queue of 30 messages drops a large share of the AMI stream: every drop is
    a gap marker, and queue_log reconciliation (which also overrules an AMI "abandon" whose
    QUEUESTATUS=TIMEOUT was dropped) still gives the exact ground truth."""
    report = asyncio.run(run_simulation(300, 6, seed=2, speed=1000, queue_maxsize=30))
    print(format_report(report))
    assert report.ami_messages < report.frames_played * 0.9
    assert report.gaps > 0
    assert report.bridge == report.truth
    assert (report.missing, report.doubled, report.wrong_outcome) == ([], [], [])
