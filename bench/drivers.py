"""Load drivers: a closed loop (a fixed number of requests in flight, for saturation) and an open loop
(requests started on a fixed schedule whatever the system does, for latency at an offered rate)."""

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    index: int
    key: str
    # Wall-clock seconds (epoch): just before the start request, and when the result came back.
    started: float
    finished: float
    status: str
    access_key: str | None = None
    # Status → wall-clock seconds of that entry in the workflow's own history (its workflow time).
    marks: dict[str, float] = field(default_factory=dict)
    # How late the open loop started this request against its schedule (driver lag), in seconds.
    start_lag: float = 0.0


Job = Callable[[int], Coroutine[Any, Any, Outcome]]


async def closed_loop(job: Job, count: int, concurrency: int) -> list[Outcome]:
    """Run `count` jobs with at most `concurrency` in flight: a new one starts when one finishes."""
    indexes = itertools.count()
    outcomes: list[Outcome] = []

    async def lane() -> None:
        while (index := next(indexes)) < count:
            outcomes.append(await job(index))

    await asyncio.gather(*(lane() for _ in range(min(concurrency, count))))
    return sorted(outcomes, key=lambda o: o.index)


async def open_loop(job: Job, count: int, rate: float) -> list[Outcome]:
    """Start job i at i / rate seconds, however many are still in flight (what a shop's traffic does)."""
    loop = asyncio.get_running_loop()
    origin = loop.time()
    tasks: list[asyncio.Task[Outcome]] = []
    lags: list[float] = []
    for index in range(count):
        due = origin + index / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        lags.append(max(0.0, loop.time() - due))
        tasks.append(asyncio.create_task(job(index)))
    outcomes = await asyncio.gather(*tasks)
    return [_with_lag(outcome, lags[outcome.index]) for outcome in outcomes]


def _with_lag(outcome: Outcome, lag: float) -> Outcome:
    return Outcome(outcome.index, outcome.key, outcome.started, outcome.finished, outcome.status,
                   outcome.access_key, outcome.marks, lag)


async def bounded(calls: Sequence[Callable[[], Awaitable[T]]], concurrency: int) -> list[T]:
    """Run calls with at most `concurrency` in flight, keeping their order."""
    gate = asyncio.Semaphore(concurrency)

    async def run(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(run(call) for call in calls)))


def now() -> float:
    """Wall-clock seconds: comparable with the workflow history's timestamps on the same machine."""
    return time.time()
