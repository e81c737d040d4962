"""Percentiles and rates over measured samples (pure functions, unit-tested)."""

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} outside 0..100")
    ordered = sorted(values)
    rank = p / 100 * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def mean(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("mean of no values")
    return sum(values) / len(values)


def steady_rate(completions: Sequence[float], trim: float = 0.1) -> float:
    """Completions per second over the middle of a run, between the `trim` and 1 - `trim` quantiles.

    The ramp-up (first completions wait for a full pipeline) and the tail (fewer invoices in flight
    than the concurrency) would understate the saturated rate, so both ends are left out.
    """
    if len(completions) < 2:
        raise ValueError("a rate needs at least two completions")
    ordered = sorted(completions)
    skip = int(len(ordered) * trim)
    first, last = ordered[skip], ordered[len(ordered) - 1 - skip]
    if last <= first:
        raise ValueError("completions span no time")
    return (len(ordered) - 1 - 2 * skip) / (last - first)


def overall_rate(count: int, started: float, finished: float) -> float:
    """Items per second over the whole run, from the first start to the last completion."""
    if finished <= started:
        raise ValueError("the run spans no time")
    return count / (finished - started)
