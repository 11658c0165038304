"""Smart diversion under overload: the same simulated calls with and without the flow's
diversion rules. Prints answer rate, SL-15, abandons, diverted share (kpi.md v1 formulas) and
the estimated-wait error (predicted at IVR time vs the wait the call model then produced).

Run: ``/work/main/.venv/bin/python -m bench.diversion [--seeds 5] [--flow FILE]``

Scenario: 20 agents (talk log-normal, mean 180 s, cv 0.6; wrap-up 3 s; 3% missed rings,
queues.conf timeout=15 retry=2), 450 calls/h for 3 h (offered load ≈ 23 Erlang > 20 agents),
caller patience exponential with mean 180 s, queue limit 40 s → voicemail, 5% of queued callers
press a key to leave. Targets: answer rate ≥ 95% (kpi.md 接通率 v1) and SL-15 ≥ 80% for the
calls that stay in the queue.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from core.callsim import AgentSpec, CallSimConfig, flat_curve, simulate
from core.clock import SHANGHAI
from ivr_flows.flow import Flow
from ivr_flows.loader import default_flow_path, load_flow
from ivr_flows.simulation import FlowPolicy, Report, report

ANSWER_TARGET = 0.95
SL15_TARGET = 0.80


def run(flow: Flow, seed: int, *, diversion: bool) -> Report:
    if not diversion:
        flow = flow.model_copy(update={"diversion": []})
    policy = FlowPolicy(flow)
    config = CallSimConfig(
        start=datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI),
        duration_s=3 * 3600,
        arrivals_per_hour=flat_curve(450),
        agents=tuple(AgentSpec(f"Agent {8001 + i}", no_answer_prob=0.03) for i in range(20)),
        patience_mean_s=180.0,
        key_exit_prob=0.05,
        policy=policy,
        seed=seed,
    )
    return report(simulate(config), policy.predictions)


def row(name: str, rep: Report) -> str:
    c = rep.counts
    return (
        f"{name:<16} {c.inbound:>6} {c.queued:>6} {rep.answer_rate:>8.1%} "
        f"{rep.service_level:>7.1%} {c.abandoned:>6} {c.timeouts:>6} "
        f"{rep.diversion_share:>8.1%} {rep.online_share:>7.1%} "
        f"{rep.ewt['mae_s']:>7.1f} {rep.ewt['p90_s']:>7.1f} {rep.ewt['bias_s']:>+7.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flow", type=Path, default=default_flow_path())
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    flow = load_flow(args.flow)
    print(f"flow {flow.flow!r} ({args.flow}); 20 agents, 450 calls/h × 3 h; seeds 1..{args.seeds}")
    header = (
        f"{'run':<16} {'calls':>6} {'queued':>6} {'answer':>8} {'SL-15':>7} {'aband':>6} "
        f"{'tmout':>6} {'diverted':>8} {'online':>7} {'EWT MAE':>7} {'p90':>7} {'bias':>7}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for seed in range(1, args.seeds + 1):
        without = run(flow, seed, diversion=False)
        with_ = run(flow, seed, diversion=True)
        print(row(f"seed {seed} without", without))
        print(row(f"seed {seed} with", with_))
        meets = with_.answer_rate >= ANSWER_TARGET and with_.service_level >= SL15_TARGET
        ok = ok and meets
    print("-" * len(header))
    print(
        "answer = answered ÷ (queued − short abandons − key exits); SL-15 = answered ≤ 15 s ÷ same;"
        " diverted = (IVR diversions + key exits) ÷ calls; online = share of diversions;"
        " EWT error in seconds over answered calls queued straight away (bias + = too long)."
    )
    verdict = "MET" if ok else "NOT MET"
    print(
        f"targets with diversion (answer ≥ {ANSWER_TARGET:.0%}, SL-15 ≥ {SL15_TARGET:.0%}) "
        f"on every seed: {verdict}"
    )


if __name__ == "__main__":
    main()
