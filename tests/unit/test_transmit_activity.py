"""The submit-and-await activity: it asks the health view first, submits once, and waits briefly for the
decision, leaving slow or unreadable decisions to the polling step."""

import asyncio
import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

from temporalio.testing import ActivityEnvironment

from activities.authority import AuthorityActivities, authorized_document_key
from adapters.countries import AuthorityDecision, CountryProfile, CountryRegistry
from adapters.documents import FolderDocumentStore
from domain.errors import AuthorityUnavailable
from domain.invoice import Authorization, Numbering
from domain.steps import AuthorityStatus, TransmitInput, TransmitResult

NUMBERING = Numbering(series="001-001", sequential=7, document_number="001-001-000000007",
                      issue_date=date(2026, 11, 21), access_key="2111202601" + "0" * 39)
AUTHORIZED = AuthorityDecision("AUTHORIZED", Authorization(number=NUMBERING.access_key or "",
                                                           authorized_at=datetime(2026, 11, 21, tzinfo=UTC),
                                                           environment="PRUEBAS"), b"<autorizacion/>")


class FakeAuthority:
    """Answers PENDING `pending_checks` times, then `final`; `unreadable` makes every decision fail."""

    country = "EC"
    authority = "SRI"

    def __init__(self, *, pending_checks: int = 0, final: AuthorityDecision = AUTHORIZED,
                 unreadable: bool = False, already_has_it: bool = False) -> None:
        self.pending_checks = pending_checks
        self.final = final
        self.unreadable = unreadable
        self.already_has_it = already_has_it
        self.submissions = 0
        self.checks = 0

    async def submit(self, xml: bytes, numbering: Numbering, issuer_id: str) -> Literal["RECEIVED"]:
        self.submissions += 1
        return "RECEIVED"

    async def decision(self, numbering: Numbering, kind: str, issuer_id: str, signed: bytes) -> AuthorityDecision:
        self.checks += 1
        if self.unreadable:
            raise AuthorityUnavailable("authorization service refused the connection")
        if self.already_has_it:
            return self.final
        if self.submissions == 0 or self.checks <= self.pending_checks:
            return AuthorityDecision("PENDING")
        return self.final


def activities(tmp_path: Path, authority: FakeAuthority, up: bool = True) -> AuthorityActivities:
    async def health(country: str) -> AuthorityStatus:
        return AuthorityStatus(country=country, up=up, since=datetime(2026, 11, 21, 10, tzinfo=UTC))

    registry = CountryRegistry([cast(CountryProfile, authority)])
    return AuthorityActivities(registry, FolderDocumentStore(tmp_path), health)


def transmit_input(tmp_path: Path, **changes: Any) -> TransmitInput:
    document = FolderDocumentStore(tmp_path).put_once("inv-1/invoice-r1-signed.xml", b"<factura/>",
                                                      "application/xml")
    values: dict[str, Any] = {"invoice_key": "inv-1", "country": "EC", "numbering": NUMBERING, "document": document,
                              "poll_interval": timedelta(milliseconds=10),
                              "poll_max_interval": timedelta(milliseconds=20),
                              "decision_wait": timedelta(seconds=2)}
    return TransmitInput(**{**values, **changes})


def run(env: ActivityEnvironment, acts: AuthorityActivities, inp: TransmitInput) -> TransmitResult:
    return asyncio.run(env.run(acts.transmit, inp))


def test_decision_within_the_wait_comes_back_with_the_submission(tmp_path: Path) -> None:
    authority = FakeAuthority(pending_checks=2)
    result = run(ActivityEnvironment(), activities(tmp_path, authority), transmit_input(tmp_path))
    assert result.outcome == "RECEIVED"
    assert result.decision is not None and result.decision.authorized
    assert result.decision.attempt == 3  # two PENDING answers, then the decision
    assert authority.submissions == 1
    stored = FolderDocumentStore(tmp_path).find(authorized_document_key("inv-1", 1), "application/xml")
    assert stored is not None and result.decision.authorized_document == stored


def test_a_refusal_within_the_wait_is_returned_not_raised(tmp_path: Path) -> None:
    refused = AuthorityDecision("NOT_AUTHORIZED")
    result = run(ActivityEnvironment(), activities(tmp_path, FakeAuthority(final=refused)), transmit_input(tmp_path))
    assert result.decision is not None and not result.decision.authorized


def test_undecided_after_the_wait_is_left_to_the_polling_step(tmp_path: Path) -> None:
    authority = FakeAuthority(pending_checks=10_000)
    inp = transmit_input(tmp_path, decision_wait=timedelta(milliseconds=100))
    result = run(ActivityEnvironment(), activities(tmp_path, authority), inp)
    assert result.outcome == "RECEIVED" and result.decision is None
    assert 2 <= authority.checks < 30  # it polled at the interval, then stopped


def test_an_unreadable_decision_does_not_fail_the_received_submission(tmp_path: Path) -> None:
    authority = FakeAuthority(unreadable=True)
    result = run(ActivityEnvironment(), activities(tmp_path, authority), transmit_input(tmp_path))
    assert result.outcome == "RECEIVED" and result.decision is None
    assert authority.submissions == 1


def test_a_known_outage_sends_nothing(tmp_path: Path) -> None:
    authority = FakeAuthority()
    result = run(ActivityEnvironment(), activities(tmp_path, authority, up=False), transmit_input(tmp_path))
    assert result.outcome == "AUTHORITY_DOWN"
    assert result.down_since == datetime(2026, 11, 21, 10, tzinfo=UTC)
    assert authority.submissions == 0 and authority.checks == 0


def test_released_invoices_skip_the_health_question(tmp_path: Path) -> None:
    authority = FakeAuthority()
    inp = transmit_input(tmp_path, check_health=False)
    result = run(ActivityEnvironment(), activities(tmp_path, authority, up=False), inp)
    assert result.outcome == "RECEIVED" and authority.submissions == 1


def test_a_retry_asks_before_sending_again(tmp_path: Path) -> None:
    authority = FakeAuthority(already_has_it=True)
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=2)
    result = run(env, activities(tmp_path, authority), transmit_input(tmp_path))
    assert result.outcome == "ALREADY_RECEIVED"
    assert authority.submissions == 0
    assert result.decision is not None and result.decision.authorized


def test_a_zero_wait_still_reads_a_decision_that_is_already_there(tmp_path: Path) -> None:
    authority = FakeAuthority()
    inp = transmit_input(tmp_path, decision_wait=timedelta(0))
    result = run(ActivityEnvironment(), activities(tmp_path, authority), inp)
    assert result.decision is not None and result.decision.authorized
