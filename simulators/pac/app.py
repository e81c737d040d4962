"""The SOAP side (port P): ``/servicios/soap/stamp`` and ``/servicios/soap/cancel``, Finkok-style.

Fault modes from the admin API are applied here, before (or, for ``lost_reply``, after) processing,
exactly where a client would notice them.
"""

from __future__ import annotations

import base64
import binascii

import anyio.to_thread
import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.common.http import InjectedAnswers, body_up_to, html_error, post_only, soap_endpoint, xml_response
from simulators.pac import soap
from simulators.pac.service import PacService

log = structlog.get_logger("simulators.pac")

STAMP_PATH = "/servicios/soap/stamp"
CANCEL_PATH = "/servicios/soap/cancel"
MAX_REQUEST_BYTES = 16 * 1024 * 1024
_TRUNCATED = b'<?xml version="1.0" encoding="UTF-8"?><senv:Envelope xmlns:senv="http://schemas.xmlsoap.org/soap/'


def _xml(body: bytes, status: int = 200) -> Response:
    return xml_response(body, soap.CONTENT_TYPE, status)


def _decode(value: str | None, name: str) -> bytes:
    if not value or not value.strip():
        raise soap.SoapRequestError(f"Missing argument {name}")
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise soap.SoapRequestError(f"{name} is not valid base64: {exc}") from exc


def _process(service: PacService, path: str, body: bytes) -> bytes:
    operation = soap.parse_request(body)
    expected = soap.STAMP_NS if path == STAMP_PATH else soap.CANCEL_NS
    if operation.namespace != expected:
        raise soap.SoapRequestError(f"Cannot find dispatch method for {{{operation.namespace}}}{operation.name}")
    if not service.authenticated(operation.argument("username"), operation.argument("password")):
        return soap.credentials_error(operation.name, operation.namespace)
    now = service.now().strftime("%Y-%m-%dT%H:%M:%S")
    number = service.identity.number
    if service.settings.mode == "error_350" and path == STAMP_PATH:
        busy = soap.StampResult(incidences=[soap.IncidenceOut("350", "Servicio no disponible temporalmente")])
        return soap.stamp_response(operation.name, busy, no_certificado_pac=number, fecha_registro=now)
    if operation.name == "stamp":
        result = service.stamp(_decode(operation.argument("xml"), "xml"))
        return soap.stamp_response("stamp", result, no_certificado_pac=number, fecha_registro=now)
    if operation.name == "stamped":
        xml = operation.argument("xml")
        result = service.stamped(xml=_decode(xml, "xml") if xml else None, uuid=operation.argument("uuid"),
                                 sha256=operation.argument("sha256"))
        return soap.stamp_response("stamped", result, no_certificado_pac=number, fecha_registro=now)
    if operation.name == "cancel":
        rfc = operation.argument("taxpayer_id") or ""
        folios = service.cancel(rfc, operation.folios())
        acuse = service.acuse(folios[0].uuid) if len(folios) == 1 and folios[0].code == "201" else ""
        return soap.cancel_response(folios, acuse=acuse, fecha=now, rfc=rfc, status="")
    if operation.name == "get_sat_status":
        status = service.status(operation.argument("uuid") or "")
        return soap.status_response(code=status["code"], estado=status["estado"], cancelable=status["cancelable"],
                                    cancel_state=status["cancel_state"])
    raise soap.SoapRequestError(f"Cannot find dispatch method for {{{operation.namespace}}}{operation.name}")


# error_350 and lost_reply are not here: the PAC itself answers them, around processing (_process, endpoint).
_INJECTED: InjectedAnswers = {
    "http_503": lambda: html_error(503, "Service Temporarily Unavailable"),
    "malformed": lambda: _xml(_TRUNCATED),
    "soap_fault": lambda: _xml(soap.fault("Internal Server Error (simulated PAC failure)"), 500),
}

_GET = post_only("Use POST with a SOAP 1.1 envelope")


def create_soap_app(service: PacService) -> Starlette:
    async def process(request: Request, body: bytes) -> Response:
        try:
            answer = await anyio.to_thread.run_sync(_process, service, request.url.path, body)
        except soap.SoapRequestError as exc:
            log.info("pac.soap_fault", path=request.url.path, reason=str(exc))
            return _xml(soap.fault(str(exc), exc.code), 500)
        except Exception as exc:  # a simulator bug must still look like a PAC server error
            log.exception("pac.internal_error", path=request.url.path)
            return _xml(soap.fault(f"Internal error: {type(exc).__name__}"), 500)
        # lost_reply: processed and committed, but the client never sees the answer (reference §13).
        return _xml(_TRUNCATED if service.settings.mode == "lost_reply" else answer)

    endpoint = soap_endpoint(
        lambda: service.settings,
        _INJECTED,
        on_get=_GET,
        read_body=body_up_to(MAX_REQUEST_BYTES),
        too_large=lambda: _xml(soap.fault("Request entity too large", "senv:Client"), 500),
        process=process,
    )
    return Starlette(routes=[
        Route(STAMP_PATH, endpoint, methods=["GET", "POST"]),
        Route(CANCEL_PATH, endpoint, methods=["GET", "POST"]),
    ])
