"""The workers' view of the authority-health workflows: one query per authority per interval."""

import asyncio
from datetime import UTC, datetime
from typing import Any, cast

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.health import AuthorityHealthView
from domain.health import AuthorityHealthState


class FakeHandle:
    def __init__(self, owner: "FakeClient", workflow_id: str) -> None:
        self._owner = owner
        self._id = workflow_id

    async def query(self, name: str, result_type: Any) -> AuthorityHealthState:
        self._owner.queries.append(self._id)
        await asyncio.sleep(0.01)  # long enough for concurrent callers to pile up
        if self._owner.missing:
            raise RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b"")
        return AuthorityHealthState(country=self._id.rsplit("-", 1)[1], up=self._owner.up,
                                    since=datetime(2026, 11, 21, 9, tzinfo=UTC), waiting=0, probes=0, outages=1,
                                    released=0)


class FakeClient:
    def __init__(self, *, up: bool = True, missing: bool = False) -> None:
        self.up = up
        self.missing = missing
        self.queries: list[str] = []

    def get_workflow_handle(self, workflow_id: str) -> FakeHandle:
        return FakeHandle(self, workflow_id)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def view(client: FakeClient, clock: Clock, ttl: float = 1.0) -> AuthorityHealthView:
    return AuthorityHealthView(cast(Client, client), ttl, clock)


def test_answers_are_reused_within_the_interval_and_asked_again_after() -> None:
    client, clock = FakeClient(up=False), Clock()
    health = view(client, clock)

    async def scenario() -> None:
        first = await health.status("EC")
        assert not first.up and first.since == datetime(2026, 11, 21, 9, tzinfo=UTC)
        clock.now += 0.5
        await health.status("EC")
        assert client.queries == ["authority-health-EC"]
        client.up = True
        clock.now += 0.6  # 1.1 s after the first answer
        assert (await health.status("EC")).up
        assert len(client.queries) == 2

    asyncio.run(scenario())


def test_concurrent_invoices_share_one_question_per_authority() -> None:
    client, clock = FakeClient(), Clock()
    health = view(client, clock)

    async def scenario() -> None:
        answers = await asyncio.gather(*(health.status(c) for c in ["EC"] * 50 + ["CO"] * 50))
        assert all(a.up for a in answers)

    asyncio.run(scenario())
    assert sorted(client.queries) == ["authority-health-CO", "authority-health-EC"]


def test_no_health_workflow_means_no_outage_was_ever_reported() -> None:
    health = view(FakeClient(missing=True), Clock())
    assert asyncio.run(health.status("MX")).up


def test_a_zero_interval_asks_every_time() -> None:
    client, clock = FakeClient(), Clock()
    health = view(client, clock, ttl=0.0)

    async def scenario() -> None:
        for _ in range(3):
            await health.status("EC")

    asyncio.run(scenario())
    assert len(client.queries) == 3
