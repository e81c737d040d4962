"""SoapPacClient: its envelopes against the simulator's SOAP app (in process), and transport edge cases."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from adapters.mexico.pac import PacConfigurationError, PacUnavailable
from adapters.mexico.pac_client import SoapPacClient
from adapters.mexico.timbre import stamped_uuid, verify_timbre
from domain.errors import AuthorityUnavailable
from simulators.pac import soap
from simulators.pac.app import create_soap_app
from simulators.pac.faults import PacSettings
from simulators.pac.service import PacService
from simulators.pac.testkit import IssuerKit, make_issuer, make_service, sealed_cfdi

BASE = "http://pac.test/servicios/soap/"


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> IssuerKit:
    return make_issuer(tmp_path_factory.mktemp("csd"))


@pytest.fixture
def service(tmp_path: Path, kit: IssuerKit) -> PacService:
    return make_service(tmp_path / "state", [kit.ca])


@pytest_asyncio.fixture
async def http(service: PacService) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_soap_app(service)), timeout=10) as client:
        yield client


async def test_stamp_resend_and_recover(http: httpx.AsyncClient, service: PacService, kit: IssuerKit) -> None:
    client = SoapPacClient(http, BASE, "demo", "demo", name="pac-a")
    sealed = sealed_cfdi(kit)
    first = await client.stamp(sealed)
    assert first.status == "stamped" and first.ok and first.xml is not None and first.pac == "pac-a"
    assert first.uuid == stamped_uuid(first.xml)
    assert first.no_certificado_sat == service.identity.number and first.stamped_at is not None
    assert verify_timbre(first.xml, [service.identity.certificate])
    again = await client.stamp(sealed)
    assert (again.status, again.uuid, again.xml, again.codes) == ("already_stamped", first.uuid, first.xml, ["307"])
    for key in (sealed, first.uuid or "", hashlib.sha256(sealed).hexdigest()):
        found = await client.stamped(key)
        assert found is not None and found.uuid == first.uuid and found.status == "already_stamped"
    assert await client.stamped(sealed_cfdi(kit, folio=99)) is None


async def test_a_307_without_the_xml_is_recovered_with_stamped(http: httpx.AsyncClient, service: PacService,
                                                               kit: IssuerKit) -> None:
    client = SoapPacClient(http, BASE, "demo", "demo")
    sealed = sealed_cfdi(kit)
    first = await client.stamp(sealed)
    service.duplicate_answer = "code"
    again = await client.stamp(sealed)
    assert (again.status, again.uuid, again.xml) == ("already_stamped", first.uuid, first.xml)


async def test_rejections_keep_the_pac_codes(http: httpx.AsyncClient, kit: IssuerKit) -> None:
    client = SoapPacClient(http, BASE, "demo", "demo")
    answer = await client.stamp(sealed_cfdi(kit).replace(b'Folio="1"', b'Folio="2"'))
    assert (answer.status, answer.ok, answer.codes) == ("rejected", False, ["302"])
    assert answer.messages[0].identifier == "302" and answer.xml is None


async def test_wrong_credentials_are_a_configuration_error(http: httpx.AsyncClient, kit: IssuerKit) -> None:
    client = SoapPacClient(http, BASE, "demo", "wrong")
    with pytest.raises(PacConfigurationError):
        await client.stamp(sealed_cfdi(kit))
    with pytest.raises(PacConfigurationError):
        await client.cancellation_status("A1B2C3D4-0000-4000-8000-000000000001")


async def test_cancel_and_status(http: httpx.AsyncClient, service: PacService, kit: IssuerKit) -> None:
    client = SoapPacClient(http, BASE, "demo", "demo")
    uuid = (await client.stamp(sealed_cfdi(kit))).uuid or ""
    status = await client.cancellation_status(uuid)
    assert (status.state, status.sat_status, status.cancelable) == ("Vigente", "Vigente", "Cancelable sin aceptación")
    service.settings = PacSettings(immediate_cancel_window_s=0)
    answer = await client.cancel(uuid, rfc_emisor="EKU9003173C9", rfc_receptor="URE180429TM6", total="1172.72",
                                 motive="02")
    assert (answer.state, answer.code, answer.pending, answer.cancelled) == ("EnProceso", "201", True, False)
    assert answer.acuse is not None and uuid.encode() in answer.acuse
    service.decide(uuid, accept=False)
    assert (await client.cancellation_status(uuid)).state == "Rechazado"
    await client.cancel(uuid, rfc_emisor="EKU9003173C9", rfc_receptor="URE180429TM6", total="1172.72", motive="02")
    service.decide(uuid, accept=True)
    final = await client.cancellation_status(uuid)
    assert (final.state, final.sat_status, final.cancelled) == ("Cancelado", "Cancelado", True)
    refused = await client.cancel("A1B2C3D4-0000-4000-8000-000000000001", rfc_emisor="EKU9003173C9",
                                  rfc_receptor="URE180429TM6", total="1", motive="02")
    assert (refused.state, refused.code) == ("Error", "205")
    unknown = await client.cancellation_status("A1B2C3D4-0000-4000-8000-000000000001")
    assert (unknown.state, unknown.sat_status) == ("Error", "No Encontrado")


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> SoapPacClient:
    return SoapPacClient(httpx.AsyncClient(transport=httpx.MockTransport(handler)), BASE, "demo", "demo")


def _raise(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


@pytest.mark.parametrize(
    ("handler", "not_stamped"),
    [
        (_raise(httpx.ConnectError("refused")), True),
        (_raise(httpx.ConnectTimeout("slow connect")), True),
        (_raise(httpx.ReadTimeout("slow answer")), False),
        (_raise(httpx.RemoteProtocolError("reset")), False),
        (lambda r: httpx.Response(503, text="Service Unavailable"), True),
        (lambda r: httpx.Response(500, text="<html>boom</html>"), False),
        (lambda r: httpx.Response(200, content=b"<senv:Envelope"), False),
        (lambda r: httpx.Response(500, content=soap.fault("NullPointerException")), False),
        (lambda r: httpx.Response(200, content=soap.stamp_response(
            "stamp", soap.StampResult(incidences=[soap.IncidenceOut("350", "no disponible")]),
            no_certificado_pac="", fecha_registro="")), True),
        (lambda r: httpx.Response(200, content=soap.stamp_response(
            "stamp", soap.StampResult(), no_certificado_pac="", fecha_registro="")), False),
        (lambda r: httpx.Response(200, content=b"<a/>"), False),
    ],
)
async def test_transport_failures_say_whether_the_document_can_have_been_stamped(
    handler: Callable[[httpx.Request], httpx.Response], not_stamped: bool, kit: IssuerKit
) -> None:
    with pytest.raises(PacUnavailable) as raised:
        await _client(handler).stamp(sealed_cfdi(kit))
    assert raised.value.not_stamped is not_stamped
    assert isinstance(raised.value, AuthorityUnavailable) and raised.value.retryable


async def test_a_stamp_of_another_document_is_refused(kit: IssuerKit, service: PacService) -> None:
    other = service.stamp(sealed_cfdi(kit, folio=5)).xml

    def handler(request: httpx.Request) -> httpx.Response:
        result = soap.StampResult(xml=other, uuid="A1B2C3D4-0000-4000-8000-000000000001", fecha="2026-01-01T00:00:00")
        return httpx.Response(200, content=soap.stamp_response("stamp", result, no_certificado_pac="",
                                                               fecha_registro=""))

    with pytest.raises(PacUnavailable, match="different"):
        await _client(handler).stamp(sealed_cfdi(kit, folio=6))


async def test_the_request_envelope(kit: IssuerKit) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=soap.stamp_response(
            "stamped", soap.StampResult(incidences=[soap.IncidenceOut("602", "no")]), no_certificado_pac="",
            fecha_registro=""))

    assert await _client(handler).stamped("a1b2c3d4-0000-4000-8000-000000000001") is None
    operation = soap.parse_request(seen[0].content)
    assert (operation.namespace, operation.name) == (soap.STAMP_NS, "stamped")
    assert operation.argument("uuid") == "A1B2C3D4-0000-4000-8000-000000000001"
    assert (operation.argument("username"), operation.argument("password")) == ("demo", "demo")
    assert str(seen[0].url) == BASE + "stamp" and seen[0].headers["SOAPAction"] == '"stamped"'
    with pytest.raises(ValueError, match="stamped"):
        await _client(handler).stamped("not-a-key")
