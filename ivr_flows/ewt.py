"""Estimated wait (EWT) for a caller about to join the queue, from the live queue document.

Method (documented in docs/ivr.md, checked against the call model in bench/diversion.py):

* The caller would be at ``position = waiting + 1``. If at least that many members are ready
  (``available``), a member rings at once: EWT = 0.
* Otherwise ``ahead = position − available`` members have to free up first. Each of the
  ``on_duty`` members (logged in, not paused) goes through a cycle of recent AHT (talk +
  wrap-up) plus the ring before the next answer, so together they free up at a rate of
  ``on_duty ÷ (AHT + ring_s)``; the caller is reached after ``ahead`` such releases:
  ``EWT = ahead × (AHT + ring_s) ÷ on_duty``.
* Callers ahead who hang up shorten the wait: with a recent abandon share ``a`` among queued
  callers, only ``1 − a`` of the ``ahead`` count (first-order correction, ``abandon_share``).
* Nobody on duty: infinite (the "no agents" rule handles that case).

This is the position × AHT ÷ agents rule with the ring overhead and an abandon correction;
Erlang-C would give the *average* wait over arrivals, while we know the actual queue now.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ivr_flows.policy import QueueState


def estimate_wait(
    state: QueueState,
    *,
    ring_s: float = 2.5,
    abandon_share: float = 0.0,
    position: int | None = None,
) -> float:
    """Seconds a caller joining now (or at ``position``) can expect to wait."""
    if not 0.0 <= abandon_share < 1.0:
        raise ValueError("abandon_share must be in [0, 1)")
    pos = state.waiting + 1 if position is None else position
    if state.available >= pos:
        return 0.0
    if state.on_duty <= 0:
        return math.inf
    ahead = (pos - state.available) * (1.0 - abandon_share)
    return ahead * (state.aht_recent_s + ring_s) / state.on_duty


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    index = q * (len(ordered) - 1)
    low = math.floor(index)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def wait_error(pairs: Sequence[tuple[float, float]]) -> dict[str, float]:
    """Error of (predicted, actual) waits: MAE, p90 absolute error, mean bias (+ = too long).

    Infinite predictions are left out and counted in ``infinite``.
    """
    finite = [(p, a) for p, a in pairs if math.isfinite(p)]
    errors = [abs(p - a) for p, a in finite]
    return {
        "n": float(len(finite)),
        "infinite": float(len(pairs) - len(finite)),
        "mae_s": sum(errors) / len(errors) if errors else math.nan,
        "p90_s": _quantile(errors, 0.9),
        "bias_s": sum(p - a for p, a in finite) / len(finite) if finite else math.nan,
    }
